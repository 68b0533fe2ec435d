"""The daily audit: one account's (or every account's) audited day as ranked items, each with what changed, the
test and its false-discovery-adjusted p-value (q), the money at stake and one action.

Order of work: roll the day and its baseline up per account, campaign, ad set and ad (`entities`); set aside
entities still learning (too few baseline days with spend: said as such, not judged); test every rate of every
judged entity and the tracking checks (`changes`), then adjust all of an account's p-values of the day together
(Benjamini-Hochberg, `audit.fdr`), so that of the changes called, about that share at most are chance; add
pacing (`pacing`) and the rules' calls (`calls`). One cause shows at one level: flagged children that carry
half or more of their parent's money at stake keep their items (the largest names the parent), else the parent
keeps it and names its children; a tracking break keeps the coarsest level and the changes it explains. Items
new today rank first: losses of purchase value by money at stake, then pacing (spend off plan), then gains;
standing calls (a stop-loss or a winner that already held yesterday) follow in the same order.
Accounts are never pooled: tests, q-values and targets are each account's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from adlab.audit.calls import fatigue_onsets, rule_calls
from adlab.audit.changes import rate_tests, store_tests, tracking_tests
from adlab.audit.entities import KEYS, LEVELS, entity_days, entity_stats
from adlab.audit.pacing import budgets_on, pacing
from adlab.audit.settings import AuditSettings
from adlab.audit.stats import with_q
from adlab.errors import AdlabError

LEVEL_ORDER = {"account": 0, "campaign": 1, "adset": 2, "ad": 3}
# Flagged children carrying at least this share of their parent's money at stake are where the causes are.
EXPLAINS = 0.5

ITEMS_SCHEMA: dict[str, pl.DataType] = {
    "rank": pl.Int64(),
    "level": pl.String(),
    **{name: pl.String() for name in KEYS},
    "kind": pl.String(),  # change | tracking | store | pacing | stop_loss | scale | fatigue
    "metric": pl.String(),
    "new": pl.Boolean(),
    "value_t": pl.Float64(),
    "value_0": pl.Float64(),
    "count_t": pl.Float64(),
    "exposure_t": pl.Float64(),
    "count_0": pl.Float64(),
    "exposure_0": pl.Float64(),
    "test": pl.String(),
    "p": pl.Float64(),
    "q": pl.Float64(),
    "money": pl.Float64(),  # positive: a loss (or spend off plan); negative: a gain
    "money_unit": pl.String(),  # value (purchase value) | spend
    "rule": pl.String(),
    "evidence": pl.String(),
    "others": pl.String(),  # the entity's other significant metrics, `metric:value_t:value_0:q;...`
    "also": pl.String(),  # the levels folded into this item, `campaign 'X'; the account`
}


@dataclass(frozen=True)
class Audit:
    """One audited day: the ranked items, the entities still learning, and how many tests were run."""

    day: dt.date
    baseline: tuple[dt.date, dt.date]
    items: pl.DataFrame  # ITEMS_SCHEMA, ranked
    learning: pl.DataFrame  # level, keys, days_0, spend_t: live today with too few baseline days
    tests: int  # tests run (the Benjamini-Hochberg family sizes added up)
    entities: int  # entities judged


def audit_day(
    kpis_daily: pl.DataFrame,
    settings: AuditSettings,
    day: dt.date | None = None,
    *,
    targets: pl.DataFrame | None = None,
    ad_insights: pl.DataFrame | pl.LazyFrame | None = None,
    store_days: pl.DataFrame | None = None,
) -> Audit:
    """The audit of `day` (default: the last day in `kpis_daily`) against each entity's trailing baseline.

    Args:
        kpis_daily: one row per (date, platform, account, campaign, ad set, ad) with the additive sums.
        settings: the audit's thresholds (`AuditSettings.from_params`).
        day: the day audited; must lie within the data.
        targets: one row per account with `target_cpa`, `target_roas`, `breakeven_roas` (each account's own);
            default: the settings' for every account.
        ad_insights: for the budgets (`budget`, `budget_type`, `budget_level`); without it pacing uses the usual day.
        store_days: one row per (account, date) with the store's `orders`, for the purchases-vs-orders check.

    Raises:
        AdlabError: no ad data, or `day` outside the data.
    """
    if kpis_daily.is_empty():
        raise AdlabError("there is no daily ad data to audit; export by Day and run `adlab report` first.")
    first, last = kpis_daily["date"].min(), kpis_daily["date"].max()
    assert isinstance(first, dt.date)
    assert isinstance(last, dt.date)
    day = day or last
    if not first <= day <= last:
        raise AdlabError(f"--date {day} is outside the data, which runs from {first} to {last}.")
    baseline = (day - dt.timedelta(days=settings.baseline_days), day - dt.timedelta(days=1))
    days = entity_days(kpis_daily, day, settings.baseline_days).collect()
    stats = entity_stats(days.lazy(), day).with_columns(pl.lit(settings.baseline_days).alias("baseline_days"))
    live = (pl.col("spend_t") > 0) | (pl.col("impressions_t") > 0)
    learning = stats.filter(
        live & (pl.col("level") != "account") & (pl.col("days_0") < settings.min_baseline_days)
    ).select("level", *KEYS, "days_0", "spend_t")
    judged = stats.filter(live & (pl.col("days_0") >= settings.min_baseline_days))
    account_days = days.filter(pl.col("level") == "account").with_columns(pl.col("account").cast(pl.String))
    tests = pl.concat(
        [
            rate_tests(judged),
            tracking_tests(judged, settings.clicks_hold),
            store_tests(account_days, store_days, day),
        ]
    )
    tests = with_q(tests.with_columns(pl.col("account").fill_null("")), "account").with_columns(
        pl.col("account").replace("", None)
    )
    # Significant and large enough to matter: the rate moved by `min_change` or more (tracking breaks always do).
    moved = (
        (pl.col("count_t") / pl.col("exposure_t")) / (pl.col("count_0") / pl.col("exposure_0")) - 1
    ).abs() >= settings.min_change
    flagged = tests.filter((pl.col("q") <= settings.fdr) & ((pl.col("kind") == "tracking") | moved))
    targets = _targets(kpis_daily, settings) if targets is None else targets
    budgets = budgets_on(ad_insights, day)
    judged_levels = judged.filter(pl.col("level").is_in(list(LEVELS)))
    items = [
        *_test_items(flagged),
        *_pacing_items(pacing(judged_levels, budgets, settings.overspend, settings.underdelivery)),
        *_call_items(rule_calls(kpis_daily, day, settings, targets)),
        *_call_items(fatigue_onsets(kpis_daily, day, settings)),
    ]
    ranked = _ranked(_folded(items))
    return Audit(
        day,
        baseline,
        pl.DataFrame(ranked, schema=ITEMS_SCHEMA),
        learning.sort("level", *KEYS, nulls_last=True),
        int(tests["p"].is_not_null().sum()),
        judged.height,
    )


def _targets(kpis_daily: pl.DataFrame, settings: AuditSettings) -> pl.DataFrame:
    """The settings' targets for every account of the data."""
    return kpis_daily.select(pl.col("account").unique()).with_columns(
        pl.lit(settings.target_cpa).alias("target_cpa"),
        pl.lit(settings.target_roas).alias("target_roas"),
        pl.lit(settings.breakeven_roas).alias("breakeven_roas"),
    )


def _blank(row: dict[str, Any]) -> dict[str, Any]:
    """An item with every column of ITEMS_SCHEMA, the given ones filled."""
    return {name: row.get(name) for name in ITEMS_SCHEMA}


def _value(metric: str, count: float | None, exposure: float | None, scale: float) -> float | None:
    """A metric's value as users read it, from its count and exposure (CPM and CPA invert the tested rate)."""
    if count is None or exposure is None:
        return None
    if metric == "cpm":
        return exposure / count * 1000 if count else None
    if metric == "cpa":
        return exposure / count if count else None
    return count * scale / exposure if exposure else None


def _test_items(flagged: pl.DataFrame) -> list[dict[str, Any]]:
    """Items of the flagged tests: one per entity and kind, led by its metric with the most money at stake."""
    items = []
    ordered = flagged.with_columns(pl.col("money").abs().alias("_size")).sort("_size", descending=True)
    for _, rows in ordered.group_by("level", *KEYS, "kind", maintain_order=True):  # the flagged tests only: few
        lead, *rest = rows.iter_rows(named=True)
        values = {
            name: _value(lead["metric"], lead[f"count_{side}"], lead[f"exposure_{side}"], lead["scale"])
            for side, name in (("t", "value_t"), ("0", "value_0"))
        }
        others = ";".join(
            f"{row['metric']}:{_value(row['metric'], row['count_t'], row['exposure_t'], row['scale'])}:"
            f"{_value(row['metric'], row['count_0'], row['exposure_0'], row['scale'])}:{row['q']}"
            for row in rest
        )
        scale = lead["scale"] or 1.0
        items.append(
            _blank(
                {
                    **lead,
                    **values,
                    "count_t": lead["count_t"] * scale,
                    "count_0": lead["count_0"] * scale,
                    "new": True,
                    "others": others or None,
                }
            )
        )
    return _explained_by_breaks(items)


def _explained_by_breaks(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items without the changes a tracking break explains: those of the broken entity and of the entities above
    it whose loss the break carries half or more of (named under the break instead)."""
    # Each break under its own entity and every entity above it: a change finds its breaks in one look-up.
    breaks: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for broken in (item for item in items if item["kind"] == "tracking"):
        for level in LEVELS:
            if LEVEL_ORDER[level] <= LEVEL_ORDER[broken["level"]]:
                breaks.setdefault((level, *(broken[name] for name in LEVELS[level])), []).append(broken)
    kept = []
    for item in items:
        candidates = breaks.get((item["level"], *_names(item)), []) if item["kind"] == "change" else []
        cause = next(
            (
                broken
                for broken in candidates
                if broken["level"] == item["level"] or abs(broken["money"]) >= EXPLAINS * abs(item["money"] or 0)
            ),
            None,
        )
        if cause is None:
            kept.append(item)
        elif cause["level"] != item["level"]:
            cause["also"] = "; ".join(filter(None, [cause.get("also"), _label(item)]))
    return kept


def _pacing_items(rows: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        _blank(
            {
                **row,
                "kind": "pacing",
                "new": True,
                "value_t": row["spend_t"],
                "value_0": row["reference"],
                "money_unit": "spend",
                "evidence": row["reference_kind"],
            }
        )
        for row in rows.iter_rows(named=True)
    ]


def _call_items(rows: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        _blank(
            {
                **row,
                "metric": row["kind"],
                "value_t": row["spend_t"],
                "value_0": row["roas_w"],
                "count_t": row["purchases_w"],
                "exposure_t": row["spend_w"],
                "p": None if row["confidence"] is None else 1 - row["confidence"],
                "money_unit": "value" if row["kind"] == "scale" else "spend",
            }
        )
        for row in rows.iter_rows(named=True)
    ]


def _key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["level"], *(item[name] for name in KEYS))


def _names(item: dict[str, Any]) -> tuple[Any, ...]:
    """The entity's names down to its level."""
    return tuple(item[name] for name in LEVELS[item["level"]])


def _label(item: dict[str, Any]) -> str:
    level = item["level"]
    return "the account" if level == "account" else f"{level.replace('adset', 'ad set')} '{item[level]}'"


def _folded(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One cause at one level (see the module docstring): folded items are dropped, their labels kept in `also`.

    A parent whose flagged children carry half or more of its money at stake together gives way to them (the
    causes are there; the largest child names the parent); otherwise the cause is spread over children too small
    to call one by one: the parent keeps the item and names the flagged ones. A tracking break always stays at the
    coarsest level; a stop-loss on an ad set and its one losing ad is one call, on the ad.
    """
    dropped: set[int] = set()
    also: dict[int, list[str]] = {}
    groups: dict[tuple[str, bool], list[int]] = {}
    for index, item in enumerate(items):
        if item["kind"] in ("change", "pacing", "tracking", "stop_loss"):
            metric = item["metric"] if item["kind"] == "pacing" else ""
            groups.setdefault((f"{item['kind']}:{metric}", (item["money"] or 0) >= 0), []).append(index)
    for (kind, _sign), members in groups.items():
        # Each member under each of its coarser entities: a parent finds its flagged children in one look-up.
        below: dict[tuple[Any, ...], list[int]] = {}
        for index in members:
            for level in LEVELS:
                if LEVEL_ORDER[level] < LEVEL_ORDER[items[index]["level"]]:
                    below.setdefault((level, *(items[index][name] for name in LEVELS[level])), []).append(index)
        # Finest parents first, so a cause settles at the ad set before the campaign looks at it.
        for parent in sorted(members, key=lambda i: -LEVEL_ORDER[items[i]["level"]]):
            if parent in dropped or items[parent]["level"] == "ad":
                continue
            kids = [i for i in below.get((items[parent]["level"], *_names(items[parent])), []) if i not in dropped]
            if not kids:
                continue
            size = abs(items[parent]["money"] or 0)
            child = max(kids, key=lambda i: abs(items[i]["money"] or 0))
            explained = sum(abs(items[i]["money"] or 0) for i in kids)
            if not kind.startswith("tracking") and explained >= EXPLAINS * size:
                dropped.add(parent)
                also.setdefault(child, []).extend([_label(items[parent]), *also.get(parent, [])])
            else:
                dropped.update(kids)
                also.setdefault(parent, []).extend(
                    label for i in kids for label in (_label(items[i]), *also.get(i, []))
                )
    return [
        {**item, "also": "; ".join(filter(None, [item.get("also"), *also.get(index, [])])) or None}
        for index, item in enumerate(items)
        if index not in dropped
    ]


def _ranked(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New items first, then standing calls; within each, losses before pacing before gains, each by money at
    stake (largest first); ties by name.

    Pacing comes after the losses because its money is spend off plan, not value lost: an ad set spending three
    times its usual day with its returns in proportion has not lost what a collapsed conversion rate has.
    """
    ordered = sorted(
        items,
        key=lambda item: (
            not item["new"],
            2 if (item["money"] or 0) < 0 else 1 if item["kind"] == "pacing" else 0,
            -abs(item["money"] or 0),
            item["account"] or "",
            *(str(item[name] or "") for name in KEYS[1:]),
        ),
    )
    return [{**item, "rank": rank} for rank, item in enumerate(ordered, start=1)]
