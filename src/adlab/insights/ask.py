"""`adlab ask`: a question in plain words -> its intent (questions.py) -> the answer that family gives.

Every answer comes with the notes its figures owe (notes.py): attribution settings added up, a CPA target
implausible in the account currency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adlab import accounts
from adlab.errors import AdlabError
from adlab.insights import (
    breakdown,
    budget_answers,
    customers,
    lookup,
    portfolio,
    profit,
    rank,
    states,
    tracking,
    versus,
)
from adlab.insights.answer import Answer, Workspace, quoted, with_notes
from adlab.insights.budget_questions import budget_intent
from adlab.insights.notes import best_notes, footing_notes, verdict_notes
from adlab.insights.periods import last_day
from adlab.insights.questions import Intent, customers_intent, parse_question
from adlab.insights.segments import best_for_segment
from adlab.insights.verdicts import verdict
from adlab.insights.why import explain_any


def ask(question: str, workspace: Workspace) -> Answer:
    """Answer one question in plain words (the families of questions.parse_question).

    Raises:
        AdlabError: the question is not one of the families adlab answers, or the data cannot answer it.
    """
    # LTV and payback come from the orders: they need no ad data.
    intent = customers_intent(question)
    # Accounts in different currencies: each currency answers on its own (the portfolio compares them).
    groups = portfolio.currency_workspaces(workspace)
    if len(groups) > 1 and (intent is not None or not is_portfolio(question, workspace)):
        return by_currency(question, groups)
    if intent is None:
        last_day(workspace.kpis_daily)
        # Budget questions are read on the words as asked: the grammar's synonyms would make "cut 'X'" a verdict.
        intent = budget_intent(question) or parse_question(question, workspace.kpis_daily)
    return ANSWERS[intent.kind](intent, workspace)


def is_portfolio(question: str, workspace: Workspace) -> bool:
    """Whether the question compares the accounts (`which account ...`, `how are my accounts doing`)."""
    try:
        return budget_intent(question) is None and parse_question(question, workspace.kpis_daily).kind == "portfolio"
    except AdlabError:
        return False


def by_currency(question: str, groups: Mapping[str | None, Workspace]) -> Answer:
    """The question answered for each currency's accounts on their own (portfolio.currency_workspaces): money in
    different currencies never adds up. A currency whose accounts cannot answer says why in a line; when none
    can, that is the error: the one reason when every currency gives the same, else each currency's line.

    Raises:
        AdlabError: no currency's accounts can answer the question.
    """
    codes = [code or "unknown" for code in groups]
    lines, data, failures, reasons = [], {}, [], set()
    for code, workspace in groups.items():
        owners = [quoted(accounts.label(account)) for account in portfolio.workspace_accounts(workspace)]
        head = f"In {code or 'an unknown currency'} (account{'s' if len(owners) > 1 else ''} {', '.join(owners)}):"
        try:
            answer = ask(question, workspace)
        except AdlabError as error:  # its first sentence: the rest suggests questions, said once is enough
            reasons.add(reason := f"{str(error).split('. ', 1)[0].rstrip('.')}.")
            failures.append(f"{head} {reason}")
            continue
        lines += [f"{head} {answer.headline}", *(f"  {line}" for line in answer.lines)]
        data[code or "unknown"] = answer.data
    if not data:  # the same reason everywhere is said once
        raise AdlabError(reasons.pop() if len(reasons) == 1 else " ".join(failures))
    headline = (
        f"Your accounts bill in {len(groups)} currencies ({', '.join(codes)}), so each currency's accounts are "
        "answered on their own: amounts in different currencies never add up (--account NAME answers for one "
        'account; "how are my accounts doing?" compares them all).'
    )
    return Answer(headline, [*lines, *failures], {"by_currency": data})


def answer_verdict(intent: Intent, workspace: Workspace) -> Answer:
    """Should I pause / scale it: the verdict on the named entity."""
    answer = verdict(
        workspace.kpis_daily,
        intent.name,
        workspace.params,
        intent.level,
        workspace.fatigue,
        workspace.currency,
        workspace.results_daily,
    )
    return with_notes(answer, verdict_notes(answer, workspace))


def answer_why(intent: Intent, workspace: Workspace) -> Answer:
    """Why did the KPI move between the two periods."""
    assert intent.periods is not None  # parse_question gives every why intent its two periods
    current, previous = intent.periods
    answer = explain_any(
        workspace.kpis_daily, workspace.results_daily, current, previous, intent.kpi, workspace.currency, intent.text
    )
    return with_notes(answer, footing_notes(workspace, intent.kpi, [current, previous]))


def answer_best(intent: Intent, workspace: Workspace) -> Answer:
    """Which entity wins for the segment, by the KPI."""
    answer = best_for_segment(
        workspace.kpis_daily,
        workspace.ad_insights,
        intent.segment,
        workspace.params,
        intent.level or "ad",
        intent.kpi,
        workspace.currency,
        workspace.results_daily,
    )
    return with_notes(answer, best_notes(answer, workspace, intent.kpi, intent.segment))


def answer_compare(intent: Intent, workspace: Workspace) -> Answer:
    """Two periods of one KPI (lookup.compare), or two named entities side by side (versus)."""
    if intent.other:
        return versus.compare_entities(intent, workspace)
    return lookup.compare(intent, workspace)


ANSWERS: dict[str, Callable[[Intent, Workspace], Answer]] = {
    "verdict": answer_verdict,
    "why": answer_why,
    "best": answer_best,
    "metric": lookup.metric,
    "profit": profit.profit,
    "compare": answer_compare,
    "trend": lookup.trend,
    "rank": rank.rank,
    "state": states.state,
    "tracking": tracking.tracking,
    "breakdown": breakdown.breakdown,
    "portfolio": portfolio.portfolio,
    "customers": customers.customers,
    "budget": budget_answers.budget,
}
