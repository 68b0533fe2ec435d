"""The audit in words: one paragraph per item (what changed with its counts, the test and q, the money at stake,
the action), a heading with the day and baseline, and the entities still learning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from adlab.audit.items import Audit
from adlab.display import MISSING, count_text, fmt_pct, fmt_roas, money_text

METRIC_WORDS = {
    "ctr": "CTR",
    "cvr": "conversion rate",
    "checkout_rate": "checkouts completed",
    "cpm": "CPM",
    "cpa": "CPA",
    "roas": "ROAS",
    "purchases_per_order": "platform purchases per store order",
}
COUNT_WORDS = {
    "ctr": ("link clicks", "impressions"),
    "cvr": ("purchases", "link clicks"),
    "checkout_rate": ("purchases", "checkouts"),
    "cpm": ("impressions", "spend"),
    "cpa": ("purchases", "spend"),
    "roas": ("purchase value", "spend"),
    "purchases_per_order": ("platform purchases", "store orders"),
}
MONEY_METRICS = ("cpm", "cpa")
LOWER_IS_BETTER = ("cpm", "cpa")
ACTIONS = {
    "ctr": "fewer people click: check the ad was not edited, rejected or moved to a new placement; refresh the "
    "creative if it persists",
    "cvr": "clicks stopped turning into purchases: check the landing page, stock, checkout and purchase tracking "
    "before changing budgets",
    "checkout_rate": "checkouts start but do not complete: check checkout, payment and purchase tracking now, "
    "before changing budgets",
    "cpm": "impressions cost more: auction pressure or a narrowed audience; watch a day before cutting budget",
    "cpa": "each purchase costs more: see which step moved (CTR, conversion rate, CPM); hold budget increases",
    "roas": "each unit spent brings less back: see which step moved (CTR, conversion rate, CPM, order value); hold "
    "budget increases",
    "purchases_per_order": "the platform's purchases no longer match store orders: check the pixel / Conversions "
    "API de-duplication and the store's order feed",
}
# The tactic of params.yaml `tactics:` behind each kind of standing call.
TACTICS = {"stop_loss": "stop_loss", "scale": "scale_winner", "fatigue": "refresh_fatigued"}
GAIN_ACTION = "better than usual: check it is real (tracking counting twice?) before scaling on one day"


def _value_text(metric: str, value: float | None, currency: str | None) -> str:
    if value is None:
        return MISSING
    if metric in MONEY_METRICS:
        return money_text(value, currency)
    if metric in ("roas", "purchases_per_order"):
        return fmt_roas(value)
    return fmt_pct(value)


def _count_text(name: str, value: float | None, currency: str | None) -> str:
    return money_text(value, currency) if name in ("spend", "purchase value") else count_text(value)


def _where(item: dict[str, Any], several: bool) -> str:
    """`Ad 'X' (campaign 'C' / ad set 'S')`, with its account when there are several; `the account` at account level."""
    level = item["level"]
    account = f"account '{item['account']}'" if item["account"] is not None else "the account"
    if level == "account":
        return account[0].upper() + account[1:]
    path = (("campaign", "campaign"), ("adset", "ad set"), ("ad", "ad"))
    depth = [name for name, _ in path].index(level)
    names = [f"{word} '{item[name]}'" for name, word in path[: depth + 1]]
    head = names[-1][0].upper() + names[-1][1:]
    return head + (f" ({' / '.join(names[:-1])})" if names[:-1] else "") + (f" in {account}" if several else "")


def _change_line(item: dict[str, Any], currency: str | None, days: int) -> list[str]:
    metric = item["metric"]
    before, now = item["value_0"], item["value_t"]
    change = f" ({now / before - 1:+.0%})" if now is not None and before else ""
    count, exposure = COUNT_WORDS[metric]
    if metric in ("cpm", "cpa"):  # tested as count per spend: the counts are count_t of exposure_t spend
        count, exposure = exposure, count
        shown = (item["exposure_t"], item["count_t"], item["exposure_0"], item["count_0"])
    else:
        shown = (item["count_t"], item["exposure_t"], item["count_0"], item["exposure_0"])
    lines = [
        f"{METRIC_WORDS[metric]} {_value_text(metric, before, currency)} -> {_value_text(metric, now, currency)}"
        f"{change}: {_count_text(count, shown[0], currency)} {count} on {_count_text(exposure, shown[1], currency)} "
        f"{exposure} today vs {_count_text(count, shown[2], currency)} on {_count_text(exposure, shown[3], currency)} "
        f"over the {days} days before."
    ]
    for other in (item["others"] or "").split(";") if item["others"] else []:
        name, now_text, before_text, q = other.split(":")
        now_value = None if now_text == "None" else float(now_text)
        before_value = None if before_text == "None" else float(before_text)
        lines.append(
            f"Also {METRIC_WORDS[name]} {_value_text(name, before_value, currency)} -> "
            f"{_value_text(name, now_value, currency)} (q = {float(q):.2g})."
        )
    return lines


def item_lines(item: dict[str, Any], currency: str | None, days: int, several: bool = False) -> list[str]:
    """One item in words: the headline (rank, where, what), its evidence, the test and q, money, the action."""
    kind, metric, money = item["kind"], item["metric"], item["money"]
    stake = money_text(abs(money) if money is not None else None, currency)
    unit = "purchase value" if item["money_unit"] == "value" else "spend"
    where = _where(item, several)
    if kind == "change":
        worse = (money or 0) > 0
        word = "fell" if (metric not in LOWER_IS_BETTER) == worse else "rose"
        head = f"{where}: {METRIC_WORDS[metric]} {word}"
        body = _change_line(item, currency, days)
        outcome = "lost" if worse else "gained"
        body.append(f"Test: {item['test']}, q = {item['q']:.2g}. At stake: {stake} of {unit} {outcome} today.")
        action = ACTIONS[metric] if worse else GAIN_ACTION
    elif kind == "tracking":
        step = metric.replace("_", " ")
        head = f"{where}: no purchase today while {step} held (tracking or checkout break?)"
        expected = item["count_0"] / item["exposure_0"] * item["exposure_t"] if item["exposure_0"] else None
        body = [
            f"{count_text(item['exposure_t'])} {step} today and 0 purchases; at the baseline's "
            f"{count_text(item['count_0'])} purchases per {count_text(item['exposure_0'])} {step}, about "
            f"{expected:,.1f} were expected."
            if expected is not None
            else "",
            f"Test: {item['test']}, q = {item['q']:.2g}. At stake: {stake} of {unit} not recorded today.",
        ]
        action = "check the pixel / Conversions API and the checkout now; do not cut budgets on this day's figures"
    elif kind == "store":
        head = f"{where}: platform purchases and store orders diverged"
        body = _change_line(item, currency, days)
        body.append(
            f"Test: {item['test']}, q = {item['q']:.2g}. At stake: {stake} of purchase value counted differently."
        )
        action = ACTIONS["purchases_per_order"]
    elif kind == "pacing":
        over = metric == "overspend"
        head = f"{where}: {'overspent' if over else 'underdelivered'} against its {item['evidence']}"
        body = [
            f"Spent {money_text(item['value_t'], currency)} today vs its {item['evidence']} of "
            f"{money_text(item['value_0'], currency)} ({item['value_t'] / item['value_0'] - 1:+.0%}); threshold in "
            f"audit.{'overspend' if over else 'underdelivery'}. At stake: {stake} of spend off plan."
        ]
        action = (
            "check the budget and any automated rule or bid change that raised it"
            if over
            else "check for rejected ads, a spending limit, billing, or a bid or cost cap that is too tight"
        )
    else:
        words = {"stop_loss": "stop-loss", "scale": "winner ready to scale", "fatigue": "creative fatigue"}[kind]
        head = f"{where}: {words}" + (" (new today)" if item["new"] else " (still holds)")
        evidence = item["evidence"] or (
            f"{count_text(item['count_t'])} purchases on {money_text(item['exposure_t'], currency)} spend over the "
            f"lookback, ROAS {fmt_roas(item['value_0'])}; spent {money_text(item['value_t'], currency)} today"
        )
        confidence = "" if item["p"] is None else f", confidence {1 - item['p']:.0%}"
        body = [f"Rule: {item['rule']}{confidence}.", f"Evidence: {evidence}."]
        if kind == "scale":
            body.append(f"At stake: about {stake} of purchase value a day from the step at the current ROAS.")
            action = "raise the budget by at most the step in tactics.scale_winner.budget_step"
        else:
            body.append(f"At stake: {stake} of spend a day.")
            action = "pause it" if kind == "stop_loss" else "refresh the creative (new hook or format)"
    lines = [f"{item['rank']}. {head}.", *[f"   {line}" for line in body if line]]
    if item["also"]:
        folded = "Also moves" if kind in ("change", "tracking", "store", "pacing") else "Same call covers"
        lines.append(f"   {folded}: {item['also']}.")
    lines.append(f"   Action: {action}.")
    return lines


def audit_lines(
    audit: Audit, currencies: Mapping[str | None, str | None] | None = None, top: int | None = None
) -> list[str]:
    """The audit in words: heading, the `top` items (all by default), then the entities still learning.

    `currencies` maps each account to its currency (amounts are never converted).
    """
    items = audit.items if top is None else audit.items.head(top)
    several = audit.items["account"].n_unique() > 1
    start, end = audit.baseline
    new = audit.items.filter(pl.col("new")).height
    lines = [
        f"Audit of {audit.day} against {start} .. {end}: {audit.items.height} items ({new} new today), "
        f"{audit.entities} entities judged, {audit.tests} tests (false discovery rate controlled per account).",
    ]
    if items.is_empty():
        lines.append("Nothing moved beyond what day-to-day noise gives; no rule fired.")
    for item in items.iter_rows(named=True):
        currency = (currencies or {}).get(item["account"])
        lines += item_lines(item, currency, (end - start).days + 1, several)
    if audit.items.height > items.height:
        lines.append(f"... {audit.items.height - items.height} more items (--top to see more).")
    if audit.learning.height:
        counts = audit.learning.group_by("level").len().sort("level")
        listed = ", ".join(
            f"{n} {level.replace('adset', 'ad set')}{'s' if n > 1 else ''}" for level, n in counts.iter_rows()
        )
        named = audit.learning.sort("spend_t", descending=True).head(3)
        names = ", ".join(f"'{row[row['level']]}'" for row in named.iter_rows(named=True))
        lines.append(
            f"Still learning (fewer baseline days with spend than audit.min_baseline_days; not judged): {listed}, "
            f"e.g. {names}."
        )
    return lines


def baseline_days(audit: Audit) -> int:
    """How many days the audit's baseline covers."""
    start, end = audit.baseline
    return (end - start).days + 1


def item_summary(item: dict[str, Any], currency: str | None, days: int, several: bool = False) -> str:
    """One item in one line: rank, where and what (item_lines' headline), the money at stake and q when tested."""
    head = item_lines(item, currency, days, several)[0].removesuffix(".")
    money = item["money"]
    stake = money_text(abs(money) if money is not None else None, currency)
    tactic = f" · tactic {TACTICS[item['kind']]}" if item["kind"] in TACTICS else ""
    q = "" if item["q"] is None else f" · q = {item['q']:.2g}"
    return f"{head} · {stake} at stake{q}{tactic}."


def summary_lines(audit: Audit, currencies: Mapping[str | None, str | None] | None = None, top: int = 3) -> list[str]:
    """The audit's `top` items, one line each (item_summary); empty when nothing was called."""
    several = audit.items["account"].n_unique() > 1
    return [
        item_summary(item, (currencies or {}).get(item["account"]), baseline_days(audit), several)
        for item in audit.items.head(top).iter_rows(named=True)
    ]
