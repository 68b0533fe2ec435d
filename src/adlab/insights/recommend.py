"""This week's actions: one row per ad set and ad that spent in the last `recommend.lookback_days` days.

Every entity is judged with the rules of `rules.py` against its own account's benchmarks (AOV, cost per
result); the table is what the `recommend` stage writes to data/processed/recommendations.csv.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from adlab.insights.answer import LEVELS, Row, quoted, several_accounts
from adlab.insights.lifecycle import paused_winners, steady_decliners
from adlab.insights.periods import Period, in_period, last_day, totals_of, window_ending
from adlab.insights.results import by_results, main_results, results_in
from adlab.insights.rules import Judgement, judge, judge_results
from adlab.kpis import ratio, rollup
from adlab.params import Params
from adlab.schema import ENTITY
from adlab.tactics import tactics_of

SCHEMA = {
    "level": pl.String,
    "account": pl.String,
    "entity": pl.String,
    "campaign": pl.String,
    "adset": pl.String,
    "ad": pl.String,
    "action": pl.String,
    "reason": pl.String,
    "confidence": pl.Float64,
    "budget_change": pl.Float64,
    "spend": pl.Float64,
    "purchases": pl.Int64,
    "purchase_value": pl.Float64,
    "roas": pl.Float64,
    "cpa": pl.Float64,
    "ctr": pl.Float64,
    "frequency": pl.Float64,
    "p_roas_above_target": pl.Float64,
    "p_roas_below_breakeven": pl.Float64,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "result_type": pl.String,
    "results": pl.Float64,
    "cost_per_result": pl.Float64,
    "tactic": pl.String,
}


def recommendations(
    kpis_daily: pl.DataFrame,
    params: Params,
    fatigue: pl.DataFrame | None = None,
    results_daily: pl.DataFrame | None = None,
    *,
    keep_account: bool = False,
) -> pl.DataFrame:
    """One row per ad set and ad that spent in the last `recommend.lookback_days` days: action, reason, evidence.

    `action` is pause, scale, refresh_creative, revive, sunset, keep or wait; `tactic` the tactic of params.yaml
    that made it (stop_loss, scale_winner, refresh_fatigued, revive_paused_winner, sunset_decliner; null for
    keep and wait); `confidence` is the posterior probability behind it; `budget_change` the suggested step
    (+scale_winner.budget_step for scale, -sunset_decliner.budget_step for sunset, -1 for pause, null for
    revive: back on at its former daily spend). An entity that spent nothing in the window gets a row only
    when it is a paused past winner (lifecycle.paused_winners), judged on its own last days of delivery.
    Rows sorted by level, account, campaign, ad set, ad. An entity whose purchases are unknown is judged by the
    cost per result of its main result type in `results_daily` (judge_results); `result_type`, `results` and
    `cost_per_result` say which.
    Each entity is judged against its own account's AOV and cost per result; with several accounts an
    `account` column (second) says whose entity it is, with one it is left out (kept with `keep_account`).
    An ad set and its only ad that got the same call are one decision, in one row (one_row_per_decision).
    """
    several = keep_account or several_accounts(kpis_daily)
    if kpis_daily.height == 0:
        return pl.DataFrame(schema=SCHEMA) if keep_account else pl.DataFrame(schema=SCHEMA).drop("account")
    period = window_ending(last_day(kpis_daily), params.recommend.lookback_days)
    window = kpis_daily.filter(in_period(period))
    account_aov, account_results = _account_benchmarks(window, results_daily, period)
    # judge() reads an ad's fatigue only when it is fatigued: the other ads need no entry.
    fatigue_by_ad = (
        {}
        if fatigue is None
        else {tuple(row[k] for k in ENTITY): row for row in fatigue.filter(pl.col("fatigued")).iter_rows(named=True)}
    )
    rows = []
    for level in ("adset", "ad"):
        decliners = steady_decliners(kpis_daily, level, period.end, params)
        rows += _level_rows(
            window, level, period, params, results_daily, account_aov, account_results, fatigue_by_ad, decliners
        )
        for totals, call, delivery in paused_winners(kpis_daily, level, period, params, account_aov):
            names = {k: totals[k] for k in LEVELS[level]}
            rows.append(_row(level, names, totals, call, None, None, delivery, params))
    table = pl.DataFrame(one_row_per_decision(rows), schema=SCHEMA).sort(
        "level", "account", "campaign", "adset", "ad", nulls_last=True
    )
    return table if several else table.drop("account")


def _account_benchmarks(
    window: pl.DataFrame, results_daily: pl.DataFrame | None, period: Period
) -> tuple[dict[Any, float | None], dict[Any, pl.DataFrame]]:
    """Each account's AOV and its results by type (cost per result) over the window, by account name."""
    # Benchmarks are each account's own: one client's AOV or cost per lead says nothing about another's.
    owners = window["account"].unique().to_list()
    account_aov = {owner: totals_of(window.filter(pl.col("account").eq_missing(owner))).get("aov") for owner in owners}
    account_results = {
        owner: results_in(
            None if results_daily is None else results_daily.filter(pl.col("account").eq_missing(owner)), period
        )
        for owner in owners
    }
    return account_aov, account_results


def _level_rows(
    window: pl.DataFrame,
    level: str,
    period: Period,
    params: Params,
    results_daily: pl.DataFrame | None,
    account_aov: dict[Any, float | None],
    account_results: dict[Any, pl.DataFrame],
    fatigue_by_ad: dict[tuple[Any, ...], Row],
    decliners: dict[tuple[Any, ...], Judgement],
) -> list[Row]:
    """The recommendation rows of every entity at `level` (ad set or ad) that spent in the window; an entity kept
    by the window rules gets its sunset call when it is in `decliners`."""
    keys = list(LEVELS[level])
    # One roll-up (and one frequency pass) per level; then each entity's row is judged on its own.
    frequencies = _frequencies(window, keys) if level == "ad" else {}
    # Only the figures judge() and the table read (a row of every KPI costs more to build than to judge).
    figures = rollup(window, keys).select(*keys, "spend", "purchases", "purchase_value", "roas", "cpa", "ctr")
    main_by_entity = main_results(results_daily, period, keys)
    rows = []
    for totals in figures.iter_rows(named=True):
        if not totals.get("spend"):
            continue
        key = tuple(totals[k] for k in keys)
        frequency = frequencies.get(key) if level == "ad" else None
        main = main_by_entity.get(key)
        main = main if by_results(totals.get("purchases"), main) else None
        fatigue_row = fatigue_by_ad.get(key) if level == "ad" else None
        verdict = _judge_entity(totals, frequency, main, fatigue_row, account_aov, account_results, params)
        if verdict.action == "keep" and key in decliners:  # neither a loser nor a winner, but steadily sliding
            verdict = decliners[key]
        rows.append(_row(level, dict(zip(keys, key, strict=True)), totals, verdict, frequency, main, period, params))
    return rows


def _judge_entity(
    totals: Row,
    frequency: float | None,
    main: Row | None,
    fatigue_row: Row | None,
    account_aov: dict[Any, float | None],
    account_results: dict[Any, pl.DataFrame],
    params: Params,
) -> Judgement:
    """The call on one entity: by the cost per result of its `main` result type when it has one, else by purchases."""
    if main is not None:
        same = account_results[totals["account"]].filter(pl.col("result_type") == main["result_type"])
        benchmark, total = (same["cost_per_result"][0], same["spend"][0]) if same.height else (None, None)
        return judge_results(main, benchmark, params, fatigue_row, main["spend"] / total if total else None)
    return judge({**totals, "frequency": frequency}, params, fatigue_row, account_aov[totals["account"]])


def one_row_per_decision(rows: list[Row]) -> list[Row]:
    """The recommendation rows with an ad set and its only ad merged into one row when they got the same call.

    An ad set whose single ad (the only one that spent in the window) got the same action is one decision: its
    row stays where the action is taken. A scale stays on the ad set, which holds the budget; a pause, refresh
    creative, keep or wait stays on the ad, what is switched off or replaced (and the row that carries the ad's
    own evidence, such as frequency). The kept row's reason says the ad is the ad set's only one. An ad without
    a name (an export at ad set level) adds nothing to its ad set, so the ad set row is kept then.
    """
    ads_of: dict[tuple[Any, ...], list[int]] = {}
    for index, row in enumerate(rows):
        if row["level"] == "ad":
            ads_of.setdefault((row["account"], row["campaign"], row["adset"]), []).append(index)
    dropped: set[int] = set()
    reasons: dict[int, str] = {}
    for index, row in enumerate(rows):
        ads = ads_of.get((row["account"], row["campaign"], row["adset"]), []) if row["level"] == "adset" else []
        if len(ads) != 1 or rows[ads[0]]["action"] != row["action"]:
            continue
        only = rows[ads[0]]
        if only["ad"] is None:
            dropped.add(ads[0])
        elif row["action"] == "scale":
            dropped.add(ads[0])
            reasons[index] = f"{row['reason']}; {quoted(only['ad'])} is its only ad"
        else:
            dropped.add(index)
            reasons[ads[0]] = f"{only['reason']}; it is the only ad of its ad set"
    return [
        {**row, "reason": reasons.get(index, row["reason"])} for index, row in enumerate(rows) if index not in dropped
    ]


def _row(
    level: str,
    names: Row,
    totals: Row,
    verdict: Judgement,
    frequency: float | None,
    main: Row | None,
    period: Period,
    params: Params,
) -> Row:
    """One recommendation row: the entity's names, the call, and its evidence rounded as the CSV keeps it."""
    return {
        "level": level,
        "account": names["account"],
        "entity": names[level],
        "campaign": names["campaign"],
        "adset": names["adset"],
        "ad": names.get("ad"),
        "action": verdict.action,
        "reason": verdict.reason,
        "confidence": None if verdict.confidence is None else round(verdict.confidence, 4),
        "budget_change": _budget_change(verdict.action, params),
        "spend": round(totals["spend"], 2),
        "purchases": totals.get("purchases"),
        "purchase_value": None if totals.get("purchase_value") is None else round(totals["purchase_value"], 2),
        **{name: None if totals.get(name) is None else round(totals[name], 6) for name in ("roas", "cpa", "ctr")},
        "frequency": None if frequency is None else round(frequency, 4),
        "p_roas_above_target": _round(verdict.figures.get("p_roas_above_target")),
        "p_roas_below_breakeven": _round(verdict.figures.get("p_roas_below_breakeven")),
        "period_start": period.start,
        "period_end": period.end,
        "result_type": None if main is None else main["result_type"],
        "results": None if main is None else main["results"],
        "cost_per_result": None
        if main is None or main["cost_per_result"] is None
        else round(main["cost_per_result"], 6),
        "tactic": verdict.tactic,
    }


def _budget_change(action: str, params: Params) -> float | None:
    """The suggested budget step of a call, as a share of its budget; null for revive (back on, not a step)."""
    tactics = tactics_of(params)
    steps = {"scale": tactics.scale_winner.budget_step, "sunset": -tactics.sunset_decliner.budget_step, "pause": -1.0}
    return None if action == "revive" else steps.get(action, 0.0)


def _frequencies(frame: pl.DataFrame, keys: list[str]) -> dict[tuple[Any, ...], float | None]:
    """Average daily frequency (impressions / reach over the days with reach) of every group of `keys` at once;
    groups without a row with reach are absent."""
    sums = (
        frame.lazy()
        .filter(pl.col("reach").is_not_null())
        .group_by(keys)
        .agg(pl.col("impressions").sum(), pl.col("reach").sum())
        .select(*keys, ratio("impressions", "reach").alias("frequency"))
        .collect()
    )
    return {tuple(row[:-1]): row[-1] for row in sums.iter_rows()}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with text cells starting with =, +, -, @ prefixed by `'` (spreadsheet formula injection).

    Numeric columns stay numeric: a negative number is a number, not a formula.
    """
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(r"^[=+\-@]"))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


# The recommend stage's combined rows, like `recommendations`'s.
SORT_KEYS: dict[str, tuple[str, ...]] = {"recommendations": ("level", "account", "campaign", "adset", "ad")}


def account_recommendations(
    account: str | None, inputs: dict[str, pl.DataFrame], params: Params
) -> dict[str, pl.DataFrame]:
    """The recommend stage's work for one account (what a Dask worker runs), with that account's settings:
    its kpis_daily (and results_daily, when given) -> its recommendations, `account` column kept."""
    from adlab.creatives import ad_fatigue  # the creatives module reads no recommendation: no cycle at run time

    daily = inputs["kpis_daily"]
    refresh = tactics_of(params).refresh_fatigued
    fatigue = ad_fatigue(daily, refresh.min_days, refresh.ctr_drop, refresh.frequency_rise)
    table = recommendations(daily, params, fatigue, inputs.get("results_daily"), keep_account=True)
    return {"recommendations": table}
