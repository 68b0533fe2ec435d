"""What every answer is made of: the Workspace it reads, the Answer it returns, and how it names things.

Campaigns, ad sets, ads and accounts are named the same way in every answer (`ad set 'Summer Sale'
(campaign 'Summer Sale | Promo')`, `account 'client_a'`); a name the user typed is matched to one here too.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from adlab.errors import AdlabError
from adlab.params import Params
from adlab.schema import ENTITY

LEVELS: dict[str, tuple[str, ...]] = {
    "campaign": ("account", "campaign"),
    "adset": ("account", "campaign", "adset"),
    "ad": ENTITY,
}
# One row of a frame as a dict: an entity's names and summed figures (a roll-up row), a results row, ...
Row = dict[str, Any]
TABLE_ROWS = 15  # rows of an answer's table shown in a notebook
LEVEL_WORDS = {"campaign": "campaign", "adset": "ad set", "ad": "ad"}
LOWER_IS_BETTER = ("cpa", "cpc", "cpm")
PURCHASE_KPIS = ("roas", "cpa", "cvr", "aov")
# Said after an answer the data cannot give: what else can be asked (questions.py reads every family).
CAN_ANSWER = (
    "I can answer figures, comparisons, rankings, what to pause / scale / refresh, why a KPI moved, tracking, "
    'trends and breakdowns, e.g. "What was my CPA last week?", "Why did my ROAS drop yesterday?", '
    '"Which of my ads is performing best with women aged 25-34?", "Should I pause my \'<name>\' ad set?".'
)


@dataclass(frozen=True)
class Answer:
    """A headline (first line) and the evidence lines under it."""

    headline: str
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The answer as printed: headline, then the evidence."""
        return "\n".join([self.headline, *self.lines])

    def __str__(self) -> str:
        return self.text()

    @property
    def figures(self) -> pl.DataFrame:
        """The answer's figures as a polars frame: its table when it has one (the ranked entities, the campaigns
        behind a change), else one row per number it rests on (`figure`, `value`; nested ones as `terms.cvr`)."""
        for value in self.data.values():
            if isinstance(value, pl.DataFrame):
                return value
        rows = [(name, float(value)) for name, value in _numbers(self.data) if value is not None]
        return pl.DataFrame(rows, schema={"figure": pl.String, "value": pl.Float64}, orient="row")

    def chart(self) -> Any:
        """A line chart of the figures when they run over dates (a trend), else None (a plotly Figure)."""
        table = self.figures
        dates = [name for name, dtype in table.schema.items() if dtype == pl.Date]
        values = [name for name, dtype in table.schema.items() if dtype.is_numeric()]
        if len(dates) != 1 or len(values) != 1 or table.height < 2:
            return None
        import plotly.graph_objects as go  # only where a chart is drawn

        figure = go.Figure(go.Scatter(x=table[dates[0]].to_list(), y=table[values[0]].to_list(), mode="lines+markers"))
        figure.update_layout(height=260, margin={"l": 40, "r": 10, "t": 10, "b": 30}, template="plotly_white")
        return figure

    def _ipython_display_(self) -> None:
        """In a notebook: the words and the table (`_repr_html_`), then the chart where one helps."""
        from IPython.display import HTML, display

        # IPython.display has no annotations: the two calls are untyped.
        display(HTML(self._repr_html_()))  # type: ignore[no-untyped-call]
        if (figure := self.chart()) is not None:
            display(figure)  # type: ignore[no-untyped-call]

    def _repr_html_(self) -> str:
        """In a notebook: the headline in bold, the evidence as a list, then the first rows of `figures`."""
        evidence = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines)
        table = self.figures
        shown = table.head(TABLE_ROWS)._repr_html_() if table.height else ""
        more = (
            f"<p>{table.height - TABLE_ROWS} more rows in <code>.figures</code></p>"
            if table.height > TABLE_ROWS
            else ""
        )
        return f"<p><strong>{html.escape(self.headline)}</strong></p><ul>{evidence}</ul>{shown}{more}"


def _numbers(data: dict[str, Any], prefix: str = "") -> list[tuple[str, float | None]]:
    """Every number in an answer's data, nested dicts flattened to `outer.inner`; booleans and text left out."""
    found: list[tuple[str, float | None]] = []
    for name, value in data.items():
        if isinstance(value, dict):
            found += _numbers(value, f"{prefix}{name}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.append((f"{prefix}{name}", float(value)))
    return found


@dataclass(frozen=True)
class Workspace:
    """What the answers read: KPIs per (date, ad), the breakdown rows, settings, currency, fatigue, store and
    profit days."""

    kpis_daily: pl.DataFrame
    ad_insights: pl.DataFrame | None
    params: Params
    currency: str | None = None
    fatigue: pl.DataFrame | None = None
    results_daily: pl.DataFrame | None = None  # results per (date, ad, result type), for accounts without purchases
    store: pl.DataFrame | None = (
        None  # store orders and revenue per day (kpis.store_daily); None without a store export
    )
    recommendations: pl.DataFrame | None = None  # data/processed/recommendations.csv; None before the stage
    orders: pl.DataFrame | None = None  # the orders table (data/interim/orders.parquet); None without a store export
    cohorts: pl.DataFrame | None = None  # customer cohorts (kpis.cohort_table); None: computed from `orders`
    profit: pl.DataFrame | None = None  # profit and new customers per day (kpis.profit_daily); None without orders


def with_notes(answer: Answer, notes: list[str]) -> Answer:
    """The answer with `notes` after its evidence, each once."""
    lines = [*answer.lines, *(note for note in dict.fromkeys(notes) if note not in answer.lines)]
    return Answer(answer.headline, lines, answer.data)


# --------------------------------------------------------------------------- naming


def quoted(name: str | None) -> str:
    """A name from the data in quotes; an export without that name column gives `(no name)`."""
    return "(no name)" if name is None else f"'{name}'"


def accounts_in(frame: pl.DataFrame) -> list[str]:
    """The named accounts of a frame, sorted; empty for the single default account (null)."""
    if "account" not in frame.columns:
        return []
    return sorted(frame["account"].drop_nulls().unique().to_list())


def several_accounts(frame: pl.DataFrame) -> bool:
    """Whether the frame holds more than one account (the default account counts as one)."""
    return "account" in frame.columns and frame["account"].n_unique() > 1


def account_text(account: str | None) -> str:
    """`account 'client_a'`; the default account (no name) is `the default account`."""
    return "the default account" if account is None else f"account {quoted(account)}"


def entity_label(level: str, row: Row, with_account: bool = False) -> str:
    """`ad set 'Summer Sale' (campaign 'Summer Sale | Promo')`, plus `in account 'client_a'` with_account."""
    named = [parent for parent in LEVELS[level][:-1] if parent != "account"]
    parents = [f"{LEVEL_WORDS[parent]} {quoted(row[parent])}" for parent in named[-1:]]
    label = f"{LEVEL_WORDS[level]} {quoted(row[level])}" + (f" ({parents[0]})" if parents else "")
    return label + (f" in {account_text(row.get('account'))}" if with_account else "")


def find_entity(kpis_daily: pl.DataFrame, name: str, level: str | None = None) -> tuple[str, str]:
    """(level, exact name) of the campaign, ad set or ad called `name`: exact (any case), unique part, or close.

    A level given (from "my ... ad set") is searched first.

    Raises:
        AdlabError: nothing matches; lists the closest names.
    """
    order = [level] if level else []
    order += [other for other in ("campaign", "adset", "ad") if other not in order]
    names = {lvl: sorted(kpis_daily[lvl].drop_nulls().unique().to_list()) for lvl in order}
    wanted = name.casefold().strip()

    def plain(text: str) -> str:
        return re.sub(r"[^0-9a-z%+]+", " ", text.casefold()).strip()

    tests = (
        lambda candidate: candidate.casefold() == wanted,
        lambda candidate: plain(candidate) == plain(wanted),
        lambda candidate: wanted in candidate.casefold(),
        lambda candidate: plain(wanted) in plain(candidate),
    )
    # The level the question names wins over a closer match at another level.
    searches = [(test, [level]) for test in tests] if level else []
    searches += [(test, order) for test in tests]
    for test, levels in searches:
        for lvl in levels:
            found = [candidate for candidate in names[lvl] if test(candidate)]
            if len(found) == 1 or (found and level == lvl):
                return lvl, found[0]
    everything = {candidate: lvl for lvl in reversed(order) for candidate in names[lvl]}
    folded = {candidate.casefold(): candidate for candidate in everything}
    close = difflib.get_close_matches(wanted, folded, n=3, cutoff=0.75)
    if close:
        return everything[folded[close[0]]], folded[close[0]]
    suggestions = difflib.get_close_matches(wanted, folded, n=3, cutoff=0.3)
    hint = f" Closest: {', '.join(quoted(folded[s]) for s in suggestions)}." if suggestions else ""
    raise AdlabError(f"no campaign, ad set or ad named {quoted(name)} in the data.{hint} " + CAN_ANSWER)
