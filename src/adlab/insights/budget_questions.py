"""Reading budget questions: "where should I move budget?" and "what if I raise 'X' by 20%?".

Read on the question as asked, before questions.py's synonyms turn "cut" into "pause" and "raise the budget" into
"scale" (which would make them verdicts). `budget_intent` gives the Intent, or None for any other question.
"""

from __future__ import annotations

import re

from adlab.insights.questions import Intent, quoted_name
from adlab.insights.vocabulary import QUOTED

PLAN = (
    r"\bwhere (?:should|do|can|could|would) (?:i|we) (?:move|put|shift|spend|allocate|send)\b"
    r"|\b(?:re-?allocat\w*|redistribut\w*|rebalanc\w*)\b|\bbudget (?:plan|allocation|split|shifts?)\b"
    r"|\b(?:move|shift|split|spread|allocate|distribute) (?:my |the |our )?(?:daily )?(?:budget|spend|money)\b"
    r"|\bwhere (?:should|to) (?:the |my )?(?:money|budget|spend) go\b"
)
WHAT_IF = r"\bwhat (?:if|happens if|would happen if|will happen if)\b|\bwhat would\b.*\bif\b|\bsuppose\b"
UP = r"raise|increase|up|boost|scale(?: up)?|add|double|grow|lift|bump(?: up)?|put"
DOWN = r"cut|lower|decrease|reduce|drop|halve|trim|slash|take"
AMOUNT = r"[$€£]?\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?\s*(%|percent|pct)?"


def budget_intent(text: str) -> Intent | None:
    """The budget intent of a question as asked (view `plan` or `what_if`), else None.

    A plan may name a daily budget (`with a budget of 2,000`, `if I spend 1500 a day`) in `amount`. A what-if
    names its campaign or ad set (quoted, or the words after the verb) in `name`, and the change as `change` (a
    share: `by 20%` is +0.2, `double` +1, `halve` -0.5) or `amount` (money: `by 50` is a change of +-50 a day in
    `change_money`, `to 300` the new daily spend in `amount`).
    """
    lower = " ".join(text.lower().split())
    if re.search(WHAT_IF, lower) and (verb := re.search(rf"\b({UP}|{DOWN})\b", lower)):
        return _what_if(text, lower, verb)
    if re.search(PLAN, lower):
        said = re.search(rf"\b(?:budget|spend|spending) (?:of|is|at|to) {AMOUNT}|\bspend {AMOUNT} (?:a|per) day", lower)
        amount = _money(said) if said else None
        return Intent("budget", text, "purchase_value", view="plan", amount=amount)
    return None


def _what_if(text: str, lower: str, verb: re.Match[str]) -> Intent | None:
    """The what-if intent after its verb: the entity named, and by how much or to what."""
    sign = 1.0 if re.fullmatch(UP, verb.group(1)) else -1.0
    name = quoted_name(text)
    rest = lower[verb.end() :]
    if name is None:
        match = re.match(
            r"\s*(?:the )?(?:daily )?(?:budget|spend)?\s*(?:of|on|for|in)?\s*(?:my |the |our )?(.+?)"
            r"(?:\s+(?:ad ?set|campaign))?(?:'s)?(?:\s+(?:daily\s+)?(?:budget|spend))?\s+(?:by|to)\b",
            rest,
        ) or re.match(r"\s*(?:my |the |our )?(.+?)(?:\s+(?:ad ?set|campaign))?\s*[?.!]*$", rest)
        name = _original(text, match.group(1).strip()) if match else None
    if not name:
        return None
    share: float | None = None
    change_money: float | None = None
    amount: float | None = None
    if verb.group(1) == "double":
        share = 1.0
    elif verb.group(1) == "halve":
        share = -0.5
    tail = (
        re.sub(QUOTED, " ", lower[verb.end() :]) if quoted_name(text) else rest[rest.find(name.lower()) + len(name) :]
    )
    if by := re.search(rf"\bby {AMOUNT}", tail):
        value = _money(by)
        if by.group(3):
            share = sign * value / 100
        else:
            change_money = sign * value
    elif to := re.search(rf"\bto {AMOUNT}", tail):
        amount = _money(to) if not to.group(3) else None
        if to.group(3):
            share = _money(to) / 100 - 1
    if share is None and change_money is None and amount is None:
        return None
    return Intent(
        "budget",
        text,
        "purchase_value",
        name=name,
        view="what_if",
        amount=amount,
        change=share,
        change_money=change_money,
    )


def _money(match: re.Match[str]) -> float:
    """The amount of an AMOUNT match (the first non-empty number group), `2k` as 2,000."""
    groups = [g for g in match.groups()]
    index = next(i for i, g in enumerate(groups) if g and re.fullmatch(r"\d[\d,]*(?:\.\d+)?", g))
    value = float(groups[index].replace(",", ""))
    return value * 1000 if index + 1 < len(groups) and groups[index + 1] == "k" else value


def _original(text: str, lowered: str) -> str:
    """The words of `text` as the user typed them (case kept) that `lowered` is the lower case of."""
    at = " ".join(text.split()).lower().find(lowered)
    return " ".join(text.split())[at : at + len(lowered)] if at >= 0 else lowered
