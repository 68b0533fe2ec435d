"""The currencies demo accounts bill in: each one's code, the decimals of its amounts and a rough rate to the dollar.

The demo simulates amounts in minor units (cents; whole yen for JPY, which has no decimals), so a store
priced in SEK or JPY gets amounts of the right order of magnitude. Rates come from `adlab.currency`.
"""

from __future__ import annotations

from dataclasses import dataclass

from adlab.currency import UNITS_PER_USD


@dataclass(frozen=True)
class Currency:
    """A currency an account's exports are written in."""

    code: str
    decimals: int = 2  # digits after the decimal point in the exports (0 for JPY)

    @property
    def per_usd(self) -> float:
        """Rough units of this currency per US dollar."""
        return UNITS_PER_USD[self.code]

    @property
    def minor(self) -> int:
        """Minor units per unit (100 cents; 1 for a currency without decimals)."""
        return int(10**self.decimals)

    def from_usd_cents(self, cents: int) -> int:
        """A USD amount given in cents, in this currency's minor units (rounded)."""
        return round(cents * self.per_usd * self.minor / 100)


USD = Currency("USD")
# The currencies of a generated portfolio, in the order accounts take them (after a seeded shuffle).
PORTFOLIO_CURRENCIES: tuple[Currency, ...] = (
    USD,
    Currency("EUR"),
    Currency("GBP"),
    Currency("AUD"),
    Currency("CAD"),
    Currency("SEK"),
    Currency("JPY", decimals=0),
    Currency("NZD"),
)
