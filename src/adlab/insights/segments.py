"""Who wins: the best ads, ad sets or campaigns by a KPI, for everyone or for one audience (a segment).

A segment (`women aged 25-34`, `on Instagram`) is read from the breakdown export that holds it. Only entities
with enough volume are ranked (a minimum spend, and purchases for a purchase KPI); accounts whose purchases
are unknown are ranked by the cost per result of their main result type instead.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.currency import gate_amount
from adlab.display import KPI_WORDS, MISSING, count_text, kpi_text, money_text, whole_text
from adlab.errors import AdlabError
from adlab.insights.answer import (
    CAN_ANSWER,
    LEVEL_WORDS,
    LEVELS,
    LOWER_IS_BETTER,
    PURCHASE_KPIS,
    Answer,
    Row,
    account_text,
    entity_label,
    quoted,
    several_accounts,
)
from adlab.insights.periods import Period, first_date, in_period, last_date, last_day, totals_of
from adlab.insights.results import PURCHASES_UNKNOWN, cost_text, purchases_known, results_in, results_text
from adlab.kpis import KPI_FRACTIONS, LEVEL_RANK, finest_level, result_unit, rollup, typed_rows
from adlab.params import Params
from adlab.schema import ENTITY

SEGMENT_BREAKDOWN = {
    "age": "age_gender",
    "gender": "age_gender",
    "publisher_platform": "placement",
    "placement": "placement",
}
BREAKDOWN_EXPORT = {
    "age_gender": "an Age x Gender breakdown export (Ads Manager: Breakdown > By delivery > Age and Gender, by day)",
    "placement": "a Platform x Placement breakdown export (Breakdown > By delivery > Platform and Placement, by day)",
}


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
        raise AdlabError(
            f"cannot rank ads for {segment_text(segment)}: that needs {exports}, and none is in the data. " + CAN_ANSWER
        )
    # One attribution setting per (date, entity), the first by name (as the totals): not one for the account,
    # which would leave out every campaign set to another window.
    attribution = pl.col("attribution_setting").fill_null("")
    rows = rows.filter(attribution == attribution.min().over("date", "platform_source", *ENTITY))
    # An account-level breakdown beside an ad-level one describes the same spend: the finest level only.
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8)
    rows = rows.filter(finest_level(rank, ["date", "platform_source", "account"]))
    end = last_date(rows)
    period = Period(max(first_date(rows), end - dt.timedelta(days=days - 1)), end)
    matches = pl.all_horizontal(
        pl.col(dim).str.to_lowercase().str.replace_all(r"[\s_]+", " ") == value.lower().replace("_", " ")
        for dim, value in segment.items()
    )
    return rows.filter(in_period(period) & matches), period


def best_performers(frame: pl.DataFrame, level: str, kpi: str, min_spend: float, min_purchases: int) -> pl.DataFrame:
    """One row per entity at `level` with sums and KPIs, `enough_data` (the volume gate), best first."""
    keys = list(LEVELS[level])
    rolled = rollup(frame, keys)
    gate = pl.col("spend") >= min_spend
    if kpi in PURCHASE_KPIS:
        gate = gate & (pl.col("purchases").fill_null(0) >= min_purchases)
    return rolled.with_columns(gate.fill_null(False).alias("enough_data")).sort(
        pl.col("enough_data"),
        pl.col(kpi).is_not_null(),
        kpi,
        *keys,
        descending=[True, True, kpi not in LOWER_IS_BETTER, *([False] * len(keys))],
        nulls_last=True,
    )


def best_for_segment(
    kpis_daily: pl.DataFrame,
    ad_insights: pl.DataFrame | None,
    segment: dict[str, str],
    params: Params,
    level: str = "ad",
    kpi: str = "roas",
    currency: str | None = None,
    results_daily: pl.DataFrame | None = None,
) -> Answer:
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
    frame, period = _rows_to_rank(kpis_daily, ad_insights, segment, params)
    by_results = _ranked_by_results(frame, period, segment, params, level, kpi, currency, results_daily)
    if by_results is not None:
        return by_results
    who = segment_text(segment)
    unrankable = _unrankable(frame, level, kpi, who, period, currency)
    if unrankable is not None:
        return unrankable
    ranked = best_performers(
        frame.filter(pl.col(level).is_not_null()), level, kpi, min_spend, settings.segment_min_purchases
    )
    eligible = ranked.filter(pl.col("enough_data") & pl.col(kpi).is_not_null())
    several = several_accounts(frame)
    if eligible.height == 0:
        gate = f"at least {money_text(min_spend, currency)} spend" + (
            f" and {settings.segment_min_purchases} purchases" if kpi in PURCHASE_KPIS else ""
        )
        return _none_eligible(ranked, level, kpi, who, period, gate, several, currency)
    best = eligible.row(0, named=True)
    short = f"less than {money_text(min_spend, currency)} spend" + (
        f" or fewer than {settings.segment_min_purchases} purchases" if kpi in PURCHASE_KPIS else ""
    )
    lines = _ranking_lines(frame, ranked, eligible, level, kpi, who, period, short, bool(segment), currency)
    if segment and level == "ad":
        lines += _all_audiences_lines(kpis_daily, best, period, kpi, currency)
    headline = _best_headline(best, level, kpi, who, period, several, currency)
    return Answer(headline, lines, {"ranked": ranked, "best": best, "period": period})


def _rows_to_rank(
    kpis_daily: pl.DataFrame, ad_insights: pl.DataFrame | None, segment: dict[str, str], params: Params
) -> tuple[pl.DataFrame, Period]:
    """The segment's breakdown rows over its last `answer_days`, or everyone's over the last `lookback_days`.

    Raises:
        AdlabError: no breakdown export holds the segment's dimensions.
    """
    settings = params.recommend
    if segment:
        return segment_rows(ad_insights if ad_insights is not None else pl.DataFrame(), segment, settings.answer_days)
    end = last_day(kpis_daily)
    period = Period(end - dt.timedelta(days=settings.lookback_days - 1), end)
    return kpis_daily.filter(in_period(period)), period


def _ranked_by_results(
    frame: pl.DataFrame,
    period: Period,
    segment: dict[str, str],
    params: Params,
    level: str,
    kpi: str,
    currency: str | None,
    results_daily: pl.DataFrame | None,
) -> Answer | None:
    """The ranking by cost per result when `kpi` is a purchase KPI and the rows' purchases are unknown; else None."""
    if not segment:
        if (
            kpi in PURCHASE_KPIS
            and not purchases_known(frame)
            and results_daily is not None
            and results_in(results_daily, period).height
        ):
            return best_by_results(results_daily, level, period, params, KPI_WORDS.get(kpi, kpi), currency)
        return None
    if (
        kpi in PURCHASE_KPIS
        and frame.height
        and frame["purchases"].is_null().all()
        and frame["result_type"].is_not_null().any()
    ):
        # Purchases unknown (a leads account): rank the segment's rows by cost per result, as without a segment.
        typed = typed_rows(frame.lazy(), ["platform_source", *ENTITY]).collect()
        who = segment_text(segment)
        return best_by_results(typed, level, period, params, KPI_WORDS.get(kpi, kpi), currency, who)
    return None


def _none_eligible(
    ranked: pl.DataFrame,
    level: str,
    kpi: str,
    who: str,
    period: Period,
    gate: str,
    several: bool,
    currency: str | None,
) -> Answer:
    """`Not enough data: no ad has <gate> with <who> ...`, and the biggest one's figures."""
    name, word = KPI_WORDS.get(kpi, kpi), LEVEL_WORDS[level]
    biggest = ranked.sort("spend", descending=True).row(0, named=True)
    return Answer(
        f"Not enough data: no {word} has {gate} with {who} in {period.label()}.",
        [
            f"The biggest is {entity_label(level, biggest, several)}: "
            f"{money_text(biggest['spend'], currency)} spend, "
            f"{whole_text(biggest.get('purchases'))} purchases, {name} {kpi_text(kpi, biggest.get(kpi), currency)}."
        ],
    )


def _all_audiences_lines(
    kpis_daily: pl.DataFrame, best: Row, period: Period, kpi: str, currency: str | None
) -> list[str]:
    """`Across all audiences the same ad made ROAS 2.10 in that period.` when that ad's KPI is known."""
    rest = kpis_daily.filter(
        in_period(period)
        & pl.col("account").eq_missing(best["account"])
        & (pl.col("campaign") == best["campaign"])
        & (pl.col("adset") == best["adset"])
        & (pl.col("ad") == best["ad"])
    )
    everyone = totals_of(rest)
    if everyone.get(kpi) is None:
        return []
    return [
        f"Across all audiences the same ad made {KPI_WORDS.get(kpi, kpi)} "
        f"{kpi_text(kpi, everyone.get(kpi), currency)} in that period."
    ]


def _best_headline(
    best: Row, level: str, kpi: str, who: str, period: Period, several: bool, currency: str | None
) -> str:
    """`Best ad for women aged 25-34: 'A' with ROAS 3.20 on $410.00 spend (12 purchases, ...).`"""
    owner = f" ({account_text(best['account'])})" if several else ""
    return (
        f"Best {LEVEL_WORDS[level]} for {who}: {quoted(best[level])}{owner} with {KPI_WORDS.get(kpi, kpi)} "
        f"{kpi_text(kpi, best.get(kpi), currency)} on {money_text(best['spend'], currency)} spend "
        f"({whole_text(best.get('purchases'))} purchases, {period.label()})."
    )


def _unrankable(
    frame: pl.DataFrame, level: str, kpi: str, who: str, period: Period, currency: str | None
) -> Answer | None:
    """The answer when the rows cannot rank `level`s by `kpi` (no rows, no such column, no names); else None."""
    num, den, _ = KPI_FRACTIONS[kpi]
    name, word = KPI_WORDS.get(kpi, kpi), LEVEL_WORDS[level]
    if frame.height == 0 or frame[num].is_null().all() or frame[den].is_null().all():
        missing = num if frame.height and frame[num].is_null().all() else den
        why = f"the export has no {missing.replace('_', ' ')}" if frame.height else "no rows for it"
        return Answer(
            f"Not enough data: cannot rank {word}s by {name} for {who} ({why}, {period.label()}).",
            ["Export the breakdown with purchases and purchase value (or ask by CTR or CPM)."],
        )
    if frame[level].is_null().all():
        # A breakdown export without the level's names (account level): the segment's figures, no ranking.
        overall = totals_of(frame)
        return Answer(
            f"Not enough data: the breakdown export names no {word}s (it was exported at account level), so "
            f"{word}s cannot be ranked for {who}; {who} overall: {name} {kpi_text(kpi, overall.get(kpi), currency)} "
            f"on {money_text(overall.get('spend'), currency)} spend ({period.label()}).",
            [f"Export the breakdown at {word} level to rank them."],
        )
    return None


def _ranking_lines(
    frame: pl.DataFrame,
    ranked: pl.DataFrame,
    eligible: pl.DataFrame,
    level: str,
    kpi: str,
    who: str,
    period: Period,
    short: str,
    segment: bool,
    currency: str | None,
) -> list[str]:
    """The period and the segment overall, the top three with their figures, and how many were too thin."""
    name, word = KPI_WORDS.get(kpi, kpi), LEVEL_WORDS[level]
    overall = totals_of(frame)
    several = several_accounts(frame)
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
    return lines


def best_by_results(
    results_daily: pl.DataFrame,
    level: str,
    period: Period,
    params: Params,
    asked: str,
    currency: str | None = None,
    who: str = "",
) -> Answer:
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
        pl.col(level).is_not_null()
    )
    min_spend = gate_amount(settings.segment_min_spend, currency)
    enough = (pl.col("spend") >= min_spend) & (pl.col("results") >= settings.segment_min_purchases)
    eligible = rows.filter(enough & pl.col("cost_per_result").is_not_null()).sort(
        "cost_per_result", *keys, nulls_last=True
    )
    overall = account.row(0, named=True)
    unknown = f"{asked} is unknown ({MISSING}: no purchases exported), so {word}s are ranked by cost per {unit}"
    lines = [
        f"Period: {period.label()} ({'breakdown export; ' + who if who else 'all ads'}); {kind} overall: "
        f"{count_text(overall['results'])} at "
        f"{cost_text(overall['cost_per_result'], currency)} per {unit} on "
        f"{money_text(overall['spend'], currency)} spend.",
    ]
    if eligible.height == 0:
        return Answer(
            f"Not enough data: {unknown}, and no {word} has at least "
            f"{money_text(min_spend, currency)} spend and {settings.segment_min_purchases} "
            f"{kind} in {period.label()}.",
            [*lines, PURCHASES_UNKNOWN],
        )
    several = several_accounts(rows)
    for rank, row in enumerate(eligible.head(3).iter_rows(named=True), start=1):
        lines.append(
            f"{rank}. {entity_label(level, row, several)}: {cost_text(row['cost_per_result'], currency)} "
            f"per {unit}, {count_text(row['results'])} {kind} on {money_text(row['spend'], currency)} spend."
        )
    thin = rows.height - eligible.height
    if thin:
        lines.append(
            f"{thin} other {word}(s) had less than {money_text(min_spend, currency)} spend or "
            f"fewer than {settings.segment_min_purchases} {kind} and were left out as too thin to rank."
        )
    others = account.slice(1)
    if others.height:
        lines.append(f"Other result types (never added to {kind}): {results_text(others, currency)}.")
    lines.append(PURCHASES_UNKNOWN)
    best = eligible.row(0, named=True)
    headline = (
        f"Best {word}{' for ' + who if who else ''}: {quoted(best[level])} with "
        f"{cost_text(best['cost_per_result'], currency)} per {unit} "
        f"on {money_text(best['spend'], currency)} spend ({count_text(best['results'])} {kind}, "
        f"{period.label()}); {unknown}."
    )
    return Answer(headline, lines, {"ranked": eligible, "best": best, "period": period, "result_type": kind})
