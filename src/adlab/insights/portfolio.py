"""Questions across accounts: whose KPI moved most, accounts ranked by a figure, how the accounts are doing; and
one account's rows for `adlab ask --account NAME`.

The figures are the portfolio page's (report.portfolio.account_rows: each account's sums over the period, its
ratios of those sums, flags against its own targets). Amounts are in each account's own currency, so money
(spend, CPA, ...) is ranked only within one currency; ROAS, MER, rates and relative changes rank every account
together.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import polars as pl

from adlab import accounts
from adlab.display import MISSING, MONEY_COLUMNS, money_text
from adlab.errors import AdlabError
from adlab.insights.answer import Answer, Workspace, quoted
from adlab.insights.lookup import before_text, figure_word, value_text, when_text
from adlab.insights.periods import Period, periods_for
from adlab.insights.questions import Intent
from adlab.insights.vocabulary import LOWER_IS_BETTER_KPIS
from adlab.params import Params, TargetsParams
from adlab.report.portfolio import account_rows, attention_order, totals

# The figures accounts are compared by: sums of the ad exports and the ratios of those sums, and the store's.
COMPARED = (
    "spend",
    "purchase_value",
    "purchases",
    "impressions",
    "clicks",
    "link_clicks",
    "roas",
    "cpa",
    "ctr",
    "cpc",
    "cpm",
    "cvr",
    "aov",
    "revenue",
    "mer",
)
MONEY = (*MONEY_COLUMNS, "cost_per_result")
HEADLINE_ACCOUNTS = 3  # accounts that need attention named in an overview's first line


def portfolio(intent: Intent, workspace: Workspace) -> Answer:
    """The accounts side by side over the question's period (default: the latest complete week vs the week
    before): whose KPI moved most (`change`), the accounts ranked by a figure (`rank`), or every account with
    what needs attention first (`overview`). With one account, says so and gives its figures.

    Raises:
        AdlabError: the figure is not one accounts are compared by.
    """
    kpis_daily = workspace.kpis_daily
    current, previous = intent.periods or periods_for(kpis_daily, "last_week")
    when, than = when_text(kpis_daily, current), before_text(kpis_daily, current, previous)
    names = accounts.names(kpis_daily)
    rows = account_rows(
        kpis_daily,
        workspace.store,
        workspace.recommendations,
        account_targets(workspace.params, names),
        (current.start, current.end),
        (previous.start, previous.end),
        currencies=currencies_of(workspace),
        before_words=than,
        amounts=money_text,
    )
    if len(rows) < 2:
        return one_account(rows, when, than)
    if intent.view != "overview" and intent.kpi not in COMPARED:
        raise AdlabError(
            f"accounts are compared by {', '.join(figure_word(kpi) for kpi in COMPARED)}, not by "
            f'{figure_word(intent.kpi)}; ask e.g. "rank my accounts by CPA".'
        )
    if intent.view == "change":
        return moved_most(intent, rows, when, than, current)
    if intent.view == "rank":
        return ranked(intent, rows, when, than, current)
    return overview(rows, when, than, current)


def account_targets(params: Params, names: Sequence[str | None]) -> dict[str | None, TargetsParams]:
    """Each account's targets: the settings' targets with the account's own overrides (params.yaml `accounts:`)."""
    return {name: params.for_account(name).targets for name in names}


def currencies_of(workspace: Workspace) -> dict[str | None, str | None]:
    """account -> the currency of its amounts (billing_currencies), else the workspace's one currency."""
    found = billing_currencies(workspace)
    return {name: found.get(name) or workspace.currency for name in accounts.names(workspace.kpis_daily)}


# --------------------------------------------------------------------------- answers


def moved_most(intent: Intent, rows: list[dict[str, Any]], when: str, than: str, current: Period) -> Answer:
    """Whose figure moved most on the period before: fell most (`down`), rose most (`up`) or changed most either
    way, by relative change, which compares accounts whatever their currency."""
    kpi, word = intent.kpi, figure_word(intent.kpi)
    changes = [(row, change_of(row, kpi)) for row in rows]
    known = [(row, change) for row, change in changes if change is not None]
    left_out = [row["label"] for row, change in changes if change is None]
    if intent.movement == "down":
        known.sort(key=lambda pair: pair[1])
    elif intent.movement == "up":
        known.sort(key=lambda pair: -pair[1])
    else:
        known.sort(key=lambda pair: -abs(pair[1]))
    lines = [
        f"{i}. {row['label']}: {word} {moved_text(kpi, row, change)}; {figures_text(row, kpi)}."
        for i, (row, change) in enumerate(known, 1)
    ]
    if left_out:
        lines.append(f"No {word} both {when} and {than} (left out): {', '.join(left_out)}.")
    if several_currencies(rows):
        lines.append("Changes are relative, so accounts in different currencies are ranked together.")
    data = {
        "accounts": accounts_table([row for row, _ in known] + [r for r, c in changes if c is None]),
        "period": current,
    }
    if not known:
        return Answer(
            f"No account has a {word} both {when} and {than}, so none can be said to have moved.", lines, data
        )
    row, change = known[0]
    verb = {"down": "fell", "up": "rose"}.get(intent.movement, "changed")
    if (intent.movement == "down" and change >= 0) or (intent.movement == "up" and change <= 0):
        least = "smallest rise" if intent.movement == "down" else "smallest fall"
        headline = (
            f"No account's {word} {verb} {when}; the {least}: {possessive(row['label'])} {word} "
            f"{moved_text(kpi, row, change)}."
        )
    else:
        headline = f"{possessive(row['label'])} {word} {verb} most {when}: {moved_text(kpi, row, change)}."
    return Answer(headline, lines, data)


def ranked(intent: Intent, rows: list[dict[str, Any]], when: str, than: str, current: Period) -> Answer:
    """The accounts ranked by a figure, its good end first (`top`) or its other end (`worst`); money figures
    within each currency, since amounts in different currencies never compare."""
    kpi, word = intent.kpi, figure_word(intent.kpi)
    high_first = (kpi not in LOWER_IS_BETTER_KPIS) == (intent.order == "top")
    known = sorted(
        (row for row in rows if row.get(kpi) is not None),
        key=lambda row: -row[kpi] if high_first else row[kpi],  # stable: accounts.names order on a tie
    )
    unknown = [row for row in rows if row.get(kpi) is None]
    per_currency = kpi in MONEY and several_currencies(rows)
    groups = currency_groups(known) if per_currency else {None: known}
    data = {
        "accounts": accounts_table([row for group in groups.values() for row in group] + unknown),
        "period": current,
    }
    if not known:
        return Answer(f"No account has a {word} {when}, so they cannot be ranked by it.", [], data)
    n = intent.n or len(rows)

    def listed(group: Sequence[Mapping[str, Any]], separator: str) -> str:
        if n == 1:
            best = group[0]
            return f"{best['label']} {superlative(kpi, high_first)} ({value_text(kpi, best[kpi], best['currency'])})"
        return separator.join(
            f"{i}. {row['label']} {value_text(kpi, row[kpi], row['currency'])}" for i, row in enumerate(group[:n], 1)
        )

    if per_currency:
        headline = (
            f"{word[0].upper()}{word[1:]} is in each account's own currency, so accounts are compared within each "
            f"currency, never across them ({when}): "
            + "; ".join(
                f"in {currency or 'an unknown currency'}, {listed(group, ', ')}" for currency, group in groups.items()
            )
            + "."
        )
    elif n == 1:
        best = known[0]
        headline = (
            f"{best['label']} {superlative(kpi, high_first)} {when}: {value_text(kpi, best[kpi], best['currency'])}"
            f"{change_words(kpi, best, than)}."
        )
    else:
        order = "highest first" if high_first else "lowest first"
        headline = f"Your accounts by {word} {when} ({order}): {listed(known, '; ')}."
    lines = [
        f"{f'{currency} ' if per_currency else ''}{i}. {row['label']}: {word} "
        f"{value_text(kpi, row[kpi], row['currency'])}{change_words(kpi, row, than)}; {figures_text(row, kpi)}."
        for currency, group in groups.items()
        for i, row in enumerate(group, 1)
    ]
    if unknown:
        lines.append(f"No {word} {when} (left out): {', '.join(row['label'] for row in unknown)}.")
    return Answer(headline, lines, data)


def overview(rows: list[dict[str, Any]], when: str, than: str, current: Period) -> Answer:
    """Every account's figures, those that need attention first with the reasons, and the totals where the
    accounts share one currency."""
    ordered = attention_order(rows)
    flagged = [row for row in ordered if row["attention"]]
    if flagged:
        named = "; ".join(f"{row['label']}: {row['reasons'][0]}" for row in flagged[:HEADLINE_ACCOUNTS])
        more = f"; and {len(flagged) - HEADLINE_ACCOUNTS} more" if len(flagged) > HEADLINE_ACCOUNTS else ""
        verb = "needs" if len(flagged) == 1 else "need"
        headline = f"{len(rows)} accounts {when}, {len(flagged)} {verb} attention. {named}{more}."
    else:
        headline = f"{len(rows)} accounts {when}, none needs attention."
    lines = [f"Changes (±) are on {than}; amounts in each account's own currency."]
    lines += [account_line(row) for row in ordered]
    summed = totals(rows)
    if summed is None:
        codes = sorted({row["currency"] or "unknown" for row in rows})
        lines.append(f"Totals are per account because the accounts' currencies differ ({', '.join(codes)}).")
    else:
        currency = rows[0]["currency"]
        lines.append(
            "All accounts: "
            + ", ".join(
                f"{figure_word(kpi)} {value_text(kpi, summed[kpi], currency)}"
                for kpi in ("spend", "purchase_value", "roas", "cpa", "mer")
            )
            + "."
        )
    return Answer(headline, lines, {"accounts": accounts_table(ordered), "period": current})


def one_account(rows: list[dict[str, Any]], when: str, than: str) -> Answer:
    """The data holds one account: nothing to compare; its figures."""
    if not rows:
        return Answer("There is no account with ad data to compare.", [])
    row = rows[0]
    return Answer(
        f"The data holds one account ({row['label']}), so there are no accounts to compare; ask about it directly, "
        'e.g. "What was my ROAS last week?".',
        [f"{when[0].upper()}{when[1:]}, changes (±) on {than}:", account_line(row)],
        {"accounts": accounts_table(rows)},
    )


# --------------------------------------------------------------------------- words


def change_of(row: Mapping[str, Any], kpi: str) -> float | None:
    """The relative change of a figure on the period before; None where either is unknown or the earlier 0."""
    now, before = row.get(kpi), row["before"].get(kpi)
    return None if now is None or before is None or before == 0 else (now - before) / abs(before)


def moved_text(kpi: str, row: Mapping[str, Any], change: float) -> str:
    """`3.10 -> 1.85 (-40%)`, amounts with the account's currency."""
    currency = row["currency"]
    return (
        f"{value_text(kpi, row['before'].get(kpi), currency)} -> {value_text(kpi, row.get(kpi), currency)} "
        f"({change:+.0%})"
    )


def change_words(kpi: str, row: Mapping[str, Any], than: str) -> str:
    """` (+12% on the week before)`; empty where the change is unknown."""
    change = change_of(row, kpi)
    return "" if change is None else f" ({change:+.0%} on {than})"


def superlative(kpi: str, high_first: bool) -> str:
    """`spent the most`, `had the lowest CPA`."""
    if kpi == "spend":
        return "spent the most" if high_first else "spent the least"
    return f"had the {'highest' if high_first else 'lowest'} {figure_word(kpi)}"


def possessive(label: str) -> str:
    """`Alpine Goods's`."""
    return f"{label}'s"


def figures_text(row: Mapping[str, Any], shown: str) -> str:
    """`spend 1,000.00 USD, ROAS 2.10, CPA 40.00 USD, MER 3.00` in the account's currency, but the `shown` one."""
    currency = row["currency"]
    return ", ".join(
        f"{figure_word(kpi)} {value_text(kpi, row.get(kpi), currency)}"
        for kpi in ("spend", "roas", "cpa", "mer")
        if kpi != shown
    )


def calls_text(calls: Mapping[str, int | None]) -> str:
    """`2 pause, 1 scale, 0 refresh calls`; `–` counts without recommendations."""
    return ", ".join(f"{MISSING if count is None else count} {name}" for name, count in calls.items()) + " calls"


def account_line(row: Mapping[str, Any]) -> str:
    """One account in an overview: its figures with their change, its calls, and what needs attention."""
    currency = row["currency"]
    figures = ", ".join(
        f"{figure_word(kpi)} {value_text(kpi, row.get(kpi), currency)}"
        + ("" if (change := change_of(row, kpi)) is None else f" ({change:+.0%})")
        for kpi in ("spend", "purchase_value", "roas", "cpa", "mer")
    )
    attention = f"; needs attention: {'; '.join(row['reasons'])}" if row["attention"] else ""
    return f"{'⚑ ' if row['attention'] else ''}{row['label']}: {figures}; {calls_text(row['calls'])}{attention}."


def several_currencies(rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the accounts' amounts are in more than one currency (unknown counts as its own)."""
    return len({row["currency"] for row in rows}) > 1


def currency_groups(rows: Sequence[dict[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    """The rows by currency, currencies in alphabetical order (unknown last), each group in the rows' order."""
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["currency"], []).append(row)
    return dict(sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or "")))


TABLE_FIGURES = ("spend", "purchase_value", "purchases", "roas", "cpa", "revenue", "mer")
# The columns of an answer's table of accounts (Answer.figures).
TABLE_SCHEMA: dict[str, pl.DataType] = {
    "account": pl.String(),
    "currency": pl.String(),
    **{f"{kpi}{suffix}": pl.Float64() for kpi in TABLE_FIGURES for suffix in ("", "_before", "_change")},
    **{name: pl.Int64() for name in ("pause", "scale", "refresh")},
    "needs_attention": pl.Boolean(),
    "reason": pl.String(),
}


def accounts_table(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """One row per account in the order given: currency, the figures, the period before's and their change,
    the recommendation calls and whether (and why) it needs attention."""
    records = [
        {
            "account": row["account"],
            "currency": row["currency"],
            **{
                f"{kpi}{suffix}": value
                for kpi in TABLE_FIGURES
                for suffix, value in (
                    ("", row.get(kpi)),
                    ("_before", row["before"].get(kpi)),
                    ("_change", change_of(row, kpi)),
                )
            },
            **row["calls"],
            "needs_attention": row["attention"],
            "reason": "; ".join(row["reasons"]) or None,
        }
        for row in rows
    ]
    return pl.DataFrame(records, schema=TABLE_SCHEMA)


# --------------------------------------------------------------------------- one account


def find_account(kpis_daily: pl.DataFrame, name: str, *others: pl.DataFrame | None) -> str | None:
    """The account of the data called `name` (any case), or whose report folder is `name` (`reports/<slug>/`,
    accounts.slugs); the default account is `default`. `others`: more tables whose accounts count too (a
    store's orders: a shop without ads is an account as well).

    Raises:
        AdlabError: no account has that name; the line lists the accounts, with the closest name.
    """
    tables = [kpis_daily, *(frame for frame in others if frame is not None and frame.height)]
    names = accounts.ordered({account for frame in tables for account in accounts.names(frame)})
    by_name = {accounts.label(account).casefold(): account for account in names}
    for account, folder in accounts.slugs(names).items():
        by_name.setdefault(folder, account)
    wanted = name.strip().casefold()
    if wanted in by_name:
        return by_name[wanted]
    listed = ", ".join(quoted(accounts.label(account)) for account in names) or "none"
    close = difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=0.5)
    hint = f" Did you mean {quoted(accounts.label(by_name[close[0]]))}?" if close else ""
    raise AdlabError(f"no account named {quoted(name)} in the data.{hint} Accounts: {listed}.")


def account_workspace(workspace: Workspace, name: str) -> Workspace:
    """The workspace of one account: every table restricted to its rows (accounts.rows_of), its currency.

    Raises:
        AdlabError: no account has that name (find_account).
    """
    account = find_account(workspace.kpis_daily, name, workspace.orders, workspace.store)
    return _restricted(workspace, [account], own_currency(workspace, account))  # unknown stays unknown


def currency_workspaces(workspace: Workspace) -> dict[str | None, Workspace]:
    """The workspace split by the currency its accounts bill in (None: no export states it), one workspace per
    currency holding the rows of its accounts, in the order of the accounts; a single entry when every account
    bills in the same one (money of different currencies never adds up, and unknown is not assumed)."""
    billed = billing_currencies(workspace)
    groups: dict[str | None, list[str | None]] = {}
    for account in workspace_accounts(workspace):
        groups.setdefault(billed.get(account), []).append(account)
    if len(groups) < 2:
        return {workspace.currency: workspace}
    order = sorted(groups, key=lambda code: (code is None, code or ""))  # by code, the unknown last
    return {currency: _restricted(workspace, groups[currency], currency) for currency in order}


def workspace_accounts(workspace: Workspace) -> list[str | None]:
    """The accounts of the workspace's rows (ads, orders, store), in accounts.names order."""
    return accounts.ordered(
        {account for frame in _tables(workspace) if frame is not None for account in accounts.names(frame)}
    )


def own_currency(workspace: Workspace, account: str | None) -> str | None:
    """The currency `account` bills in (billing_currencies); None where no table states it."""
    return billing_currencies(workspace).get(account)


def billing_currencies(workspace: Workspace) -> dict[str | None, str]:
    """account -> the currency it bills in: the first stated in its KPI rows or ad rows (ad_insights), else in
    its orders (a shop without ads). Accounts no table states a currency for are absent."""
    found: dict[str | None, str] = {}
    for frame in (workspace.kpis_daily, workspace.ad_insights, workspace.orders):
        if frame is None or "currency" not in frame.columns:
            continue
        owned = frame if "account" in frame.columns else frame.with_columns(pl.lit(None, pl.String).alias("account"))
        first = (
            owned.filter(pl.col("currency").is_not_null())
            .group_by("account", maintain_order=True)
            .agg(pl.col("currency").first().cast(pl.String))
        )
        for account, currency in first.iter_rows():
            found.setdefault(account, currency)
    return found


def _tables(workspace: Workspace) -> tuple[pl.DataFrame | None, ...]:
    """The workspace's tables whose rows name an account (an account is one of these tables' accounts)."""
    return (workspace.kpis_daily, workspace.ad_insights, workspace.orders, workspace.store)


def _restricted(workspace: Workspace, owners: Sequence[str | None], currency: str | None) -> Workspace:
    """`workspace` with every table restricted to the rows of the accounts `owners`, billing in `currency`;
    one account's own settings (params.yaml `accounts:`) when it is one."""
    wanted = pl.col("account").is_in([owner for owner in owners if owner is not None])
    if None in owners:
        wanted = wanted | pl.col("account").is_null()

    def rows(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(wanted) if "account" in frame.columns else frame

    def of(frame: pl.DataFrame | None) -> pl.DataFrame | None:
        return None if frame is None else rows(frame)

    return replace(
        workspace,
        kpis_daily=rows(workspace.kpis_daily),
        ad_insights=of(workspace.ad_insights),
        currency=currency,
        fatigue=of(workspace.fatigue),
        results_daily=of(workspace.results_daily),
        store=of(workspace.store),
        recommendations=of(workspace.recommendations),
        orders=of(workspace.orders),
        cohorts=of(workspace.cohorts),
        profit=of(workspace.profit),
        params=workspace.params.for_account(owners[0]) if len(owners) == 1 else workspace.params,
    )
