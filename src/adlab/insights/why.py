"""Why a KPI moved between two periods: the exact split into its factors, the campaigns behind it, checks.

`explain_change` answers for a KPI of the purchase funnel (ROAS = 1000 / CPM x CTR x CVR x AOV, CPA, ...);
`explain_results_change` for the cost per result of one result type (leads, conversations), never mixing
types; `explain_any` picks between them from the question and the data.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from adlab.display import KPI_WORDS, MISSING, count_text, kpi_text, money_text
from adlab.errors import AdlabError
from adlab.insights.answer import CAN_ANSWER, PURCHASE_KPIS, Answer, Row, quoted, several_accounts
from adlab.insights.causes import FACTOR_PLAIN, Cause, cause, cause_clause, change_sentence, funnel_causes
from adlab.insights.funnel import funnel_break
from adlab.insights.movers import campaign_naming, campaign_sentences, contributions, lead_ad
from adlab.insights.periods import Period, in_period, span_words, totals_of
from adlab.insights.questions import other_kpi_in, result_type_in
from adlab.insights.results import PURCHASES_UNKNOWN, purchases_known, results_in, results_text
from adlab.kpis import KPI_FACTORS, KPI_FRACTIONS, RESULT_FRACTIONS, log_split, result_unit

FACTOR_WORDS = {
    "cpm": "CPM (cost of reach)",
    "ctr": "link CTR (clicks per impression)",
    "cvr": "CVR (purchases per link click)",
    "aov": "AOV (value per purchase)",
}


@dataclass(frozen=True)
class Split:
    """log(KPI now / KPI before) split exactly into its factors' terms (log points), which add up to `total`.

    `missing` names the factors that cannot be told apart (no link clicks or no purchases in a period): their
    product is the `rest` term, what the known factors leave.
    """

    terms: dict[str, float]
    total: float
    main: str
    missing: tuple[str, ...] = ()


def split_change(before: Row, now: Row, kpi: str) -> Split | None:
    """The split of `kpi` from the `before` to the `now` figures; None when the KPI is 0 or unknown now."""
    value_now, value_before = now.get(kpi) or 0.0, before[kpi]
    terms = log_split(before, now, kpi) if value_now else {}
    if not terms:
        return None
    total = math.log(value_now / value_before)
    known = {factor: term for factor, term in terms.items() if term is not None}
    if len(known) == len(terms):
        return Split(known, total, max(known, key=lambda factor: abs(known[factor])))
    # Without link clicks (or purchases) some factors are unknown, but their product is what the others leave.
    full = {**known, "rest": total - sum(known.values())}
    missing = tuple(factor for factor, term in terms.items() if term is None)
    return Split(full, total, max(full, key=lambda factor: abs(full[factor])), missing)


def split_sentence(split: Split, before: Row, now: Row, currency: str | None) -> str | None:
    """`Split of the change (log points, summing to -0.191): CVR -0.152, ...; CVR (...) explains 79% of it (...)`."""
    if split.missing:
        parts = [f"{factor.upper()} {term:+.3f}" for factor, term in split.terms.items() if factor != "rest"]
        return (
            f"Split of the change (log points, summing to {split.total:+.3f}): {', '.join(parts)}, and "
            f"{' x '.join(factor.upper() for factor in split.missing)} together {split.terms['rest']:+.3f} "
            "(not separable: no link clicks or no purchases in a period)."
        )
    if len(split.terms) == 1:
        return None
    ranked = sorted(split.terms, key=lambda factor: abs(split.terms[factor]), reverse=True)
    main = split.main
    share = split.terms[main] / split.total if split.total else 0.0
    return (
        f"Split of the change (log points, summing to {split.total:+.3f}): "
        + ", ".join(f"{factor.upper()} {split.terms[factor]:+.3f}" for factor in ranked)
        + f"; {FACTOR_WORDS.get(main, main)} explains {share:.0%} of it "
        f"({kpi_text(main, before.get(main), currency)} -> {kpi_text(main, now.get(main), currency)})."
    )


def _plain_cause(split: Split | None, kpi: str, before: Row, now: Row, currency: str | None) -> str:
    """What the first sentence says after the numbers: the dominant factor in words, or the reasons."""
    if split is None:
        return ""
    causes = funnel_causes(before, now, lambda factor, value: kpi_text(factor, value, currency), split.missing)
    if list(split.terms) == [kpi]:  # the KPI is a factor itself (CTR, CPM, ...): say what it means
        return f": {causes[kpi].words}" if kpi in causes else ""
    return cause_clause(split.terms, split.total, causes)


def _period_figures(kpis_daily: pl.DataFrame, current: Period, previous: Period, kpi: str) -> tuple[Row, Row]:
    """The summed figures of both periods.

    Raises:
        AdlabError: either period has no spend, or the export lacks the columns the KPI needs.
    """
    num, den, _ = KPI_FRACTIONS[kpi]
    now, before = totals_of(kpis_daily.filter(in_period(current))), totals_of(kpis_daily.filter(in_period(previous)))
    if not now.get("spend") or not before.get("spend"):
        empty = current if not now.get("spend") else previous
        raise AdlabError(
            f"not enough data: no ad spend in {empty.label()}, so there is nothing to compare. " + CAN_ANSWER
        )
    if now.get(num) is None or before.get(num) is None or now.get(den) is None:
        raise AdlabError(
            f"not enough data: the export has no `{num if now.get(num) is None else den}` column, "
            f"so {KPI_WORDS.get(kpi, kpi)} cannot be computed. " + CAN_ANSWER
        )
    return now, before


def _mover_sentences(
    kpis_daily: pl.DataFrame, current: Period, previous: Period, kpi: str, delta: float, currency: str | None, top: int
) -> tuple[list[str], Row]:
    """The campaigns that moved `kpi` (mix vs rate) and the ad that moved most inside the first; their data."""
    den = KPI_FRACTIONS[kpi][1]

    def show(value: float | None) -> str:
        return kpi_text(kpi, value, currency)

    where = contributions(kpis_daily, current, previous, "campaign", kpi).filter(pl.col("campaign").is_not_null())
    several = several_accounts(kpis_daily.filter(in_period(current) | in_period(previous)))
    sentences = campaign_sentences(where, delta, top, several, KPI_WORDS.get(kpi, kpi), den.replace("_", " "), show)
    data: dict[str, Any] = {"contributions": where}
    if where.height and delta:
        lead = where.row(0, named=True)
        ad = lead_ad(kpis_daily, lead, current, previous, kpi)
        if ad is not None:
            sentences.append(
                f"Inside {campaign_naming(several)(lead)}, ad {quoted(ad['ad'])} moved most "
                f"({show(ad['m0'])} -> {show(ad['m1'])})."
            )
        data["top_campaign"] = lead["campaign"]
    return sentences, data


def explain_change(
    kpis_daily: pl.DataFrame,
    current: Period,
    previous: Period,
    kpi: str = "roas",
    currency: str | None = None,
    top: int = 3,
) -> Answer:
    """Why `kpi` moved from `previous` to `current`: the exact log split, the top entities (mix vs rate), checks.

    Raises:
        AdlabError: either period has no spend, or the export lacks the columns the KPI needs.
    """
    name = KPI_WORDS.get(kpi, kpi)
    now, before = _period_figures(kpis_daily, current, previous, kpi)
    value_now, value_before = now.get(kpi), before.get(kpi)
    if not value_before:
        den = KPI_FRACTIONS[kpi][1]
        return Answer(
            f"Not enough data: {name} was n/a in {previous.label()} (no "
            f"{'purchases' if kpi in PURCHASE_KPIS else den.replace('_', ' ')}), so its change cannot be "
            "split.",
            [f"Now ({current.label()}): {name} {kpi_text(kpi, value_now, currency)}."],
        )
    if value_now is None:
        value_now = 0.0
    split = split_change(before, now, kpi)
    headline = change_sentence(
        name,
        value_now / value_before - 1,
        span_words(kpis_daily, current) or current.phrase(),
        kpi_text(kpi, value_before, currency),
        kpi_text(kpi, value_now, currency),
        _plain_cause(split, kpi, before, now, currency),
    )
    data: dict[str, Any] = {
        "kpi": kpi,
        "current": current,
        "previous": previous,
        "value_now": value_now,
        "value_before": value_before,
    }
    sentences = [f"Days compared: {current.label()} vs {previous.label()}."]
    if split is not None:
        data.update(terms=split.terms, log_change=split.total, main_factor=split.main)
        sentences += [line] if (line := split_sentence(split, before, now, currency)) else []
    elif kpi in KPI_FACTORS:
        sentences.append(
            f"The change cannot be split into {', '.join(f.upper() for f in KPI_FACTORS[kpi])} (no purchases now)."
        )
    spend_change = now["spend"] / current.days / (before["spend"] / previous.days) - 1
    sentences.append(f"Spend was {money_text(now['spend'], currency)} ({spend_change:+.0%} a day vs before).")
    movers, found = _mover_sentences(kpis_daily, current, previous, kpi, value_now - value_before, currency, top)
    sentences += movers
    data.update(found)
    checks = funnel_break(kpis_daily, current, previous, ["account", "campaign"]) or funnel_break(
        kpis_daily, current, previous, []
    )
    sentences += checks
    data["checks"] = checks
    return Answer(headline, [" ".join(sentences)], data)


# --------------------------------------------------------------------------- cost per result (no purchases)


def _result_split(now: Row, before: Row) -> tuple[Split | None, str]:
    """log(cost per result) change split exactly: CPM - CTR - results per click (link clicks, else all clicks).

    Returns the split (None when no factor is known) and the clicks it used.
    """
    clicks = "link_clicks" if now.get("link_clicks") and before.get("link_clicks") else "clicks"

    def log_ratio(num: str, den: str) -> float | None:
        old = before[num] / before[den] if before.get(num) and before.get(den) else None
        new = now[num] / now[den] if now.get(num) and now.get(den) else None
        return math.log(new / old) if old and new else None

    cpm, ctr, per_click = (
        log_ratio("spend", "impressions"),
        log_ratio(clicks, "impressions"),
        log_ratio("results", clicks),
    )
    terms = {
        "CPM": cpm,
        "CTR" if clicks == "link_clicks" else "CTR (all clicks)": None if ctr is None else -ctr,
        "results per click": None if per_click is None else -per_click,
    }
    known = {name: term for name, term in terms.items() if term is not None}
    if not known:
        return None, clicks
    total = math.log(now["cost_per_result"] / before["cost_per_result"])
    missing = tuple(name for name, term in terms.items() if term is None)
    # Factors that cannot be told apart (no clicks exported) still carry their share of the change, as `rest`.
    full = {**known, "rest": total - sum(known.values())} if missing else known
    return Split(full, total, max(known, key=lambda name: abs(known[name])), missing), clicks


def _result_split_sentence(split: Split, clicks: str, unit: str) -> str:
    """`Split of the change (log points, summing to +0.629): CTR (all clicks) +0.234, ...; ... explains 37% of it`."""
    known = {name: term for name, term in split.terms.items() if name != "rest"}
    parts = [f"{name} {term:+.3f}" for name, term in sorted(known.items(), key=lambda kv: -abs(kv[1]))]
    if split.missing:
        parts.append(
            f"{' x '.join(split.missing)} together {split.terms['rest']:+.3f} (no {clicks.replace('_', ' ')} exported)"
        )
    share = known[split.main] / split.total if split.total else 0.0
    return (
        f"Split of the change (log points, summing to {split.total:+.3f}): {', '.join(parts)}; {split.main} "
        f"explains {share:.0%} of it (cost per {unit} = CPM / 1000 / CTR / results per click)."
    )


def _result_causes(now: Row, before: Row, clicks: str, unit: str, currency: str | None) -> dict[str, Cause]:
    """The terms of `_result_split` in words: CPM, CTR and results per click, each with its figures."""

    def per(figures: Row, num: str, den: str, scale: float = 1.0) -> float | None:
        return figures[num] / figures[den] * scale if figures.get(num) and figures.get(den) else None

    def percent(value: float) -> str:
        return kpi_text("ctr", value, currency)

    link = clicks == "link_clicks"
    found = {
        "CPM": cause(
            "CPM",
            *FACTOR_PLAIN["cpm"][1:],
            per(before, "spend", "impressions", 1000.0),
            per(now, "spend", "impressions", 1000.0),
            lambda value: money_text(value, currency),
        ),
        "CTR" if link else "CTR (all clicks)": cause(
            "CTR" if link else "all-clicks CTR",
            *FACTOR_PLAIN["ctr"][1:],
            per(before, clicks, "impressions"),
            per(now, clicks, "impressions"),
            percent,
        ),
        "results per click": cause(
            f"{unit}s per click",
            f"more clicks turned into {unit}s",
            f"fewer clicks turned into {unit}s",
            per(before, "results", clicks),
            per(now, "results", clicks),
            percent,
        ),
    }
    return {name: words for name, words in found.items() if words is not None}


def _result_figures(
    results_daily: pl.DataFrame | None, current: Period, previous: Period, result_type: str
) -> tuple[pl.DataFrame, Row, Row]:
    """The daily rows of one result type and its summed figures in both periods (rows, now, before).

    Raises:
        AdlabError: no spend on that result type in either period.
    """
    rows = (results_daily if results_daily is not None else pl.DataFrame()).filter(pl.col("result_type") == result_type)
    now = results_in(rows, current).row(0, named=True) if rows.filter(in_period(current)).height else {}
    before = results_in(rows, previous).row(0, named=True) if rows.filter(in_period(previous)).height else {}
    if not now.get("spend") or not before.get("spend"):
        empty = current if not now.get("spend") else previous
        raise AdlabError(
            f"not enough data: no spend on {result_type} in {empty.label()}, so there is nothing to "
            "compare. " + CAN_ANSWER
        )
    return rows, now, before


def _result_headline(
    now: Row,
    before: Row,
    split: Split | None,
    clicks: str,
    result_type: str,
    span: str,
    asked: str,
    currency: str | None,
) -> str:
    """`Cost per lead rose 87% ... from $4.10 to $7.66: ...`, led by `ROAS is unknown (...)` when `asked`."""
    unit = result_unit(result_type)
    label = f"Cost per {unit}"
    value_now, value_before = now["cost_per_result"], before["cost_per_result"]
    clause = (
        ""
        if split is None
        else cause_clause(split.terms, split.total, _result_causes(now, before, clicks, unit, currency))
    )
    headline = change_sentence(
        label,
        value_now / value_before - 1,
        span,
        money_text(value_before, currency),
        money_text(value_now, currency),
        clause,
    )
    if asked:
        headline = (
            f"{asked} is unknown ({MISSING}: no purchases exported); {label.lower()} {headline[len(label) + 1 :]}"
        )
    return headline


def _result_mover_sentences(
    rows: pl.DataFrame,
    current: Period,
    previous: Period,
    result_type: str,
    delta: float,
    currency: str | None,
    top: int,
) -> tuple[list[str], pl.DataFrame]:
    """The campaigns that moved the cost per result of `rows` (mix vs rate); their contributions."""
    fraction = RESULT_FRACTIONS["cost_per_result"]
    where = contributions(rows, current, previous, "campaign", "cost_per_result", fraction).filter(
        pl.col("campaign").is_not_null()
    )
    several = several_accounts(rows.filter(in_period(current) | in_period(previous)))
    sentences = campaign_sentences(
        where,
        delta,
        top,
        several,
        f"cost per {result_unit(result_type)}",
        result_type,
        lambda value: money_text(value, currency),
    )
    return sentences, where


def explain_results_change(
    results_daily: pl.DataFrame | None,
    current: Period,
    previous: Period,
    result_type: str,
    currency: str | None = None,
    top: int = 3,
    note: str = "",
    span: str = "",
    asked: str = "",
) -> Answer:
    """Why the cost per result of one result type moved: the exact CPM / CTR / results-per-click split, then
    the campaigns that drove it (mix vs rate), then the account's other result types. Types are never mixed.

    `asked` names the KPI the question was about when it is unknown (ROAS): the headline says so first.

    Raises:
        AdlabError: no spend on that result type in either period.
    """
    unit = result_unit(result_type)
    rows, now, before = _result_figures(results_daily, current, previous, result_type)
    lead = [note] if note else []
    value_now, value_before = now.get("cost_per_result"), before.get("cost_per_result")
    counts = (
        f"{count_text(now['results'])} vs {count_text(before['results'])} {result_type} on "
        f"{money_text(now['spend'], currency)} vs {money_text(before['spend'], currency)} spend"
    )
    data: dict[str, Any] = {
        "kpi": "cost_per_result",
        "result_type": result_type,
        "current": current,
        "previous": previous,
        "value_now": value_now,
        "value_before": value_before,
    }
    if value_now is None or value_before is None:
        which = current if value_now is None else previous
        return Answer(
            f"Not enough data: no {result_type} in {which.label()}, so cost per {unit} is {MISSING} there "
            f"and its change cannot be split ({counts}).",
            lead,
            data,
        )
    split, clicks = _result_split(now, before)
    data["log_change"] = math.log(value_now / value_before)
    data["terms"] = {} if split is None else {name: term for name, term in split.terms.items() if name != "rest"}
    headline = _result_headline(now, before, split, clicks, result_type, span or current.phrase(), asked, currency)
    sentences = [f"Days compared: {current.label()} vs {previous.label()} ({counts})."]
    if split is not None:
        sentences.append(_result_split_sentence(split, clicks, unit))
        data["main_factor"] = split.main
    movers, where = _result_mover_sentences(
        rows, current, previous, result_type, value_now - value_before, currency, top
    )
    data["contributions"] = where
    sentences += movers
    others = results_in(results_daily, current).filter(pl.col("result_type") != result_type)
    if others.height:
        sentences.append(
            f"Other result types {current.phrase()} (never added to {result_type}): {results_text(others, currency)}."
        )
    return Answer(headline, [*lead, " ".join(sentences)], data)


# --------------------------------------------------------------------------- either, from the question


def explain_any(
    kpis_daily: pl.DataFrame,
    results_daily: pl.DataFrame | None,
    current: Period,
    previous: Period,
    kpi: str = "roas",
    currency: str | None = None,
    question: str = "",
) -> Answer:
    """explain_change, or explain_results_change where the question names a result type (`cost per lead`) or
    asks a purchase KPI (ROAS, CPA, ...) of an account whose purchases are unknown: then it says so and talks
    about its results by type."""
    named = result_type_in(question, results_daily)
    if named and (re.search(r"cost per|\bresults?\b", question) or not other_kpi_in(question)):
        return explain_results_change(
            results_daily, current, previous, named, currency, span=span_words(kpis_daily, current)
        )
    both = Period(min(current.start, previous.start), max(current.end, previous.end))
    if kpi in PURCHASE_KPIS and not purchases_known(kpis_daily, both) and results_daily is not None:
        main = result_type_in("results", results_daily.filter(in_period(both)))
        if main:
            note = (
                PURCHASES_UNKNOWN
                + f" This account's results by type {current.phrase()}: "
                + (results_text(results_in(results_daily, current), currency) or MISSING)
                + "."
            )
            return explain_results_change(
                results_daily,
                current,
                previous,
                main,
                currency,
                note=note,
                span=span_words(kpis_daily, current),
                asked=KPI_WORDS.get(kpi, kpi),
            )
    value_kpis = ("roas", "aov")
    frame = kpis_daily.filter(in_period(both))
    if kpi in value_kpis and purchases_known(kpis_daily, both) and frame["purchase_value"].is_null().all():
        # Purchases without a conversion value: ROAS is unknown, CPA (spend / purchases) is the figure there is.
        answer = explain_change(kpis_daily, current, previous, "cpa", currency)
        asked = KPI_WORDS[kpi]
        return replace(
            answer,
            headline=f"{asked} is unknown ({MISSING}: the export has no purchase conversion value); {answer.headline}",
        )
    return explain_change(kpis_daily, current, previous, kpi, currency)
