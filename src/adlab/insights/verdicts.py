"""Should I pause or scale it: the verdict on one named campaign, ad set or ad, with its evidence.

Judged on its last `recommend.lookback_days` days of delivery with the rules of `rules.py`; where its
purchases are unknown (or its spend bought other results), by the cost per result of its main result type.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.display import MISSING, count_text, kpi_text, money_text, share_text, whole_text
from adlab.insights.answer import LEVEL_WORDS, LEVELS, Answer, Row, account_text, find_entity, quoted, several_accounts
from adlab.insights.periods import Period, first_date, in_period, last_date, last_day, totals_of, window_ending
from adlab.insights.results import PURCHASES_UNKNOWN, by_results, cost_text, results_in, results_text
from adlab.insights.rules import ACTIONS, judge, judge_results
from adlab.kpis import breakeven_roas, is_purchase_type, ratio, result_unit
from adlab.params import Params


def verdict(
    kpis_daily: pl.DataFrame,
    name: str,
    params: Params,
    level: str | None = None,
    fatigue: pl.DataFrame | None = None,
    currency: str | None = None,
    results_daily: pl.DataFrame | None = None,
    name_account: bool = False,
) -> Answer:
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
    own_end = last_date(spent)
    days = params.recommend.lookback_days
    period = window_ending(own_end, days)
    totals = totals_of(rows.filter(in_period(period)))
    fatigue_row = _fatigue_row(fatigue, exact) if level == "ad" else None
    label = _label(level, exact, rows, name_account)
    if results_daily is not None:
        mine = results_in(results_daily.filter(pl.col(level) == exact), period)
        if mine.height and by_results(totals.get("purchases"), mine.row(0, named=True)):
            return _verdict_by_results(
                mine,
                results_in(results_daily, period),
                label,
                period,
                params,
                fatigue_row,
                currency,
                {
                    "level": level,
                    "entity": exact,
                    "own_end": own_end,
                    "end_all": end_all,
                    "purchases": totals.get("purchases"),
                },
            )
    frequency = _ad_frequency(rows.filter(in_period(period))) if level == "ad" else None
    account_aov = totals_of(kpis_daily.filter(in_period(window_ending(end_all, days)))).get("aov")
    judged = judge({**totals, "frequency": frequency}, params, fatigue_row, account_aov)
    confidence = "" if judged.confidence is None else f" (confidence {judged.confidence:.0%})"
    headline = f"{ACTIONS[judged.action]}: {label}: {judged.reason}{confidence}."
    lines = _evidence_lines(totals, judged.figures, period, own_end < end_all, params, currency)
    lines += _trend_lines(kpis_daily, rows, totals, period, days, currency)
    if frequency is not None:
        lines.append(f"Average daily frequency {frequency:.2f}.")
    if results_daily is not None:
        lines += _other_results_lines(results_daily.filter(pl.col(level) == exact), period, currency)
    lines += next_step_lines(judged.action, totals["spend"], period, own_end, end_all, params, currency)
    return Answer(
        headline,
        lines,
        {"action": judged.action, "level": level, "entity": exact, "period": period, "figures": judged.figures},
    )


def _fatigue_row(fatigue: pl.DataFrame | None, ad: str) -> Row | None:
    """The fatigue row of the ad called `ad` (its steepest CTR fall when several ads share the name), or None."""
    if fatigue is None:
        return None
    matched = fatigue.filter(pl.col("ad") == ad).sort("ctr_change", nulls_last=True)
    return matched.row(0, named=True) if matched.height else None


def _trend_lines(
    kpis_daily: pl.DataFrame, rows: pl.DataFrame, totals: Row, period: Period, days: int, currency: str | None
) -> list[str]:
    """`Trend: ROAS 1.80 in the 14 days before (...), link CTR 1.20% -> 0.90%.` when it spent in those days."""
    # The days before, as far back as the data goes (a trend never claims days no export covers).
    before = Period(
        max(period.start - dt.timedelta(days=days), first_date(kpis_daily)), period.start - dt.timedelta(days=1)
    )
    earlier = totals_of(rows.filter(in_period(before)))
    if not earlier.get("spend"):
        return []
    return [
        f"Trend: ROAS {kpi_text('roas', earlier.get('roas'), currency)} in the {before.days} days before "
        f"({before.label()}), link CTR {kpi_text('ctr', earlier.get('ctr'), currency)} -> "
        f"{kpi_text('ctr', totals.get('ctr'), currency)}."
    ]


def _other_results_lines(results_of_entity: pl.DataFrame, period: Period, currency: str | None) -> list[str]:
    """`Results by type: ...`: the other objectives (traffic, leads) of an entity judged on purchases, each apart."""
    mine = results_in(results_of_entity, period).filter(~is_purchase_type("result_type"))
    if not mine.height:
        return []
    return [f"Results by type: {results_text(mine, currency)}."]


def _label(level: str, exact: str, rows: pl.DataFrame, name_account: bool) -> str:
    """`ad set 'Summer Sale' (campaign 'Summer Sale | Promo')`, `ad 'A' (in 2 ad sets)`, with its account if asked."""
    label = f"{LEVEL_WORDS[level]} {quoted(exact)}"
    parents = rows.select(LEVELS[level][:-1]).unique().sort(LEVELS[level][:-1]) if level != "campaign" else None
    if parents is not None and parents.height == 1:
        label += f" ({LEVEL_WORDS[parents.columns[-1]]} {quoted(parents.row(0)[-1])})"
    elif parents is not None:
        label += f" (in {parents.height} {LEVEL_WORDS[parents.columns[-1]]}s)"
    if name_account:
        label += f" in {account_text(rows['account'][0])}"
    return label


def _evidence_lines(
    totals: Row, figures: Row, period: Period, stopped: bool, params: Params, currency: str | None
) -> list[str]:
    """The period, then spend / purchases / CPA against target, then ROAS against target and break-even."""
    targets = params.targets
    lines = [
        f"Period: {period.label()} ({params.recommend.lookback_days} days{' of its delivery' if stopped else ''}).",
        f"Spend {money_text(totals['spend'], currency)}, "
        f"{'purchases unknown' if totals.get('purchases') is None else whole_text(totals['purchases']) + ' purchases'}"
        ", "
        "purchase value "
        f"{money_text(totals.get('purchase_value'), currency)}; CPA {kpi_text('cpa', totals.get('cpa'), currency)} vs "
        f"target {money_text(targets.cpa, currency)}.",
        f"ROAS {kpi_text('roas', totals.get('roas'), currency)} vs target {targets.roas:.2f} and break-even "
        f"{breakeven_roas(targets.gross_margin):.2f}: P(ROAS > target) {share_text(figures['p_roas_above_target'])}, "
        f"P(ROAS < break-even) {share_text(figures['p_roas_below_breakeven'])}.",
    ]
    if totals.get("purchases") is None:  # one line says what is unknown and why, instead of a row of dashes
        lines[1:] = [
            f"Spend {money_text(totals['spend'], currency)}; purchases, purchase value, ROAS and CPA "
            f"{MISSING} (unknown, not 0)."
        ]
    return lines


def _ad_frequency(frame: pl.DataFrame) -> float | None:
    """Average daily frequency of one ad's rows: impressions / reach over the days with reach."""
    reached = frame.filter(pl.col("reach").is_not_null())
    if reached.height == 0:
        return None
    sums = reached.select(pl.col("impressions").sum(), pl.col("reach").sum())
    frequency = sums.select(ratio("impressions", "reach")).item()
    return None if frequency is None else float(frequency)


def next_step_lines(
    action: str, spend: float, period: Period, own_end: dt.date, end_all: dt.date, params: Params, currency: str | None
) -> list[str]:
    """A verdict's closing lines: the budget step of a scale call, and what to do when it stopped spending."""
    lines = []
    if action == "scale":
        per_day = spend / period.days
        step = params.recommend.max_budget_step
        after = money_text(per_day * (1 + step), currency)
        lines.append(
            f"Suggested step: about {money_text(per_day, currency)} -> {after} a "
            f"day (+{step:.0%}), then re-check after a few days."
        )
    if own_end < end_all:
        lines.append(
            f"It has not spent since {own_end} ({(end_all - own_end).days} days before the last day in "
            f"the data, {end_all}): it is already off; "
            + ("keep it off." if action == "pause" else "turn it back on only with a new reason.")
        )
    return lines


def _verdict_per_account(
    kpis_daily: pl.DataFrame,
    level: str,
    exact: str,
    params: Params,
    fatigue: pl.DataFrame | None,
    currency: str | None,
    results_daily: pl.DataFrame | None,
) -> Answer:
    """One verdict per account holding a campaign, ad set or ad called `exact` (same names, separate entities),
    each from that account's rows only; the verdict itself when one account holds it."""
    owners = kpis_daily.filter(pl.col(level) == exact).select("account").unique().sort("account", nulls_last=True)

    def mine(frame: pl.DataFrame | None, account: str | None) -> pl.DataFrame | None:
        if frame is None or "account" not in frame.columns:
            return frame
        return frame.filter(pl.col("account").eq_missing(account))

    answers = {
        account: verdict(
            kpis_daily.filter(pl.col("account").eq_missing(account)),
            exact,
            params,
            level,
            mine(fatigue, account),
            currency,
            mine(results_daily, account),
            name_account=True,
        )
        for account in owners["account"].to_list()
    }
    if len(answers) == 1:
        return next(iter(answers.values()))
    names = ", ".join(quoted(account) if account is not None else "the default account" for account in answers)
    calls = "; ".join(
        f"{account_text(account)}: {ACTIONS[answer.data['action']]}"
        if "action" in answer.data
        else f"{account_text(account)}: {answer.headline.split(':')[0]}"
        for account, answer in answers.items()
    )
    headline = (
        f"{LEVEL_WORDS[level].capitalize()} {quoted(exact)} runs in {len(answers)} accounts ({names}): "
        f"judged in each apart, never merged. {calls}."
    )
    lines = [line for answer in answers.values() for line in (answer.headline, *(f"  {x}" for x in answer.lines))]
    return Answer(
        headline,
        lines,
        {"level": level, "entity": exact, "accounts": {account: answer.data for account, answer in answers.items()}},
    )


def _verdict_by_results(
    mine: pl.DataFrame,
    account: pl.DataFrame,
    label: str,
    period: Period,
    params: Params,
    fatigue: Row | None,
    currency: str | None,
    where: Row,
) -> Answer:
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
        (PURCHASES_UNKNOWN if where.get("purchases") is None else f"Its spend bought {kind}, not purchases.")
        + f" Judged by cost per {unit} instead, against the account's own cost per {unit} over "
        "the same days (no target is set for it).",
        f"{count_text(main['results'])} {kind} on {money_text(main['spend'], currency)} spend: cost per {unit} "
        f"{cost_text(main['cost_per_result'], currency)} vs the account's {cost_text(benchmark, currency)}; "
        f"P(cost per {unit} > {params.recommend.result_cost_multiple:g} x the account's) "
        f"{share_text(judged.figures.get('p_cost_above_ceiling'))}, P(below the account's) "
        f"{share_text(judged.figures.get('p_cost_below_account'))}.",
    ]
    if mine.height > 1:
        lines.append(
            f"Its other result types (judged apart, never added to {kind}): {results_text(mine.slice(1), currency)}."
        )
    lines += next_step_lines(judged.action, main["spend"], period, own_end, end_all, params, currency)
    headline = f"{ACTIONS[judged.action]}: {label}: {judged.reason}{confidence}."
    return Answer(
        headline,
        lines,
        {
            "action": judged.action,
            "level": where["level"],
            "entity": where["entity"],
            "period": period,
            "figures": judged.figures,
            "result_type": kind,
        },
    )
