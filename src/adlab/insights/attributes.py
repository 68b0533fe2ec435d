"""Creative attributes ranked: the ads' formats, hooks or concepts (parsed from ad names by the naming rules of
params.yaml `creatives.naming`, `creatives.creative_attributes`), each summed over its ads, best or worst first."""

from __future__ import annotations

import polars as pl

from adlab.creatives import attribute_names, creative_attributes
from adlab.currency import gate_amount
from adlab.display import money_text
from adlab.errors import AdlabError
from adlab.insights.answer import LOWER_IS_BETTER, Answer, Workspace, quoted
from adlab.insights.lookup import figure_word, is_ratio, value_text, when_text
from adlab.insights.periods import in_period, periods_for
from adlab.insights.questions import Intent
from adlab.kpis import rollup

UNNAMED = "(not in the name)"


def rank_attribute(intent: Intent, workspace: Workspace) -> Answer:
    """Every value of the attribute (every format, hook ...) by the KPI over the period, best first (worst first
    when asked), those under the spend gate left out and counted.

    Raises:
        AdlabError: the naming rules give no such attribute (the message names the ones they give).
    """
    attribute, kpi, currency = intent.level or "format", intent.kpi, workspace.currency
    rules = workspace.params.creatives.naming_rules
    if attribute not in attribute_names(rules):
        given = ", ".join(attribute_names(rules)) or "none"
        raise AdlabError(
            f"ad names give no {attribute}: the naming rules in params.yaml (creatives.naming) give {given}."
        )
    kpis_daily = workspace.kpis_daily
    period = intent.periods[0] if intent.periods else periods_for(kpis_daily, "days", 7)[0]
    when = when_text(kpis_daily, period)
    days = kpis_daily.filter(in_period(period) & pl.col("ad").is_not_null())
    names = creative_attributes(days["ad"].unique().to_list(), rules).select("ad", attribute)
    joined = days.join(names, on="ad", how="left").with_columns(pl.col(attribute).fill_null(UNNAMED))
    rolled = rollup(joined, [attribute]).filter(pl.col(kpi).is_not_null())
    min_spend = gate_amount(workspace.params.recommend.segment_min_spend, currency) if is_ratio(kpi) else 0.0
    high_first = (kpi not in LOWER_IS_BETTER) == (intent.order == "top")
    ranked = rolled.sort(kpi, attribute, descending=[high_first, False])
    eligible = ranked.filter(pl.col("spend").fill_null(0.0) >= min_spend)
    by = f"by {figure_word(kpi)}"
    if eligible.height == 0:
        return Answer(f"No {attribute} had {money_text(min_spend, currency)} spend {when}, so none is ranked {by}.")
    order = "best first" if intent.order == "top" else "worst first"
    items = "; ".join(
        f"{quoted(row[attribute])} {value_text(kpi, row[kpi], currency)}" for row in eligible.iter_rows(named=True)
    )
    ads = dict(joined.group_by(attribute).agg(pl.col("ad").n_unique()).iter_rows())
    lines = [
        f"{quoted(row[attribute])}: {value_text(kpi, row[kpi], currency)} on {money_text(row['spend'], currency)} "
        f"spend over {ads[row[attribute]]} ad(s)."
        for row in eligible.iter_rows(named=True)
    ]
    if left := ranked.height - eligible.height:
        lines.append(f"{left} {attribute}(s) under {money_text(min_spend, currency)} spend {when} left out.")
    lines.append(f"The {attribute} of each ad comes from its name (params.yaml creatives.naming).")
    return Answer(f"Your {attribute}s {by} {when}, {order}: {items}.", lines, {"ranked": eligible, "period": period})
