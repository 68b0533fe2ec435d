"""Rank answers: the top or worst N campaigns, ad sets or ads by any figure over a period, with the volume gate.

A ratio (ROAS, CPA, CTR, ...) of a small spender is mostly chance, so ratios rank only the entities past the
gate best_for_segment uses (`recommend.segment_min_spend` in the account currency, and
`recommend.segment_min_purchases` for the purchase KPIs); the others are left out and counted.
"""

from __future__ import annotations

import polars as pl

from adlab.currency import gate_amount
from adlab.display import count_text, money_text
from adlab.errors import AdlabError
from adlab.insights.answer import (
    LEVEL_WORDS,
    LEVELS,
    LOWER_IS_BETTER,
    PURCHASE_KPIS,
    Answer,
    Row,
    Workspace,
    account_text,
    entity_label,
    quoted,
    several_accounts,
)
from adlab.insights.attributes import rank_attribute
from adlab.insights.lookup import figure_word, is_ratio, scoped, unknown_reason, value_text, when_text
from adlab.insights.periods import in_period, periods_for
from adlab.insights.questions import Intent
from adlab.insights.segments import best_for_segment
from adlab.insights.vocabulary import ATTRIBUTE_LEVELS
from adlab.kpis import KPI_FRACTIONS, rollup
from adlab.schema import AD_METRICS

DEFAULT_N = 5


def plural(level: str, count: int) -> str:
    """`ads`, `ad set`, `campaigns`."""
    return LEVEL_WORDS[level] + ("" if count == 1 else "s")


def rank(intent: Intent, workspace: Workspace) -> Answer:
    """The top (or worst) n at the level by the figure over the period; worst CPA is the highest.

    Raises:
        AdlabError: the figure is not one an entity has (store figures are the whole shop's).
    """
    if intent.level in ATTRIBUTE_LEVELS:
        return rank_attribute(intent, workspace)
    kpis_daily, currency, kpi = workspace.kpis_daily, workspace.currency, intent.kpi
    if kpi not in KPI_FRACTIONS and kpi not in AD_METRICS:
        raise AdlabError(
            f"{figure_word(kpi)} is the whole account's, so ads cannot be ranked by it; rank by ROAS, CPA, CTR, "
            'CPC, CPM, CVR, AOV, spend or purchases ("top 5 ads by ROAS last week").'
        )
    level, n = intent.level or "ad", intent.n or DEFAULT_N
    period = intent.periods[0] if intent.periods else periods_for(kpis_daily, "days", 7)[0]
    frame, label = scoped(intent.name, None, intent.platform, kpis_daily)
    when = when_text(kpis_daily, period)
    days = frame.filter(in_period(period) & pl.col(level).is_not_null())
    keys = list(LEVELS[level])
    rolled = rollup(days, keys)
    wanted = "best" if intent.order == "top" else "worst"
    by = f"by {figure_word(kpi)}" + (f" in {label}" if label else "")
    if rolled.height == 0 or rolled[kpi].null_count() == rolled.height:
        if kpi in PURCHASE_KPIS and workspace.results_daily is not None and workspace.results_daily.height:
            # No purchases exported: rank by cost per result of the main result type, as "best" questions do.
            return best_for_segment(
                kpis_daily, workspace.ad_insights, {}, workspace.params, level, kpi, currency, workspace.results_daily
            )
        totals = rollup(days.with_columns(pl.lit(1).alias("_all")), ["_all"])
        row: Row = totals.row(0, named=True) if totals.height else {}
        row["rows"] = days.height
        reason = unknown_reason(kpi, row, workspace, True, when)
        return Answer(f"I cannot rank your {plural(level, 2)} {by} {when}: {reason}.", [], {"ranked": rolled})
    settings = workspace.params.recommend
    min_spend = gate_amount(settings.segment_min_spend, currency)
    gate_words = ""
    enough = pl.lit(value=True)
    if is_ratio(kpi):
        enough = pl.col("spend").fill_null(0.0) >= min_spend
        gate_words = f"at least {money_text(min_spend, currency)} spend"
        if kpi in PURCHASE_KPIS:
            enough = enough & (pl.col("purchases").fill_null(0) >= settings.segment_min_purchases)
            gate_words += f" and {settings.segment_min_purchases} purchases"
    # "Best" is the KPI's good direction (lowest CPA); "worst" the other end.
    high_first = (kpi not in LOWER_IS_BETTER) == (intent.order == "top")
    ranked = (
        rolled.with_columns(enough.alias("enough_data"))
        .filter(pl.col(kpi).is_not_null())
        .sort(kpi, *keys, descending=[high_first, *([False] * len(keys))], nulls_last=True)
    )
    eligible = ranked.filter(pl.col("enough_data"))
    left_out = ranked.filter(~pl.col("enough_data"))
    several = several_accounts(days)
    listed = eligible.head(n)
    items = "; ".join(
        f"{i}. {quoted(row[level])}"
        + (f" ({account_text(row.get('account'))})" if several else "")
        + f" {value_text(kpi, row[kpi], currency)}"
        for i, row in enumerate(listed.iter_rows(named=True), 1)
    )
    if listed.height == 0:
        headline = f"No {LEVEL_WORDS[level]} had {gate_words} {when}, so none can be ranked {by}."
    elif listed.height < n:
        headline = (
            f"Only {listed.height} {plural(level, listed.height)} can be ranked {by} {when} (you asked for {n}): "
            f"{items}."
        )
    else:
        headline = f"Your {n} {wanted} {plural(level, n)} {by} {when}: {items}."
    lines = [
        f"{i}. {entity_label(level, row, several)}: {value_text(kpi, row[kpi], currency)} "
        f"(spend {money_text(row['spend'], currency)}, {count_text(row['purchases'])} purchases)."
        for i, row in enumerate(listed.iter_rows(named=True), 1)
    ]
    if gate_words:
        under = (
            f"{left_out.height} {plural(level, left_out.height)} under that left out "
            f"({money_text(float(left_out['spend'].sum()), currency)} spend)"
            if left_out.height
            else "none was under that"
        )
        lines.append(f"Ranked: {plural(level, 2)} with {gate_words} {when}; {under}.")
    no_value = rolled.height - ranked.height
    if no_value:
        lines.append(f"{no_value} {plural(level, no_value)} without a {figure_word(kpi)} {when} left out.")
    return Answer(headline, lines, {"ranked": ranked, "period": period})
