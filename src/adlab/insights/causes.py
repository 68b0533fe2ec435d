"""The cause of a change in plain words: the first sentence a shop owner reads before the exact split.

Each factor of a KPI reads as what happened in the shop ("fewer clicks turned into purchases: conversion
rate 2.91% -> 2.50%"). A factor dominates when it pushes the KPI the way it moved by at least half of the
change and at least twice as much as the next factor pushing that way; otherwise the sentence gives the
reasons that each carry a fifth of the change or more (at least two). Log points stay in the lines after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from adlab.insights.answer import Row

COUNT_WORDS = {2: "two", 3: "three", 4: "four"}
DOMINANT_SHARE = 0.5  # of the change, for "mostly because"
DOMINANT_LEAD = 2.0  # times the next factor pushing the same way
REASON_SHARE = 0.2  # of the change, to be named among several reasons

# A factor of the purchase funnel: its name in the sentence, and what it rising / falling means.
FACTOR_PLAIN = {
    "cpm": ("CPM", "reaching people cost more", "reaching people cost less"),
    "ctr": ("CTR", "more people clicked", "fewer people clicked"),
    "cvr": ("conversion rate", "more clicks turned into purchases", "fewer clicks turned into purchases"),
    "aov": ("AOV", "each order was worth more", "each order was worth less"),
}


@dataclass(frozen=True)
class Cause:
    """One factor as a shop owner reads it: `words` (what happened) and `figures` (`CPM 15.34 USD -> 16.50 USD`)."""

    words: str
    figures: str


def cause(
    label: str, rose: str, fell: str, before: float | None, now: float | None, show: Callable[[float], str]
) -> Cause | None:
    """The factor `label` moving from `before` to `now` in words; None when either value is unknown."""
    if before is None or now is None:
        return None
    return Cause(rose if now > before else fell, f"{label} {show(before)} -> {show(now)}")


def funnel_causes(
    before: Row, now: Row, show: Callable[[str, float], str], missing: tuple[str, ...] = ()
) -> dict[str, Cause]:
    """The CPM / CTR / CVR / AOV of two periods' figures in words, keyed by factor; unknown factors are absent.

    `show(factor, value)` formats a value. When link CTR and CVR cannot be told apart (`missing`, no link
    clicks), their product `rest` reads as purchases per 1,000 impressions.
    """
    causes = {}
    for factor, (label, rose, fell) in FACTOR_PLAIN.items():
        if (found := cause(label, rose, fell, before.get(factor), now.get(factor), partial(show, factor))) is not None:
            causes[factor] = found
    if set(missing) == {"ctr", "cvr"}:
        old, new = (
            figures["purchases"] / figures["impressions"] * 1000
            if figures.get("impressions") and figures.get("purchases") is not None
            else None
            for figures in (before, now)
        )
        if (
            found := cause(
                "purchases per 1,000 impressions",
                "more of the people who saw the ads bought",
                "fewer of the people who saw the ads bought",
                old,
                new,
                "{:.2f}".format,
            )
        ) is not None:
            causes["rest"] = found
    return causes


def cause_clause(terms: dict[str, float], total: float, causes: dict[str, Cause]) -> str:
    """`, mostly because fewer clicks turned into purchases: conversion rate 2.91% -> 2.50%`, or `, for two
    reasons: ... (...) and ... (...)`; empty when the change is 0 or a reason to name has no words.

    `terms` are the log-split terms (adding up to `total`); `causes` says each factor in words.
    """
    pushing = sorted(
        (factor for factor, term in terms.items() if term * total > 0),
        key=lambda factor: abs(terms[factor]),
        reverse=True,
    )
    if not pushing:
        return ""
    first = pushing[0]
    if terms[first] / total >= DOMINANT_SHARE and (
        len(pushing) == 1 or abs(terms[first]) >= DOMINANT_LEAD * abs(terms[pushing[1]])
    ):
        chosen = [first]
    else:
        named = sum(1 for factor in pushing if terms[factor] / total >= REASON_SHARE)
        chosen = pushing[: max(2, named)]
    if any(factor not in causes for factor in chosen):
        return ""
    if len(chosen) == 1:
        return f", mostly because {causes[first].words}: {causes[first].figures}"
    listed = [f"{causes[factor].words} ({causes[factor].figures})" for factor in chosen]
    return f", for {COUNT_WORDS[len(chosen)]} reasons: " + ", ".join(listed[:-1]) + f" and {listed[-1]}"


def change_sentence(name: str, change: float, when: str, before: str, now: str, clause: str) -> str:
    """`ROAS fell 17% last week, from 2.46 to 2.03, mostly because ...`: the first line of a why-answer."""
    if change == 0:
        return f"{name} did not move {when}: {now}, as before."
    size = f"{abs(change):.0%}"
    size = "less than 1%" if size == "0%" else size
    return f"{name} {'rose' if change > 0 else 'fell'} {size} {when}, from {before} to {now}{clause}."
