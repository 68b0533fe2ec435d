"""Answers a media buyer asks (DESIGN 5): why a KPI moved, who wins a segment, pause or scale, weekly actions.

Every function is pure: frames and settings in, an `Answer` (a headline and
evidence lines) or a frame out. Relative dates count from the last day in the
data, never from today.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl
from scipy.special import gammainc, gammaincc

from adlab.currency import cpa_target_note, gate_amount
from adlab.display import KPI_WORDS, MISSING, count_text, kpi_text, money_text, share_text, whole_text
from adlab.errors import AdlabError
from adlab.kpis import (
    KPI_FACTORS,
    KPI_FRACTIONS,
    LEVEL_RANK,
    RESULT_FRACTIONS,
    complete_weeks,
    finest_level,
    is_purchase_type,
    log_split,
    ratio,
    result_unit,
    rollup,
    rollup_results,
    totals_view,
    typed_rows,
    week_bounds,
)
from adlab.params import Params
from adlab.schema import ENTITY

LEVELS: dict[str, tuple[str, ...]] = {
    "campaign": ("account", "campaign"), "adset": ("account", "campaign", "adset"), "ad": ENTITY,
}
LEVEL_WORDS = {"campaign": "campaign", "adset": "ad set", "ad": "ad"}
KPI_LABELS = KPI_WORDS
FACTOR_WORDS = {"cpm": "CPM (cost of reach)", "ctr": "link CTR (clicks per impression)",
                "cvr": "CVR (purchases per link click)", "aov": "AOV (value per purchase)"}
LOWER_IS_BETTER = ("cpa", "cpc", "cpm")
PURCHASE_KPIS = ("roas", "cpa", "cvr", "aov")
# Funnel fractions for the tracking-break check: link click -> checkout started -> purchase.
CHECKOUT_RATE = ("checkouts", "link_clicks")
CHECKOUT_COMPLETION = ("purchases", "checkouts")
ACTIONS = {"pause": "Pause", "scale": "Scale", "keep": "Keep", "refresh_creative": "Refresh creative", "wait": "Wait"}
CAN_ANSWER = (
    'I can answer: "Why did my ROAS drop yesterday?" (also CPA, CTR, CPM, CVR, AOV; yesterday, last week, '
    'last 7 days, or between two dates), "Which of my ads is performing best with women aged 25-34?" '
    '(ads, ad sets or campaigns; a segment or "on Instagram"; "by CTR"), and "Should I pause my \'<name>\' '
    'ad set?" (pause or scale a campaign, ad set or ad).'
)


@dataclass(frozen=True)
class Answer:
    """A headline (first line) and the evidence lines under it."""

    headline: str
    lines: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def text(self) -> str:
        """The answer as printed: headline, then the evidence."""
        return "\n".join([self.headline, *self.lines])


@dataclass(frozen=True)
class Period:
    """Days start..end, inclusive."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start} to {self.end}"

    def phrase(self) -> str:
        """`on 2026-11-24` or `over 2026-11-16 to 2026-11-22`."""
        return f"on {self.start}" if self.start == self.end else f"over {self.start} to {self.end}"


# --------------------------------------------------------------------------- formatting


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


def next_step_lines(action: str, spend: float, period: Period, own_end: dt.date, end_all: dt.date, params: Params,
                    currency: str | None) -> list[str]:
    """A verdict's closing lines: the budget step of a scale call, and what to do when it stopped spending."""
    lines = []
    if action == "scale":
        per_day = spend / period.days
        step = params.recommend.max_budget_step
        after = money_text(per_day * (1 + step), currency)
        lines.append(f"Suggested step: about {money_text(per_day, currency)} -> {after} a "
                     f"day (+{step:.0%}), then re-check after a few days.")
    if own_end < end_all:
        lines.append(f"It has not spent since {own_end} ({(end_all - own_end).days} days before the last day in "
                     f"the data, {end_all}): it is already off; "
                     + ("keep it off." if action == "pause" else "turn it back on only with a new reason."))
    return lines


def campaign_naming(several: bool) -> Callable[[dict], str]:
    """How an answer names a campaign row: with its account when two accounts may run campaigns of one name."""
    def campaign_of(row: dict) -> str:
        return quoted(row["campaign"]) + (f" ({account_text(row['account'])})" if several else "")
    return campaign_of


def campaign_sentences(where: pl.DataFrame, delta: float, top: int, several: bool, measure: str, weight: str,
                       show: Callable[[float | None], str]) -> list[str]:
    """One sentence per campaign among the `top` of `contributions` that moved the measure by 5% or more.

    Rows without a campaign (an account-level export) are not in `where`: there is no campaign to point at.
    """
    campaign_of = campaign_naming(several)
    return [
        f"Campaign {campaign_of(row)} accounts for {row['total'] / delta:.0%} of the change: its {measure} went "
        f"{show(row['m0'])} -> {show(row['m1'])} (rate {row['rate']:+.2f}) and its share of {weight} "
        f"{row['w0']:.0%} -> {row['w1']:.0%} (mix {row['mix']:+.2f})."
        for row in where.head(top).iter_rows(named=True)
        if delta and abs(row["total"]) >= 0.05 * abs(delta)
    ]


def entity_label(level: str, row: dict, with_account: bool = False) -> str:
    """`ad set 'Summer Sale' (campaign 'Summer Sale | Promo')`, plus `in account 'client_a'` with_account."""
    named = [parent for parent in LEVELS[level][:-1] if parent != "account"]
    parents = [f"{LEVEL_WORDS[parent]} {quoted(row[parent])}" for parent in named[-1:]]
    label = f"{LEVEL_WORDS[level]} {quoted(row[level])}" + (f" ({parents[0]})" if parents else "")
    return label + (f" in {account_text(row.get('account'))}" if with_account else "")


# --------------------------------------------------------------------------- posteriors


def prob_roas_above(threshold: float, purchases: float, purchase_value: float, spend: float,
                    fallback_aov: float | None = None) -> float | None:
    """P(true ROAS > threshold) given the data.

    Purchases are Poisson in spend (Jeffreys prior: rate ~ Gamma(purchases + 0.5,
    spend)) and ROAS = rate x value per purchase, the observed AOV (or
    `fallback_aov`, e.g. the account's, when there was no purchase).
    """
    aov = purchase_value / purchases if purchases else fallback_aov
    if not spend or spend <= 0 or not aov:
        return None
    return float(gammaincc(purchases + 0.5, spend * threshold / aov))


def prob_cpa_above(target_cpa: float, purchases: float, spend: float) -> float | None:
    """P(true CPA > target), i.e. P(purchase rate per unit spend < 1 / target) under the same Gamma posterior."""
    if not spend or spend <= 0:
        return None
    return float(gammainc(purchases + 0.5, spend / target_cpa))


# --------------------------------------------------------------------------- periods


def last_day(kpis_daily: pl.DataFrame) -> dt.date:
    """The last day with ad data; every relative date counts from it.

    Raises:
        AdlabError: there is no ad data.
    """
    if kpis_daily.height == 0:
        raise AdlabError("there is no ad data yet: drop an Ads Manager export into data/raw/ and run `adlab report`.")
    return kpis_daily["date"].max()


def periods_for(kpis_daily: pl.DataFrame, when: str = "yesterday", days: int | None = None) -> tuple[Period, Period]:
    """(current, previous) periods: `yesterday` = the last day vs the day before; `last_week` = the latest
    complete ISO week vs the one before (the last 7 days when no week is complete); `days` = the last N days
    vs the N before."""
    end = last_day(kpis_daily)
    if when == "last_week":
        weeks = complete_weeks(end, kpis_daily["date"].min())
        if weeks:
            monday, sunday = week_bounds(weeks[0])
            return Period(monday, sunday), Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
        days = 7
    if when == "days" or days:
        n = days or 7
        current = Period(end - dt.timedelta(days=n - 1), end)
        return current, Period(current.start - dt.timedelta(days=n), current.start - dt.timedelta(days=1))
    return Period(end, end), Period(end - dt.timedelta(days=1), end - dt.timedelta(days=1))


def _in(period: Period) -> pl.Expr:
    return pl.col("date").is_between(period.start, period.end)


def _totals(frame: pl.DataFrame) -> dict:
    """Summed metrics and KPIs of all rows (one roll-up row as a dict)."""
    rolled = rollup(frame.with_columns(pl.lit(1).alias("_all")), ["_all"])
    return rolled.row(0, named=True) if rolled.height else {}


# --------------------------------------------------------------------------- why did it move


def contributions(kpis_daily: pl.DataFrame, current: Period, previous: Period, level: str = "campaign",
                  kpi: str = "roas", fraction: tuple[str, str, float] | None = None) -> pl.DataFrame:
    """One row per entity at `level`: its share of the change in the account's `kpi`, as mix + rate.

    The account KPI is the denominator-weighted mean of the entities' KPIs
    (ROAS weighted by spend). With w its share of the denominator and m its KPI
    (an entity absent in the previous period counts at the account's old value):
    mix = (w1 - w0) x (m0 - M0) (money moved towards a better or worse entity)
    and rate = w1 x (m1 - m0) (the entity itself did better or worse); the
    mix and rate terms of all entities add up exactly to M1 - M0. `fraction`
    (numerator, denominator, scale) stands in for a KPI outside KPI_FRACTIONS.
    """
    num, den, scale = fraction or KPI_FRACTIONS[kpi]
    keys = list(LEVELS[level])
    tagged = kpis_daily.filter(_in(current) | _in(previous)).with_columns(
        pl.when(_in(current)).then(pl.lit(1)).otherwise(pl.lit(0)).alias("_period")
    )
    sums = tagged.group_by([*keys, "_period"]).agg(pl.col(num).sum(), pl.col(den).sum())
    wide = None
    for period in (0, 1):
        part = sums.filter(pl.col("_period") == period).select(
            *keys, pl.col(num).alias(f"num{period}"), pl.col(den).alias(f"den{period}")
        )
        wide = part if wide is None else wide.join(part, on=keys, how="full", coalesce=True, nulls_equal=True)
    wide = wide.with_columns(pl.col("num0", "den0", "num1", "den1").fill_null(0))
    totals = {name: float(wide[name].sum()) for name in ("num0", "den0", "num1", "den1")}
    if totals["den0"] <= 0 or totals["den1"] <= 0:
        return wide.clear().with_columns(*(pl.lit(None, pl.Float64).alias(c) for c in ("mix", "rate", "total")))
    account_before = totals["num0"] / totals["den0"] * scale
    m0 = pl.when(pl.col("den0") > 0).then(pl.col("num0") * scale / pl.col("den0")).otherwise(account_before)
    m1 = pl.when(pl.col("den1") > 0).then(pl.col("num1") * scale / pl.col("den1")).otherwise(pl.col("m0"))
    return (
        wide.with_columns(
            (pl.col("den0") / totals["den0"]).alias("w0"), (pl.col("den1") / totals["den1"]).alias("w1"),
            m0.alias("m0"),
        )
        .with_columns(m1.alias("m1"))
        .with_columns(
            ((pl.col("w1") - pl.col("w0")) * (pl.col("m0") - account_before)).alias("mix"),
            (pl.col("w1") * (pl.col("m1") - pl.col("m0"))).alias("rate"),
        )
        .with_columns((pl.col("mix") + pl.col("rate")).alias("total"))
        .sort(pl.col("total").abs(), *keys, descending=[True, *([False] * len(keys))], nulls_last=True)
    )


def _funnel_break(kpis_daily: pl.DataFrame, current: Period, previous: Period, keys: list[str]) -> list[str]:
    """Tracking or checkout breaks: purchases fall to (almost) nothing while clicks or checkouts started hold."""
    notes = []
    frame = kpis_daily.filter(_in(current) | _in(previous))
    several = several_accounts(frame)
    group = keys or ["_all"]
    if not keys:
        frame = frame.with_columns(pl.lit("account").alias("_all"))
    # One roll-up of every group in both periods (a day in both periods counts in both, as filtering each would).
    tagged = pl.concat([frame.filter(_in(period)).with_columns(pl.lit(tag).alias("_period"))
                        for tag, period in (("now", current), ("before", previous))])
    by_group: dict[tuple, dict[str, dict]] = {}
    for row in rollup(tagged, [*group, "_period"]).iter_rows(named=True):
        by_group.setdefault(tuple(row[k] for k in group), {})[row["_period"]] = row
    for key in frame.select(group).unique(maintain_order=True).iter_rows():  # first-seen order, as partition_by
        now, before = by_group.get(key, {}).get("now", {}), by_group.get(key, {}).get("before", {})
        if not now or not before or not before.get("purchases") or not now.get("spend"):
            continue
        per_day = {name: ((now.get(name) or 0) / current.days, (before.get(name) or 0) / previous.days)
                   for name in ("link_clicks", "clicks", "purchases", "checkouts")}
        traffic = "link_clicks" if before.get("link_clicks") else "clicks"
        clicks_now, clicks_before = per_day[traffic]
        purchases_now, purchases_before = per_day["purchases"]
        where = "the account" if not keys else f"{LEVEL_WORDS[keys[-1]]} {quoted(key[-1])}" + (
            f" ({account_text(key[0])})" if keys[0] == "account" and several else "")
        clicks_held = clicks_before > 0 and clicks_now >= 0.5 * clicks_before
        # Only flag what chance alone rarely gives: at least 5 purchases expected at the old rate (P(0) < 1%).
        expected = clicks_now * current.days * purchases_before / clicks_before if clicks_before else 0.0
        if expected >= 5 and purchases_now == 0 and clicks_held:
            notes.append(
                f"Tracking check: {where} recorded no purchase in {current.label()} while {traffic.replace('_', ' ')} "
                f"held ({clicks_now:,.0f} a day vs {clicks_before:,.0f}); check the pixel / Conversions API and "
                "the checkout before changing budgets."
            )
            continue
        if not all(figures.get(name) for figures in (before, now) for name in ("checkouts", "link_clicks")):
            continue
        started_now = now["checkouts"] / now["link_clicks"]
        started_before = before["checkouts"] / before["link_clicks"]
        done_now, done_before = now["purchases"] / now["checkouts"], before["purchases"] / before["checkouts"]
        expected = now["checkouts"] * done_before
        if expected >= 10 and done_now < 0.5 * done_before and started_now >= 0.7 * started_before:
            notes.append(
                f"Funnel check: in {where} checkouts started held ({started_now:.1%} of link clicks vs "
                f"{started_before:.1%}) but only {done_now:.0%} of them ended in a purchase ({done_before:.0%} "
                "before): the break is at checkout/payment or in purchase tracking, not in the ads."
            )
    return notes


def explain_change(kpis_daily: pl.DataFrame, current: Period, previous: Period, kpi: str = "roas",
                   currency: str | None = None, top: int = 3) -> Answer:
    """Why `kpi` moved from `previous` to `current`: the exact log split, the top entities (mix vs rate), checks.

    Raises:
        AdlabError: either period has no spend, or the export lacks the columns the KPI needs.
    """
    name = KPI_LABELS.get(kpi, kpi)
    num, den, _ = KPI_FRACTIONS[kpi]
    now, before = _totals(kpis_daily.filter(_in(current))), _totals(kpis_daily.filter(_in(previous)))
    if not now.get("spend") or not before.get("spend"):
        empty = current if not now.get("spend") else previous
        raise AdlabError(f"not enough data: no ad spend in {empty.label()}, so there is nothing to compare. "
                         + CAN_ANSWER)
    if now.get(num) is None or before.get(num) is None or now.get(den) is None:
        raise AdlabError(f"not enough data: the export has no `{num if now.get(num) is None else den}` column, "
                         f"so {name} cannot be computed. " + CAN_ANSWER)
    value_now, value_before = now.get(kpi), before.get(kpi)
    span = "yesterday" if current.days == 1 and current.end == last_day(kpis_daily) else (
        "last week" if current.days == 7 and current.start.isoweekday() == 1 else "")
    span = span or ("on that day" if current.days == 1 else "in that period")
    if not value_before:
        return Answer(f"Not enough data: {name} was n/a in {previous.label()} (no "
                      f"{'purchases' if kpi in PURCHASE_KPIS else den.replace('_', ' ')}), so its change cannot be "
                      "split.", [f"Now ({current.label()}): {name} {kpi_text(kpi, value_now, currency)}."])
    if value_now is None:
        value_now = 0.0
    change = value_now / value_before - 1
    direction = "rose" if change > 0 else "fell" if change < 0 else "did not move"
    headline = (f"{name} {direction} {abs(change):.0%} {span}: {kpi_text(kpi, value_now, currency)} "
                f"{current.phrase()} vs {kpi_text(kpi, value_before, currency)} {previous.phrase()}.")
    sentences = []
    data: dict = {"kpi": kpi, "current": current, "previous": previous, "value_now": value_now,
                  "value_before": value_before}
    terms = log_split(before, now, kpi) if value_now else {}
    if terms and all(term is not None for term in terms.values()):
        total = math.log(value_now / value_before)
        data["terms"], data["log_change"] = terms, total
        ranked = sorted(terms, key=lambda factor: abs(terms[factor]), reverse=True)
        main = ranked[0]
        if len(terms) > 1:
            share = terms[main] / total if total else 0.0
            sentences.append(
                f"Split of the change (log points, summing to {total:+.3f}): "
                + ", ".join(f"{factor.upper()} {terms[factor]:+.3f}" for factor in ranked)
                + f"; {FACTOR_WORDS.get(main, main)} explains {share:.0%} of it "
                f"({kpi_text(main, before.get(main), currency)} -> {kpi_text(main, now.get(main), currency)})."
            )
        data["main_factor"] = main
    elif terms and value_now:
        # Without link clicks (or purchases) some factors are unknown, but their product is what the others leave.
        total = math.log(value_now / value_before)
        known = {factor: term for factor, term in terms.items() if term is not None}
        missing = [factor.upper() for factor, term in terms.items() if term is None]
        rest = total - sum(known.values())
        data["terms"], data["log_change"] = {**known, "rest": rest}, total
        parts = [f"{factor.upper()} {term:+.3f}" for factor, term in known.items()]
        sentences.append(
            f"Split of the change (log points, summing to {total:+.3f}): {', '.join(parts)}, and "
            f"{' x '.join(missing)} together {rest:+.3f} (not separable: no link clicks or no purchases in a period)."
        )
        data["main_factor"] = max(data["terms"], key=lambda factor: abs(data["terms"][factor]))
    elif kpi in KPI_FACTORS:
        sentences.append(f"The change cannot be split into {', '.join(f.upper() for f in KPI_FACTORS[kpi])} "
                         "(no purchases now).")
    spend_change = now["spend"] / current.days / (before["spend"] / previous.days) - 1
    sentences.append(f"Spend was {money_text(now['spend'], currency)} ({spend_change:+.0%} a day vs before).")
    where = contributions(kpis_daily, current, previous, "campaign", kpi).filter(pl.col("campaign").is_not_null())
    delta = value_now - value_before
    data["contributions"] = where
    several = several_accounts(kpis_daily.filter(_in(current) | _in(previous)))
    campaign_of = campaign_naming(several)
    sentences += campaign_sentences(where, delta, top, several, name, den.replace("_", " "),
                                    lambda value: kpi_text(kpi, value, currency))
    if where.height and delta:
        lead = where.row(0, named=True)
        inner = contributions(kpis_daily.filter((pl.col("campaign") == lead["campaign"])
                                                & pl.col("account").eq_missing(lead["account"])),
                              current, previous, "ad", kpi)
        if inner.height > 1:
            ad = inner.row(0, named=True)
            sentences.append(f"Inside {campaign_of(lead)}, ad {quoted(ad['ad'])} moved most "
                             f"({kpi_text(kpi, ad['m0'], currency)} -> {kpi_text(kpi, ad['m1'], currency)}).")
        data["top_campaign"] = lead["campaign"]
    checks = _funnel_break(kpis_daily, current, previous, ["account", "campaign"]) or _funnel_break(
        kpis_daily, current, previous, []
    )
    sentences += checks
    data["checks"] = checks
    return Answer(headline, [" ".join(sentences)], data)


# --------------------------------------------------------------------------- results by type (no purchases)

PURCHASES_UNKNOWN = ("Purchases are unknown (–): the exports have no Purchases column, so ROAS and CPA cannot be "
                     "computed (an Ads Manager export with Purchases and Purchases conversion value would give them).")


def purchases_known(kpis_daily: pl.DataFrame, period: Period | None = None) -> bool:
    """Whether any row (of the period) has purchases exported; an unknown count is never read as 0."""
    frame = kpis_daily if period is None else kpis_daily.filter(_in(period))
    return frame.height > 0 and frame["purchases"].null_count() < frame.height


def cost_text(value: float | None, currency: str | None) -> str:
    """Money as in `money`, `–` when unknown (no result to divide by)."""
    return MISSING if value is None else money_text(value, currency)


def results_in(results_daily: pl.DataFrame | None, period: Period, keys: list[str] | None = None) -> pl.DataFrame:
    """One row per (keys, result type) over the period: spend, results, cost per result; largest spend first."""
    keys = keys or []
    if results_daily is None or results_daily.height == 0:
        return pl.DataFrame(schema={**{k: pl.String for k in keys}, "result_type": pl.String, "spend": pl.Float64,
                                    "results": pl.Float64, "cost_per_result": pl.Float64})
    rolled = rollup_results(results_daily.filter(_in(period)), keys)
    return rolled.sort([*keys, pl.col("spend").fill_null(0.0), "result_type"],
                       descending=[*[False] * len(keys), True, False])


def results_text(rows: pl.DataFrame, currency: str | None) -> str:
    """`16 Leads at 24.66 USD per lead (spend 394.52 USD); 96 Messaging conversations started at ...`."""
    return "; ".join(
        f"{count_text(row['results'])} {row['result_type']} at {cost_text(row['cost_per_result'], currency)} per "
        f"{result_unit(row['result_type'])} (spend {money_text(row['spend'], currency)})"
        for row in rows.iter_rows(named=True)
    )


def result_type_in(question: str, results_daily: pl.DataFrame | None) -> str | None:
    """The result type a question names (`cost per lead` -> Leads); the largest-spend type for `cost per result`."""
    if results_daily is None or results_daily.height == 0:
        return None
    types = (results_daily.group_by("result_type").agg(pl.col("spend").sum())
             .sort("spend", "result_type", descending=[True, False], nulls_last=True)["result_type"].to_list())
    for kind in types:
        unit = result_unit(kind)
        words = [re.escape(kind.lower())] + ([rf"{re.escape(unit.lower())}s?"] if unit != "result" else [])
        if any(re.search(rf"\b{word}\b", question) for word in words):
            return kind
    return types[0] if re.search(r"\bresults?\b", question) else None


def _result_factors(now: dict, before: dict) -> tuple[dict[str, float | None], str]:
    """log(cost per result) change split exactly: CPM - CTR - results per click (link clicks, else all clicks)."""
    clicks = "link_clicks" if now.get("link_clicks") and before.get("link_clicks") else "clicks"

    def log_ratio(num: str, den: str) -> float | None:
        old = before[num] / before[den] if before.get(num) and before.get(den) else None
        new = now[num] / now[den] if now.get(num) and now.get(den) else None
        return math.log(new / old) if old and new else None

    cpm, ctr, per_click = log_ratio("spend", "impressions"), log_ratio(clicks, "impressions"), log_ratio(
        "results", clicks)
    terms = {"CPM": cpm, "CTR" if clicks == "link_clicks" else "CTR (all clicks)": None if ctr is None else -ctr,
             "results per click": None if per_click is None else -per_click}
    return terms, clicks


def explain_results_change(results_daily: pl.DataFrame | None, current: Period, previous: Period,
                           result_type: str, currency: str | None = None, top: int = 3, note: str = "",
                           span: str = "", asked: str = "") -> Answer:
    """Why the cost per result of one result type moved: the exact CPM / CTR / results-per-click split, then
    the campaigns that drove it (mix vs rate), then the account's other result types. Types are never mixed.

    `asked` names the KPI the question was about when it is unknown (ROAS): the headline says so first.

    Raises:
        AdlabError: no spend on that result type in either period.
    """
    unit = result_unit(result_type)
    label = f"Cost per {unit}"
    rows = (results_daily if results_daily is not None else pl.DataFrame()).filter(
        pl.col("result_type") == result_type)
    now = results_in(rows, current).row(0, named=True) if rows.filter(_in(current)).height else {}
    before = results_in(rows, previous).row(0, named=True) if rows.filter(_in(previous)).height else {}
    if not now.get("spend") or not before.get("spend"):
        empty = current if not now.get("spend") else previous
        raise AdlabError(f"not enough data: no spend on {result_type} in {empty.label()}, so there is nothing to "
                         "compare. " + CAN_ANSWER)
    lead = [note] if note else []
    value_now, value_before = now.get("cost_per_result"), before.get("cost_per_result")
    counts = (f"{count_text(now['results'])} vs {count_text(before['results'])} {result_type} on "
              f"{money_text(now['spend'], currency)} vs {money_text(before['spend'], currency)} spend")
    data: dict = {"kpi": "cost_per_result", "result_type": result_type, "current": current, "previous": previous,
                  "value_now": value_now, "value_before": value_before}
    if value_now is None or value_before is None:
        which = current if value_now is None else previous
        return Answer(f"Not enough data: no {result_type} in {which.label()}, so cost per {unit} is {MISSING} there "
                      f"and its change cannot be split ({counts}).", lead, data)
    change = value_now / value_before - 1
    direction = "rose" if change > 0 else "fell" if change < 0 else "did not move"
    span = span or ("in that period" if current.days > 1 else "on that day")
    headline = (f"{label} {direction} {abs(change):.0%} {span}: {money_text(value_now, currency)} "
                f"{current.phrase()} vs {money_text(value_before, currency)} {previous.phrase()} ({counts}).")
    if asked:
        headline = f"{asked} is unknown ({MISSING}: no purchases exported); {label.lower()} {headline[len(label) + 1:]}"
    sentences = []
    terms, clicks = _result_factors(now, before)
    total = math.log(value_now / value_before)
    known = {name: term for name, term in terms.items() if term is not None}
    data["terms"], data["log_change"] = known, total
    if known:
        rest = total - sum(known.values())
        parts = [f"{name} {term:+.3f}" for name, term in sorted(known.items(), key=lambda kv: -abs(kv[1]))]
        missing = [name for name, term in terms.items() if term is None]
        if missing:
            parts.append(f"{' x '.join(missing)} together {rest:+.3f} (no {clicks.replace('_', ' ')} exported)")
        main = max(known, key=lambda name: abs(known[name]))
        share = known[main] / total if total else 0.0
        sentences.append(f"Split of the change (log points, summing to {total:+.3f}): {', '.join(parts)}; {main} "
                         f"explains {share:.0%} of it (cost per {unit} = CPM / 1000 / CTR / results per click).")
        data["main_factor"] = main
    fraction = RESULT_FRACTIONS["cost_per_result"]
    where = contributions(rows, current, previous, "campaign", "cost_per_result", fraction).filter(
        pl.col("campaign").is_not_null())
    delta = value_now - value_before
    data["contributions"] = where
    several = several_accounts(rows.filter(_in(current) | _in(previous)))
    sentences += campaign_sentences(where, delta, top, several, f"cost per {unit}", result_type,
                                    lambda value: money_text(value, currency))
    others = results_in(results_daily, current).filter(pl.col("result_type") != result_type)
    if others.height:
        sentences.append(f"Other result types {current.phrase()} (never added to {result_type}): "
                         f"{results_text(others, currency)}.")
    return Answer(headline, [*lead, " ".join(sentences)], data)


def _span(kpis_daily: pl.DataFrame, current: Period) -> str:
    if current.days == 1 and current.end == last_day(kpis_daily):
        return "yesterday"
    return "last week" if current.days == 7 and current.start.isoweekday() == 1 else ""


# --------------------------------------------------------------------------- best for a segment

GENDER_WORDS = {"women": "female", "woman": "female", "female": "female", "females": "female", "ladies": "female",
                "men": "male", "man": "male", "male": "male", "males": "male"}
PLATFORM_WORDS = {"instagram": "instagram", "facebook": "facebook", "messenger": "messenger",
                  "audience network": "audience_network", "threads": "threads"}
SEGMENT_BREAKDOWN = {"age": "age_gender", "gender": "age_gender", "publisher_platform": "placement",
                     "placement": "placement"}
BREAKDOWN_EXPORT = {"age_gender": "an Age x Gender breakdown export (Ads Manager: Breakdown > By delivery > Age "
                                  "and Gender, by day)",
                    "placement": "a Platform x Placement breakdown export (Breakdown > By delivery > Platform and "
                                 "Placement, by day)"}


def segment_text(segment: dict[str, str]) -> str:
    """`women aged 25-34`, `on instagram`, `everyone`."""
    words = []
    gender = segment.get("gender")
    if gender:
        words.append({"female": "women", "male": "men"}.get(gender, gender))
    if segment.get("age"):
        words.append(f"{'aged ' if words else 'people aged '}{segment['age']}")
    for dim in ("publisher_platform", "placement"):
        if segment.get(dim):
            words.append(f"on {segment[dim].replace('_', ' ').title()}")
    return " ".join(words) or "everyone"


def segment_rows(ad_insights: pl.DataFrame, segment: dict[str, str], days: int) -> tuple[pl.DataFrame, Period]:
    """Daily breakdown rows of `segment` (e.g. {"gender": "female", "age": "25-34"}) in the export's last `days`.

    One attribution setting per (date, entity) (the first by name), daily rows only.

    Raises:
        AdlabError: no breakdown export holds the segment's dimensions.
    """
    needed = sorted({SEGMENT_BREAKDOWN[dim] for dim in segment})
    rows = ad_insights.filter(
        (pl.col("breakdown") != "none")
        & pl.all_horizontal(pl.col("breakdown").str.contains(name, literal=True) for name in needed)
        & (pl.col("window_start").is_null() | (pl.col("window_start") == pl.col("date")))
    )
    if rows.height == 0:
        exports = " and ".join(BREAKDOWN_EXPORT.get(name, name) for name in needed)
        raise AdlabError(f"cannot rank ads for {segment_text(segment)}: that needs {exports}, and none is in the "
                         "data. " + CAN_ANSWER)
    # One attribution setting per (date, entity), the first by name (as the totals): not one for the account,
    # which would leave out every campaign set to another window.
    attribution = pl.col("attribution_setting").fill_null("")
    rows = rows.filter(attribution == attribution.min().over("date", "platform_source", *ENTITY))
    # An account-level breakdown beside an ad-level one describes the same spend: the finest level only.
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8)
    rows = rows.filter(finest_level(rank, ["date", "platform_source", "account"]))
    end = rows["date"].max()
    period = Period(max(rows["date"].min(), end - dt.timedelta(days=days - 1)), end)
    matches = pl.all_horizontal(
        pl.col(dim).str.to_lowercase().str.replace_all(r"[\s_]+", " ") == value.lower().replace("_", " ")
        for dim, value in segment.items()
    )
    return rows.filter(_in(period) & matches), period


def best_performers(frame: pl.DataFrame, level: str, kpi: str, min_spend: float, min_purchases: int) -> pl.DataFrame:
    """One row per entity at `level` with sums and KPIs, `enough_data` (the volume gate), best first."""
    keys = list(LEVELS[level])
    rolled = rollup(frame, keys)
    gate = pl.col("spend") >= min_spend
    if kpi in PURCHASE_KPIS:
        gate = gate & (pl.col("purchases").fill_null(0) >= min_purchases)
    return rolled.with_columns(gate.fill_null(False).alias("enough_data")).sort(
        pl.col("enough_data"), pl.col(kpi).is_not_null(), kpi, *keys,
        descending=[True, True, kpi not in LOWER_IS_BETTER, *([False] * len(keys))], nulls_last=True,
    )


def best_for_segment(kpis_daily: pl.DataFrame, ad_insights: pl.DataFrame | None, segment: dict[str, str],
                     params: Params, level: str = "ad", kpi: str = "roas", currency: str | None = None,
                     results_daily: pl.DataFrame | None = None) -> Answer:
    """Which ad (ad set, campaign) performs best for a segment, by `kpi`, with a minimum-volume gate.

    Without a segment the whole account's last `recommend.lookback_days` days
    are ranked; with one, the last `recommend.answer_days` days of the
    breakdown export that holds it. `recommend.segment_min_spend` is a USD
    amount, scaled into the account currency (currency.gate_amount). A purchase
    KPI of an account whose purchases are unknown ranks by cost per result of
    its main result type (`results_daily`) and says so.
    """
    settings = params.recommend
    min_spend = gate_amount(settings.segment_min_spend, currency)
    if segment:
        frame, period = segment_rows(ad_insights if ad_insights is not None else pl.DataFrame(), segment,
                                     settings.answer_days)
    else:
        end = last_day(kpis_daily)
        period = Period(end - dt.timedelta(days=settings.lookback_days - 1), end)
        frame = kpis_daily.filter(_in(period))
        if kpi in PURCHASE_KPIS and not purchases_known(frame) and results_in(results_daily, period).height:
            return best_by_results(results_daily, level, period, params, KPI_LABELS.get(kpi, kpi), currency)
    who = segment_text(segment)
    name = KPI_LABELS.get(kpi, kpi)
    word = LEVEL_WORDS[level]
    num, den, _ = KPI_FRACTIONS[kpi]
    if (segment and kpi in PURCHASE_KPIS and frame.height and frame["purchases"].is_null().all()
            and frame["result_type"].is_not_null().any()):
        # Purchases unknown (a leads account): rank the segment's rows by cost per result, as without a segment.
        typed = typed_rows(frame.lazy(), ["platform_source", *ENTITY]).collect()
        return best_by_results(typed, level, period, params, KPI_LABELS.get(kpi, kpi), currency, who)
    if frame.height == 0 or frame[num].is_null().all() or frame[den].is_null().all():
        missing = num if frame.height and frame[num].is_null().all() else den
        why = f"the export has no {missing.replace('_', ' ')}" if frame.height else "no rows for it"
        return Answer(f"Not enough data: cannot rank {word}s by {name} for {who} ({why}, {period.label()}).",
                      ["Export the breakdown with purchases and purchase value (or ask by CTR or CPM)."])
    if frame[level].is_null().all():
        # A breakdown export without the level's names (account level): the segment's figures, no ranking.
        overall = _totals(frame)
        return Answer(
            f"Not enough data: the breakdown export names no {word}s (it was exported at account level), so "
            f"{word}s cannot be ranked for {who}; {who} overall: {name} {kpi_text(kpi, overall.get(kpi), currency)} "
            f"on {money_text(overall.get('spend'), currency)} spend ({period.label()}).",
            [f"Export the breakdown at {word} level to rank them."])
    ranked = best_performers(frame.filter(pl.col(level).is_not_null()), level, kpi, min_spend,
                             settings.segment_min_purchases)
    eligible = ranked.filter(pl.col("enough_data") & pl.col(kpi).is_not_null())
    several = several_accounts(frame)
    overall = _totals(frame)
    gate = f"at least {money_text(min_spend, currency)} spend" + (
        f" and {settings.segment_min_purchases} purchases" if kpi in PURCHASE_KPIS else "")
    short = f"less than {money_text(min_spend, currency)} spend" + (
        f" or fewer than {settings.segment_min_purchases} purchases" if kpi in PURCHASE_KPIS else "")
    if eligible.height == 0:
        biggest = ranked.sort("spend", descending=True).row(0, named=True)
        return Answer(
            f"Not enough data: no {word} has {gate} with {who} in {period.label()}.",
            [f"The biggest is {entity_label(level, biggest, several)}: {money_text(biggest['spend'], currency)} spend, "
             f"{whole_text(biggest.get('purchases'))} purchases, {name} {kpi_text(kpi, biggest.get(kpi), currency)}."],
        )
    best = eligible.row(0, named=True)
    lines = [
        f"Period: {period.label()} ({'breakdown export' if segment else 'all ads'}); {who} overall: {name} "
        f"{kpi_text(kpi, overall.get(kpi), currency)} on {money_text(overall.get('spend'), currency)} spend.",
    ]
    for rank, row in enumerate(eligible.head(3).iter_rows(named=True), start=1):
        lines.append(
            f"{rank}. {entity_label(level, row, several)}: {name} {kpi_text(kpi, row.get(kpi), currency)}, spend "
            f"{money_text(row['spend'], currency)}, {whole_text(row.get('purchases'))} purchases, CPA "
            f"{kpi_text('cpa', row.get('cpa'), currency)}."
        )
    thin = ranked.height - eligible.height
    if thin:
        lines.append(f"{thin} other {word}(s) had {short} there and were left out as too thin to rank.")
    if segment and level == "ad":
        rest = kpis_daily.filter(_in(period) & pl.col("account").eq_missing(best["account"])
                                 & (pl.col("campaign") == best["campaign"])
                                 & (pl.col("adset") == best["adset"]) & (pl.col("ad") == best["ad"]))
        everyone = _totals(rest)
        if everyone.get(kpi) is not None:
            lines.append(f"Across all audiences the same ad made {name} {kpi_text(kpi, everyone.get(kpi), currency)} "
                         "in that period.")
    owner = f" ({account_text(best['account'])})" if several else ""
    headline = (f"Best {word} for {who}: {quoted(best[level])}{owner} with {name} "
                f"{kpi_text(kpi, best.get(kpi), currency)} on {money_text(best['spend'], currency)} spend "
                f"({whole_text(best.get('purchases'))} purchases, {period.label()}).")
    return Answer(headline, lines, {"ranked": ranked, "best": best, "period": period})


def best_by_results(results_daily: pl.DataFrame, level: str, period: Period, params: Params, asked: str,
                    currency: str | None = None, who: str = "") -> Answer:
    """The best entities at `level` by cost per result of the account's main result type over the period.

    The gate: at least `segment_min_spend` (USD, scaled into the account currency) spend and
    `segment_min_purchases` results of that type. `who` names the segment when the rows are a breakdown's.
    """
    settings = params.recommend
    keys = list(LEVELS[level])
    account = results_in(results_daily, period)
    kind = account["result_type"][0]
    unit, word = result_unit(kind), LEVEL_WORDS[level]
    rows = results_in(results_daily.filter(pl.col("result_type") == kind), period, keys).filter(
        pl.col(level).is_not_null())
    min_spend = gate_amount(settings.segment_min_spend, currency)
    enough = (pl.col("spend") >= min_spend) & (pl.col("results") >= settings.segment_min_purchases)
    eligible = rows.filter(enough & pl.col("cost_per_result").is_not_null()).sort(
        "cost_per_result", *keys, nulls_last=True)
    overall = account.row(0, named=True)
    unknown = f"{asked} is unknown ({MISSING}: no purchases exported), so {word}s are ranked by cost per {unit}"
    lines = [
        f"Period: {period.label()} ({'breakdown export; ' + who if who else 'all ads'}); {kind} overall: "
        f"{count_text(overall['results'])} at "
        f"{cost_text(overall['cost_per_result'], currency)} per {unit} on "
        f"{money_text(overall['spend'], currency)} spend.",
    ]
    if eligible.height == 0:
        return Answer(f"Not enough data: {unknown}, and no {word} has at least "
                      f"{money_text(min_spend, currency)} spend and {settings.segment_min_purchases} "
                      f"{kind} in {period.label()}.", [*lines, PURCHASES_UNKNOWN])
    several = several_accounts(rows)
    for rank, row in enumerate(eligible.head(3).iter_rows(named=True), start=1):
        lines.append(f"{rank}. {entity_label(level, row, several)}: {cost_text(row['cost_per_result'], currency)} "
                     f"per {unit}, {count_text(row['results'])} {kind} on {money_text(row['spend'], currency)} spend.")
    thin = rows.height - eligible.height
    if thin:
        lines.append(f"{thin} other {word}(s) had less than {money_text(min_spend, currency)} spend or "
                     f"fewer than {settings.segment_min_purchases} {kind} and were left out as too thin to rank.")
    others = account.slice(1)
    if others.height:
        lines.append(f"Other result types (never added to {kind}): {results_text(others, currency)}.")
    lines.append(PURCHASES_UNKNOWN)
    best = eligible.row(0, named=True)
    headline = (f"Best {word}{' for ' + who if who else ''}: {quoted(best[level])} with "
                f"{cost_text(best['cost_per_result'], currency)} per {unit} "
                f"on {money_text(best['spend'], currency)} spend ({count_text(best['results'])} {kind}, "
                f"{period.label()}); {unknown}.")
    return Answer(headline, lines, {"ranked": eligible, "best": best, "period": period, "result_type": kind})


# --------------------------------------------------------------------------- verdicts and recommendations


@dataclass(frozen=True)
class Judgement:
    """One action for one entity, with its reason, confidence and the figures behind it."""

    action: str
    reason: str
    confidence: float | None
    figures: dict


def judge(figures: dict, params: Params, fatigue: dict | None = None, account_aov: float | None = None) -> Judgement:
    """The action for an entity from its summed figures over the judged period (DESIGN 5).

    Order: stop-loss without a purchase (spend >= k x target CPA) -> refresh
    creative (fatigue) -> stop-loss on ROAS (credibly below break-even) ->
    scale (ROAS credibly above target with enough purchases) -> wait (too
    little data) -> keep.
    """
    targets, settings = params.targets, params.recommend
    spend = figures.get("spend") or 0.0
    if figures.get("purchases") is None:
        return Judgement("wait", "the export has no purchases, so spend cannot be judged against CPA or ROAS "
                         "targets; export with purchases and purchase value", None,
                         {**figures, "p_roas_above_target": None, "p_roas_below_breakeven": None})
    purchases = figures.get("purchases") or 0
    # Purchases without a conversion value (no value or ROAS column): ROAS is unknown, not 0, so no ROAS rule.
    value_known = figures.get("purchase_value") is not None
    value = figures.get("purchase_value") or 0.0
    breakeven = targets.breakeven_roas
    above = prob_roas_above(targets.roas, purchases, value, spend, account_aov) if value_known else None
    below = None if not value_known or (p := prob_roas_above(breakeven, purchases, value, spend, account_aov)) is None \
        else 1 - p
    figures = {**figures, "p_roas_above_target": above, "p_roas_below_breakeven": below}
    stop_loss = settings.stop_loss_cpa_multiple * targets.cpa
    if purchases == 0 and spend >= stop_loss:
        return Judgement("pause", f"spent {spend:,.2f} (>= {settings.stop_loss_cpa_multiple:g} x target CPA "
                         f"{targets.cpa:g}) without a single purchase", prob_cpa_above(targets.cpa, 0, spend), figures)
    if fatigue and fatigue.get("fatigued"):
        # Fatigue explains a falling ROAS: a new creative is the fix, not switching the audience off.
        return Judgement("refresh_creative", f"creative fatigue: {fatigue['fatigue_evidence']}",
                         fatigue.get("p_ctr_fell"), figures)
    if purchases > 0 and below is not None and below >= settings.confidence:
        return Judgement("pause", f"ROAS {value / spend:.2f} is credibly below break-even {breakeven:.2f}", below,
                         figures)
    if purchases >= settings.min_purchases and above is not None and above >= settings.confidence:
        return Judgement("scale", f"ROAS {value / spend:.2f} is credibly above target {targets.roas:g} on "
                         f"{purchases} purchases; raise the budget by at most {settings.max_budget_step:.0%}",
                         above, figures)
    if purchases < settings.min_purchases and spend < stop_loss:
        return Judgement("wait", f"too little data so far ({purchases} purchases on {spend:,.2f} spend)",
                         None if below is None else 1 - below, figures)
    if not value_known:
        cpa = f"CPA {spend / purchases:,.2f} vs target {targets.cpa:g}" if purchases else "no purchase yet"
        return Judgement("keep", f"{cpa}; ROAS {MISSING} (the export has no purchase conversion value)", None, figures)
    roas = value / spend if spend else 0.0
    return Judgement("keep", f"ROAS {roas:.2f} is between break-even {breakeven:.2f} and target {targets.roas:g}, "
                     "or not yet credibly outside it", None if below is None else 1 - below, figures)


def judge_results(figures: dict, benchmark: float | None, params: Params, fatigue: dict | None = None,
                  share: float | None = None) -> Judgement:
    """The action for an entity whose purchases are unknown, from its results of one type (DESIGN 5).

    `figures` holds the entity's summed `spend`, `results` and `result_type`; `benchmark` is the account's
    cost per result of that type over the same days (no target exists for it), of which the entity holds
    `share` of the spend (at 90% or more it is the benchmark itself: nothing to compare). Results are Poisson in spend
    (the Gamma posterior of prob_cpa_above). Order: stop-loss without a result (spend >= k x the account's
    cost per result) -> refresh creative -> pause (credibly above result_cost_multiple x the account's) ->
    scale (credibly below the account's, with enough results) -> wait -> keep.
    """
    settings = params.recommend
    spend, results = figures.get("spend") or 0.0, figures.get("results") or 0.0
    kind = figures.get("result_type") or "results"
    unit = result_unit(kind)
    if not benchmark:
        return Judgement("wait", f"the account had no {kind} in these days to compare cost per {unit} with", None,
                         figures)
    stop_loss = settings.stop_loss_cpa_multiple * benchmark
    ceiling = settings.result_cost_multiple * benchmark
    p_above = prob_cpa_above(ceiling, results, spend)
    p_below = None if (p := prob_cpa_above(benchmark, results, spend)) is None else 1 - p
    figures = {**figures, "benchmark": benchmark, "p_cost_above_ceiling": p_above, "p_cost_below_account": p_below}
    versus = f"the account's {benchmark:,.2f}"
    if results == 0 and spend >= stop_loss:
        return Judgement("pause", f"spent {spend:,.2f} (>= {settings.stop_loss_cpa_multiple:g} x {versus} per {unit}) "
                         f"without a single {unit}", prob_cpa_above(benchmark, 0, spend), figures)
    if fatigue and fatigue.get("fatigued"):
        return Judgement("refresh_creative", f"creative fatigue: {fatigue['fatigue_evidence']}",
                         fatigue.get("p_ctr_fell"), figures)
    cost = spend / results if results else None
    if share is not None and share >= 0.9:
        shown = MISSING if cost is None else f"{cost:,.2f}"
        return Judgement("keep", f"it is {share:.0%} of the account's spend on {kind}, so its cost per {unit} "
                         f"({shown}) is the account's own: weigh it against what one {unit} is worth to you", None,
                         figures)
    if cost is not None and p_above is not None and p_above >= settings.confidence:
        return Judgement("pause", f"cost per {unit} {cost:,.2f} is credibly above {settings.result_cost_multiple:g} x "
                         f"{versus}", p_above, figures)
    if cost is not None and results >= settings.min_purchases and p_below is not None \
            and p_below >= settings.confidence:
        return Judgement("scale", f"cost per {unit} {cost:,.2f} is credibly below {versus} on {count_text(results)} "
                         f"{kind}; raise the budget by at most {settings.max_budget_step:.0%}", p_below, figures)
    if results < settings.min_purchases and spend < stop_loss:
        return Judgement("wait", f"too little data so far ({count_text(results)} {kind} on {spend:,.2f} spend)",
                         None, figures)
    shown = MISSING if cost is None else f"{cost:,.2f}"
    return Judgement("keep", f"cost per {unit} {shown} is within {settings.result_cost_multiple:g} x {versus} and "
                     "not credibly below it", None, figures)


def _window_of(frame: pl.DataFrame, end: dt.date, days: int) -> Period:
    return Period(end - dt.timedelta(days=days - 1), end)


def _ad_frequency(frame: pl.DataFrame) -> float | None:
    """Average daily frequency of one ad's rows: impressions / reach over the days with reach."""
    reached = frame.filter(pl.col("reach").is_not_null())
    if reached.height == 0:
        return None
    sums = reached.select(pl.col("impressions").sum(), pl.col("reach").sum())
    return sums.select(ratio("impressions", "reach")).item()


def _frequencies(frame: pl.DataFrame, keys: list[str]) -> dict[tuple, float | None]:
    """`_ad_frequency` of every group of `keys` at once; groups without a row with reach are absent."""
    sums = (
        frame.lazy()
        .filter(pl.col("reach").is_not_null())
        .group_by(keys)
        .agg(pl.col("impressions").sum(), pl.col("reach").sum())
        .select(*keys, ratio("impressions", "reach").alias("frequency"))
        .collect()
    )
    return {tuple(row[:-1]): row[-1] for row in sums.iter_rows()}


def recommendations(kpis_daily: pl.DataFrame, params: Params, fatigue: pl.DataFrame | None = None,
                    results_daily: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per ad set and ad that spent in the last `recommend.lookback_days` days: action, reason, evidence.

    `action` is pause, scale, refresh_creative, keep or wait; `confidence` is
    the posterior probability behind it; `budget_change` the suggested step
    (+max_budget_step for scale, -1 for pause). Rows sorted by level, account, campaign,
    ad set, ad. An entity whose purchases are unknown is judged by the cost per result of its main result
    type in `results_daily` (judge_results); `result_type`, `results` and `cost_per_result` say which.
    Each entity is judged against its own account's AOV and cost per result; with several accounts an
    `account` column (second) says whose entity it is, with one it is left out.
    """
    schema = {"level": pl.String, "account": pl.String, "entity": pl.String, "campaign": pl.String,
              "adset": pl.String, "ad": pl.String,
              "action": pl.String, "reason": pl.String, "confidence": pl.Float64, "budget_change": pl.Float64,
              "spend": pl.Float64, "purchases": pl.Int64, "purchase_value": pl.Float64, "roas": pl.Float64,
              "cpa": pl.Float64, "ctr": pl.Float64, "frequency": pl.Float64, "p_roas_above_target": pl.Float64,
              "p_roas_below_breakeven": pl.Float64, "period_start": pl.Date, "period_end": pl.Date,
              "result_type": pl.String, "results": pl.Float64, "cost_per_result": pl.Float64}
    several = several_accounts(kpis_daily)
    if kpis_daily.height == 0:
        return pl.DataFrame(schema=schema).drop("account")
    end = last_day(kpis_daily)
    period = _window_of(kpis_daily, end, params.recommend.lookback_days)
    window = kpis_daily.filter(_in(period))
    # Benchmarks are each account's own: one client's AOV or cost per lead says nothing about another's.
    owners = window["account"].unique().to_list()
    account_aov = {owner: _totals(window.filter(pl.col("account").eq_missing(owner))).get("aov") for owner in owners}
    account_results = {owner: results_in(None if results_daily is None else results_daily.filter(
        pl.col("account").eq_missing(owner)), period) for owner in owners}
    # judge() reads an ad's fatigue only when it is fatigued: the other ads need no entry.
    fatigue_by_ad = {} if fatigue is None else {
        tuple(row[k] for k in ENTITY): row for row in fatigue.filter(pl.col("fatigued")).iter_rows(named=True)
    }
    rows = []
    for level in ("adset", "ad"):
        keys = list(LEVELS[level])
        # One roll-up (and one frequency pass) per level; then each entity's row is judged on its own.
        frequencies = _frequencies(window, keys) if level == "ad" else {}
        # Only the figures judge() and the table read (a row of every KPI costs more to build than to judge).
        figures = rollup(window, keys).select(*keys, "spend", "purchases", "purchase_value", "roas", "cpa", "ctr")
        main_results = _main_results(results_daily, period, keys)
        for totals in figures.iter_rows(named=True):
            if not totals.get("spend"):
                continue
            key = tuple(totals[k] for k in keys)
            frequency = frequencies.get(key) if level == "ad" else None
            main = main_results.get(key)
            main = main if by_results(totals.get("purchases"), main) else None
            if main is not None:
                same = account_results[totals["account"]].filter(pl.col("result_type") == main["result_type"])
                benchmark, total = (same["cost_per_result"][0], same["spend"][0]) if same.height else (None, None)
                verdict = judge_results(main, benchmark, params, fatigue_by_ad.get(key) if level == "ad" else None,
                                        main["spend"] / total if total else None)
            else:
                verdict = judge({**totals, "frequency": frequency}, params,
                                fatigue_by_ad.get(key) if level == "ad" else None, account_aov[totals["account"]])
            names = dict(zip(keys, key, strict=True))
            rows.append({
                "level": level, "account": names["account"], "entity": names[level], "campaign": names["campaign"],
                "adset": names["adset"],
                "ad": names.get("ad"), "action": verdict.action, "reason": verdict.reason,
                "confidence": None if verdict.confidence is None else round(verdict.confidence, 4),
                "budget_change": params.recommend.max_budget_step if verdict.action == "scale"
                else -1.0 if verdict.action == "pause" else 0.0,
                "spend": round(totals["spend"], 2), "purchases": totals.get("purchases"),
                "purchase_value": None if totals.get("purchase_value") is None else round(totals["purchase_value"], 2),
                **{name: None if totals.get(name) is None else round(totals[name], 6)
                   for name in ("roas", "cpa", "ctr")},
                "frequency": None if frequency is None else round(frequency, 4),
                "p_roas_above_target": _round(verdict.figures.get("p_roas_above_target")),
                "p_roas_below_breakeven": _round(verdict.figures.get("p_roas_below_breakeven")),
                "period_start": period.start, "period_end": period.end,
                "result_type": None if main is None else main["result_type"],
                "results": None if main is None else main["results"],
                "cost_per_result": None if main is None or main["cost_per_result"] is None
                else round(main["cost_per_result"], 6),
            })
    table = pl.DataFrame(rows, schema=schema).sort("level", "account", "campaign", "adset", "ad", nulls_last=True)
    return table if several else table.drop("account")


def by_results(purchases: int | None, main: dict | None) -> bool:
    """Whether an entity is judged by the cost per result of its main result type instead of by purchases.

    When its purchases are unknown, and when its spend went mostly to another objective (leads, messaging,
    traffic): a leads campaign of an account that also sells has 0 purchases in the export, which is no
    reason to pause it.
    """
    return main is not None and (purchases is None or "purchase" not in (main["result_type"] or "").lower())


def _main_results(results_daily: pl.DataFrame | None, period: Period, keys: list[str]) -> dict[tuple, dict]:
    """Per entity (`keys`), the results row of its largest-spend result type over the period."""
    rows = results_in(results_daily, period, keys)
    main: dict[tuple, dict] = {}
    for row in rows.iter_rows(named=True):
        main.setdefault(tuple(row[k] for k in keys), row)
    return main


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with text cells starting with =, +, -, @ prefixed by `'` (spreadsheet formula injection).

    Numeric columns stay numeric: a negative number is a number, not a formula.
    """
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(r"^[=+\-@]")).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String
    )


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


def verdict(kpis_daily: pl.DataFrame, name: str, params: Params, level: str | None = None,
            fatigue: pl.DataFrame | None = None, currency: str | None = None,
            results_daily: pl.DataFrame | None = None, name_account: bool = False) -> Answer:
    """Pause / Scale / Keep / Refresh creative / Wait for one named entity, with its evidence.

    Judged on its last `recommend.lookback_days` days of delivery (ending on the
    last day in the data, or on its own last day with spend if it stopped).
    Where purchases are unknown, by its results (`results_daily`) instead: see
    judge_results. A name found in several accounts gets one verdict per account
    (each against its own account's figures), never one for the merged rows; with
    several accounts in the data the label names the account (`name_account` forces it).
    """
    level, exact = find_entity(kpis_daily, name, level)
    rows = kpis_daily.filter(pl.col(level) == exact)
    if several_accounts(kpis_daily):  # judged within its account(s): benchmarks are the account's own
        return _verdict_per_account(kpis_daily, level, exact, params, fatigue, currency, results_daily)
    spent = rows.filter(pl.col("spend") > 0)
    end_all = last_day(kpis_daily)
    if spent.height == 0:
        return Answer(f"Wait: {LEVEL_WORDS[level]} {quoted(exact)} has not spent anything in the data.", [])
    own_end = spent["date"].max()
    days = params.recommend.lookback_days
    period = _window_of(rows, own_end, days)
    # The days before, as far back as the data goes (a trend never claims days no export covers).
    before = Period(max(period.start - dt.timedelta(days=days), kpis_daily["date"].min()),
                    period.start - dt.timedelta(days=1))
    totals = _totals(rows.filter(_in(period)))
    earlier = _totals(rows.filter(_in(before)))
    parents = rows.select(LEVELS[level][:-1]).unique().sort(LEVELS[level][:-1]) if level != "campaign" else None
    fatigue_row = None
    if level == "ad" and fatigue is not None:
        matched = fatigue.filter(pl.col("ad") == exact).sort("ctr_change", nulls_last=True)
        fatigue_row = matched.row(0, named=True) if matched.height else None
    frequency = _ad_frequency(rows.filter(_in(period))) if level == "ad" else None
    account_aov = _totals(kpis_daily.filter(_in(_window_of(kpis_daily, end_all, days)))).get("aov")
    judged = judge({**totals, "frequency": frequency}, params, fatigue_row, account_aov)
    targets = params.targets
    label = f"{LEVEL_WORDS[level]} {quoted(exact)}"
    if parents is not None and parents.height == 1:
        label += f" ({LEVEL_WORDS[parents.columns[-1]]} {quoted(parents.row(0)[-1])})"
    elif parents is not None:
        label += f" (in {parents.height} {LEVEL_WORDS[parents.columns[-1]]}s)"
    if name_account:
        label += f" in {account_text(rows['account'][0])}"
    if results_daily is not None:
        mine = results_in(results_daily.filter(pl.col(level) == exact), period)
        if mine.height and by_results(totals.get("purchases"), mine.row(0, named=True)):
            return _verdict_by_results(mine, results_in(results_daily, period), label, period, params, fatigue_row,
                                       currency, {"level": level, "entity": exact, "own_end": own_end,
                                                  "end_all": end_all, "purchases": totals.get("purchases")})
    action = ACTIONS[judged.action]
    confidence = "" if judged.confidence is None else f" (confidence {judged.confidence:.0%})"
    headline = f"{action}: {label}: {judged.reason}{confidence}."
    lines = [
        f"Period: {period.label()} ({days} days{' of its delivery' if own_end < end_all else ''}).",
        f"Spend {money_text(totals['spend'], currency)}, "
        f"{'purchases unknown' if totals.get('purchases') is None else whole_text(totals['purchases']) + ' purchases'}"
        ", "
        "purchase value "
        f"{money_text(totals.get('purchase_value'), currency)}; CPA {kpi_text('cpa', totals.get('cpa'), currency)} vs "
        f"target {money_text(targets.cpa, currency)}.",
        f"ROAS {kpi_text('roas', totals.get('roas'), currency)} vs target {targets.roas:.2f} and break-even "
        f"{targets.breakeven_roas:.2f}: P(ROAS > target) {share_text(judged.figures['p_roas_above_target'])}, "
        f"P(ROAS < break-even) {share_text(judged.figures['p_roas_below_breakeven'])}.",
    ]
    if totals.get("purchases") is None:  # one line says what is unknown and why, instead of a row of dashes
        lines[1:] = [f"Spend {money_text(totals['spend'], currency)}; purchases, purchase value, ROAS and CPA "
                     f"{MISSING} (unknown, not 0)."]
    if earlier.get("spend"):
        lines.append(f"Trend: ROAS {kpi_text('roas', earlier.get('roas'), currency)} in the {before.days} days before "
                     f"({before.label()}), link CTR {kpi_text('ctr', earlier.get('ctr'), currency)} -> "
                     f"{kpi_text('ctr', totals.get('ctr'), currency)}.")
    if frequency is not None:
        lines.append(f"Average daily frequency {frequency:.2f}.")
    if results_daily is not None:
        # Other objectives (traffic, leads) of an entity judged on purchases: their results, each type apart.
        mine = results_in(results_daily.filter(pl.col(level) == exact), period).filter(
            ~is_purchase_type("result_type"))
        if mine.height:
            lines.append(f"Results by type: {results_text(mine, currency)}.")
    lines += next_step_lines(judged.action, totals["spend"], period, own_end, end_all, params, currency)
    return Answer(headline, lines, {"action": judged.action, "level": level, "entity": exact, "period": period,
                                    "figures": judged.figures})


def _verdict_per_account(kpis_daily: pl.DataFrame, level: str, exact: str, params: Params,
                         fatigue: pl.DataFrame | None, currency: str | None,
                         results_daily: pl.DataFrame | None) -> Answer:
    """One verdict per account holding a campaign, ad set or ad called `exact` (same names, separate entities),
    each from that account's rows only; the verdict itself when one account holds it."""
    owners = kpis_daily.filter(pl.col(level) == exact).select("account").unique().sort("account", nulls_last=True)

    def mine(frame: pl.DataFrame | None, account: str | None) -> pl.DataFrame | None:
        if frame is None or "account" not in frame.columns:
            return frame
        return frame.filter(pl.col("account").eq_missing(account))

    answers = {
        account: verdict(mine(kpis_daily, account), exact, params, level, mine(fatigue, account), currency,
                         mine(results_daily, account), name_account=True)
        for account in owners["account"].to_list()
    }
    if len(answers) == 1:
        return next(iter(answers.values()))
    names = ", ".join(quoted(account) if account is not None else "the default account" for account in answers)
    calls = "; ".join(f"{account_text(account)}: {ACTIONS[answer.data['action']]}" if "action" in answer.data
                      else f"{account_text(account)}: {answer.headline.split(':')[0]}"
                      for account, answer in answers.items())
    headline = (f"{LEVEL_WORDS[level].capitalize()} {quoted(exact)} runs in {len(answers)} accounts ({names}): "
                f"judged in each apart, never merged. {calls}.")
    lines = [line for answer in answers.values() for line in (answer.headline, *(f"  {x}" for x in answer.lines))]
    return Answer(headline, lines, {"level": level, "entity": exact,
                                    "accounts": {account: answer.data for account, answer in answers.items()}})


def _verdict_by_results(mine: pl.DataFrame, account: pl.DataFrame, label: str, period: Period, params: Params,
                        fatigue: dict | None, currency: str | None, where: dict) -> Answer:
    """The verdict of an entity without purchases: judged by the cost per result of its main result type."""
    main = mine.row(0, named=True)
    kind, unit = main["result_type"], result_unit(main["result_type"])
    same = account.filter(pl.col("result_type") == kind)
    benchmark = same["cost_per_result"][0] if same.height else None
    share = main["spend"] / same["spend"][0] if same.height and same["spend"][0] else None
    judged = judge_results(main, benchmark, params, fatigue, share)
    confidence = "" if judged.confidence is None else f" (confidence {judged.confidence:.0%})"
    days = params.recommend.lookback_days
    own_end, end_all = where["own_end"], where["end_all"]
    lines = [
        f"Period: {period.label()} ({days} days{' of its delivery' if own_end < end_all else ''}).",
        (PURCHASES_UNKNOWN if where.get("purchases") is None else
         f"Its spend bought {kind}, not purchases.")
        + f" Judged by cost per {unit} instead, against the account's own cost per {unit} over "
        "the same days (no target is set for it).",
        f"{count_text(main['results'])} {kind} on {money_text(main['spend'], currency)} spend: cost per {unit} "
        f"{cost_text(main['cost_per_result'], currency)} vs the account's {cost_text(benchmark, currency)}; "
        f"P(cost per {unit} > {params.recommend.result_cost_multiple:g} x the account's) "
        f"{share_text(judged.figures.get('p_cost_above_ceiling'))}, P(below the account's) "
        f"{share_text(judged.figures.get('p_cost_below_account'))}.",
    ]
    if mine.height > 1:
        lines.append(f"Its other result types (judged apart, never added to {kind}): "
                     f"{results_text(mine.slice(1), currency)}.")
    lines += next_step_lines(judged.action, main["spend"], period, own_end, end_all, params, currency)
    headline = f"{ACTIONS[judged.action]}: {label}: {judged.reason}{confidence}."
    return Answer(headline, lines, {"action": judged.action, "level": where["level"], "entity": where["entity"],
                                    "period": period, "figures": judged.figures, "result_type": kind})




# --------------------------------------------------------------------------- A/B readout


def ab_readout(kpis_daily: pl.DataFrame, a: str, b: str, level: str = "ad", days: int = 14,
               min_purchases: int = 10, draws: int = 20_000, seed: int = 0) -> tuple[pl.DataFrame, str]:
    """Two ads (or ad sets) over the last `days` days: CTR, CVR, ROAS with 95% intervals and P(B beats A).

    CTR and CVR have Beta posteriors (Jeffreys prior); ROAS = purchase rate
    per unit spend (Gamma posterior) x observed AOV. Draws use a fixed seed,
    so the readout is deterministic. The verdict waits for `min_purchases`
    purchases in each arm.

    Returns:
        One row per (metric, arm) with value, low, high and p_b_beats_a; and the verdict line.
    """
    import numpy as np

    end = last_day(kpis_daily)
    period = _window_of(kpis_daily, end, days)
    rng = np.random.default_rng(seed)
    arms, samples = {}, {}
    for arm, name in (("A", a), ("B", b)):
        found_level, exact = find_entity(kpis_daily, name, level)
        mine = kpis_daily.filter(pl.col(found_level) == exact)
        if several_accounts(mine):  # two clients' same-named ads are two ads: never one merged arm
            raise AdlabError(
                f"{LEVEL_WORDS[found_level]} {quoted(exact)} runs in several accounts "
                f"({', '.join(quoted(owner) for owner in accounts_in(mine))}): compare within one account, "
                "e.g. kpis_daily.filter(pl.col('account') == '<account>')."
            )
        totals = _totals(mine.filter(_in(period)))
        arms[arm] = {"name": exact, **totals}
        impressions, clicks = totals.get("impressions") or 0, totals.get("link_clicks") or 0
        purchases, spend = totals.get("purchases") or 0, totals.get("spend") or 0.0
        aov = totals.get("aov") or 0.0
        samples[arm] = {
            "ctr": rng.beta(clicks + 0.5, max(impressions - clicks, 0) + 0.5, draws),
            "cvr": rng.beta(purchases + 0.5, max(clicks - purchases, 0) + 0.5, draws),
            "roas": rng.gamma(purchases + 0.5, 1.0 / spend, draws) * aov if spend else np.zeros(draws),
        }
    rows = []
    for metric in ("ctr", "cvr", "roas"):
        p_b = float((samples["B"][metric] > samples["A"][metric]).mean())
        for arm in ("A", "B"):
            low, high = np.quantile(samples[arm][metric], [0.025, 0.975])
            rows.append({"metric": metric, "arm": arm, "name": arms[arm]["name"], "value": arms[arm].get(metric),
                         "low": float(low), "high": float(high), "p_b_beats_a": p_b})
    table = pl.DataFrame(rows, schema={"metric": pl.String, "arm": pl.String, "name": pl.String,
                                       "value": pl.Float64, "low": pl.Float64, "high": pl.Float64,
                                       "p_b_beats_a": pl.Float64})
    p_roas = table.filter(pl.col("metric") == "roas")["p_b_beats_a"][0]
    fewest = min(arms[arm].get("purchases") or 0 for arm in arms)
    if fewest < min_purchases:
        line = (f"Wait: {fewest} purchases in the smaller arm ({period.label()}); the readout needs {min_purchases} "
                "in each before calling a winner.")
    elif p_roas >= 0.95 or p_roas <= 0.05:
        winner = "B" if p_roas >= 0.95 else "A"
        line = (f"{winner} wins on ROAS: {quoted(arms[winner]['name'])}, P(B beats A) {p_roas:.0%} "
                f"({period.label()}).")
    else:
        line = f"No clear winner yet: P(B beats A on ROAS) {p_roas:.0%} ({period.label()}); keep both running."
    return table, line


# --------------------------------------------------------------------------- what a total adds up

UNSTATED = " without a stated setting"


def attribution_mix(ad_insights: pl.DataFrame | pl.LazyFrame | None, start: dt.date, end: dt.date,
                    where: dict[str, str] | None = None) -> dict[str, int]:
    """One entry per attribution setting summed into the totals of start..end: how many campaigns it covers.

    The rows are those of `kpis.totals_view` (one setting per date and entity, but
    different campaigns keep their own) that spent or recorded a purchase, narrowed
    to `where` (e.g. {"campaign": "Summer"}). Settings with most campaigns first;
    then, per platform, campaigns whose export states no setting (Google Ads and
    Pinterest use their own), as `Google Ads without a stated setting`.
    """
    if ad_insights is None or "attribution_setting" not in ad_insights.collect_schema().names():
        return {}
    rows = totals_view(ad_insights.lazy().filter(pl.col("date").is_between(start, end))).filter(
        (pl.col("spend") > 0) | (pl.col("purchases") > 0) | (pl.col("purchase_value") > 0)
    )
    for column, value in (where or {}).items():
        rows = rows.filter(pl.col(column) == value)
    unstated = pl.col("platform_source").str.replace_all("_", " ").str.to_titlecase() + UNSTATED
    counts = (
        rows.group_by(pl.col("attribution_setting").is_null().alias("unstated"),
                      pl.col("attribution_setting").fill_null(unstated).alias("setting"))
        .agg(pl.struct("platform_source", "campaign").n_unique().alias("campaigns"))
        .sort("unstated", "campaigns", "setting", descending=[False, True, False])
        .collect()
    )
    return dict(counts.select("setting", "campaigns").iter_rows())


def attribution_line(mix: dict[str, int], what: str = "ROAS") -> str | None:
    """`ROAS adds campaigns under different attribution settings: 7-day click (12) and 1-day click (3). ...`.

    `mix` is attribution_mix; None when every campaign summed is under one setting, or when no export
    states one (the tiles name the platforms added up; their settings are not known to differ).
    """
    if len(mix) < 2 or all(setting.endswith(UNSTATED) for setting in mix):
        return None
    parts = [f"{setting} ({campaigns})" for setting, campaigns in mix.items()]
    listed = "; ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"{what} adds campaigns under different attribution settings: {listed}. Each counts purchases its own way."


def footing_notes(workspace: Workspace, kpi: str, periods: list[Period], where: dict[str, str] | None = None
                  ) -> list[str]:
    """The lines an answer owes about what its figures rest on: a CPA target implausible in the account
    currency, and a purchase-based `kpi` that adds campaigns under different attribution settings.
    """
    notes = []
    if currency_note := cpa_target_note(workspace.params.targets.cpa, workspace.currency):
        notes.append(currency_note)
    if kpi in PURCHASE_KPIS and periods:
        start, end = min(p.start for p in periods), max(p.end for p in periods)
        line = attribution_line(attribution_mix(workspace.ad_insights, start, end, where), KPI_LABELS.get(kpi, kpi))
        notes += [line] if line else []
    return notes


def verdict_notes(answer: Answer, workspace: Workspace) -> list[str]:
    """footing_notes of a `verdict` answer: its period, narrowed to the judged entity."""
    period = answer.data.get("period")
    where = {answer.data["level"]: answer.data["entity"]} if period else None
    return footing_notes(workspace, "roas", [period] if period else [], where)


def best_notes(answer: Answer, workspace: Workspace, kpi: str, segment: dict[str, str]) -> list[str]:
    """footing_notes of a `best_for_segment` answer; a segment's breakdown rows already keep one setting."""
    period = answer.data.get("period")
    return footing_notes(workspace, kpi if period and not segment else "", [period] if period else [])


def with_notes(answer: Answer, notes: list[str]) -> Answer:
    """The answer with `notes` after its evidence, each once."""
    lines = [*answer.lines, *(note for note in dict.fromkeys(notes) if note not in answer.lines)]
    return Answer(answer.headline, lines, answer.data)


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Workspace:
    """What the answers read: KPIs per (date, ad), the breakdown rows, settings, currency, fatigue."""

    kpis_daily: pl.DataFrame
    ad_insights: pl.DataFrame | None
    params: Params
    currency: str | None = None
    fatigue: pl.DataFrame | None = None
    results_daily: pl.DataFrame | None = None  # results per (date, ad, result type), for accounts without purchases


KPI_WORDS = (
    ("roas", r"\broas\b|return on ad spend"),
    ("cpa", r"\bcpa\b|cost per (purchase|acquisition|conversion|result)"),
    ("cpc", r"\bcpc\b|cost per click"),
    ("cpm", r"\bcpm\b|cost per (1,?000|thousand|mille)"),
    ("cvr", r"\bcvr\b|conversion rate"),
    ("aov", r"\baov\b|order value|basket"),
    ("hook_rate", r"hook rate"),
    ("hold_rate", r"hold rate"),
    ("ctr", r"\bctr\b|click.?through|clicks?\b"),
)
DATE = r"\d{4}-\d{2}-\d{2}"


def _kpi_in(question: str, default: str = "roas") -> str:
    for kpi, pattern in KPI_WORDS:
        if re.search(pattern, question):
            return kpi
    return default


def _level_in(question: str, default: str = "ad") -> str:
    if re.search(r"\bad ?sets?\b", question):
        return "adset"
    if re.search(r"\bcampaigns?\b", question):
        return "campaign"
    if re.search(r"\b(ads?|creatives?)\b", question):
        return "ad"
    return default


def _periods_in(question: str, kpis_daily: pl.DataFrame) -> tuple[Period, Period]:
    dates = [dt.date.fromisoformat(text) for text in re.findall(DATE, question)]
    if len(dates) >= 4:
        return Period(*sorted(dates[2:4])), Period(*sorted(dates[0:2]))
    if len(dates) in (2, 3):
        current = Period(*sorted(dates[:2]))
        return current, Period(current.start - dt.timedelta(days=current.days), current.start - dt.timedelta(days=1))
    if len(dates) == 1:
        return Period(dates[0], dates[0]), Period(dates[0] - dt.timedelta(days=1), dates[0] - dt.timedelta(days=1))
    if match := re.search(r"(?:last|past) (\d+) days", question):
        return periods_for(kpis_daily, "days", int(match.group(1)))
    if re.search(r"\b(last|this|past) week\b|\bweek\b", question):
        return periods_for(kpis_daily, "last_week")
    return periods_for(kpis_daily, "yesterday")


def _segment_in(question: str) -> dict[str, str]:
    segment: dict[str, str] = {}
    for word, gender in GENDER_WORDS.items():
        if re.search(rf"\b{word}\b", question):
            segment["gender"] = gender
            break
    if match := re.search(r"\b(\d{2})\s*(?:-|–|to)\s*(\d{2})\b", question):
        segment["age"] = f"{match.group(1)}-{match.group(2)}"
    elif match := re.search(r"\b(65)\s*\+|\bover 65\b", question):
        segment["age"] = "65+"
    for word, platform in PLATFORM_WORDS.items():
        if re.search(rf"\b(on|in|via) {word}\b", question):
            segment["publisher_platform"] = platform
    return segment


def _name_in(question: str) -> str | None:
    if match := re.search(r"['\"‘’“”](.+?)['\"‘’“”](?:\s|$|\?|\.)", question + " "):
        return match.group(1).strip()
    if match := re.search(r"\b(?:pause|scale|stop|kill|turn off|keep|boost|increase|cut)\s+(?:my |the )?(.+?)"
                          r"(?:\s+(?:ad ?set|campaign|ad|creative))?\s*[?.!]*$", question, re.IGNORECASE):
        return match.group(1).strip()
    return None


def explain_any(kpis_daily: pl.DataFrame, results_daily: pl.DataFrame | None, current: Period, previous: Period,
                kpi: str = "roas", currency: str | None = None, question: str = "") -> Answer:
    """explain_change, or explain_results_change where the question names a result type (`cost per lead`) or
    asks a purchase KPI (ROAS, CPA, ...) of an account whose purchases are unknown: then it says so and talks
    about its results by type."""
    named = result_type_in(question, results_daily)
    other_kpi = any(re.search(pattern, question) for name, pattern in KPI_WORDS if name != "cpa")
    if named and (re.search(r"cost per|\bresults?\b", question) or not other_kpi):
        return explain_results_change(results_daily, current, previous, named, currency,
                                      span=_span(kpis_daily, current))
    both = Period(min(current.start, previous.start), max(current.end, previous.end))
    if kpi in PURCHASE_KPIS and not purchases_known(kpis_daily, both) and results_daily is not None:
        main = result_type_in("results", results_daily.filter(_in(both)))
        if main:
            note = PURCHASES_UNKNOWN + f" This account's results by type {current.phrase()}: " + (
                results_text(results_in(results_daily, current), currency) or MISSING) + "."
            return explain_results_change(results_daily, current, previous, main, currency, note=note,
                                          span=_span(kpis_daily, current), asked=KPI_LABELS.get(kpi, kpi))
    value_kpis = ("roas", "aov")
    frame = kpis_daily.filter(_in(both))
    if kpi in value_kpis and purchases_known(kpis_daily, both) and frame["purchase_value"].is_null().all():
        # Purchases without a conversion value: ROAS is unknown, CPA (spend / purchases) is the figure there is.
        answer = explain_change(kpis_daily, current, previous, "cpa", currency)
        asked = KPI_LABELS[kpi]
        return replace(answer, headline=f"{asked} is unknown ({MISSING}: the export has no purchase conversion "
                       f"value); {answer.headline}")
    return explain_change(kpis_daily, current, previous, kpi, currency)


def ask(question: str, workspace: Workspace) -> Answer:
    """Answer one question in plain words (see CAN_ANSWER).

    Raises:
        AdlabError: the question is not one of the families adlab answers, or the data cannot answer it.
    """
    text = " ".join(question.split())
    lower = text.lower()
    kpis_daily, params, currency = workspace.kpis_daily, workspace.params, workspace.currency
    last_day(kpis_daily)
    if re.search(r"\bshould i\b|\b(pause|scale|kill|turn off|stop)\b", lower) and not lower.startswith("why"):
        name = _name_in(text)
        if not name:
            raise AdlabError("which campaign, ad set or ad? Put its name in quotes. " + CAN_ANSWER)
        level = None
        tail = lower[lower.find(name.lower()) + len(name):] if name.lower() in lower else lower
        if re.search(r"\bad ?set\b", tail) or re.search(r"\bad ?set\b", lower[: lower.find(name.lower())][-12:]):
            level = "adset"
        elif re.search(r"\bcampaign\b", tail):
            level = "campaign"
        elif re.search(r"^\s*(ad|creative)\b", tail):
            level = "ad"
        answer = verdict(kpis_daily, name, params, level, workspace.fatigue, currency, workspace.results_daily)
        return with_notes(answer, verdict_notes(answer, workspace))
    if re.search(r"\bwhy\b|what happened|what changed|explain", lower):
        kpi = _kpi_in(lower)
        current, previous = _periods_in(lower, kpis_daily)
        answer = explain_any(kpis_daily, workspace.results_daily, current, previous, kpi, currency, lower)
        return with_notes(answer, footing_notes(workspace, kpi, [current, previous]))
    if re.search(r"\b(best|top|worst|which|winning|performing)\b", lower):
        kpi = _kpi_in(lower)
        segment = _segment_in(lower)
        answer = best_for_segment(kpis_daily, workspace.ad_insights, segment, params, _level_in(lower), kpi, currency,
                                  workspace.results_daily)
        return with_notes(answer, best_notes(answer, workspace, kpi, segment))
    raise AdlabError(f"I cannot answer {quoted(text)} yet. " + CAN_ANSWER)
