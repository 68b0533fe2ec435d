"""Reading a question: which family it belongs to (why / best / should I) and the slots its answer needs.

`parse_question` turns plain words into an `Intent`: the KPI, level, periods, segment or name the question
mentions, with the defaults a media buyer means when it says nothing (ROAS, ads, yesterday).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from adlab.errors import AdlabError
from adlab.insights.answer import CAN_ANSWER, quoted
from adlab.insights.periods import Period, periods_for
from adlab.kpis import result_unit

# The words that name each KPI, in the order they are tried (`ctr` last: "clicks" appears in other KPIs' words).
KPI_PATTERNS = (
    ("roas", r"\broas\b|return on ad spend"),
    ("cpa", r"\bcpa\b|cost per (purchase|acquisition|conversion|result)"),
    ("cpc", r"\bcpc\b|cost per click"),
    ("cpm", r"\bcpm\b|cost per (1,?000|thousand|mille)"),
    ("cvr", r"\bcvr\b|conversion rate"),
    ("aov", r"\baov\b|order value|basket"),
    ("hook_rate", r"hook rate"),
    ("hold_rate", r"hold rate"),
    ("ctr", r"\bctr\b|click.?through|clicks?\b"),
)
DATE = r"\d{4}-\d{2}-\d{2}"
GENDER_WORDS = {
    "women": "female",
    "woman": "female",
    "female": "female",
    "females": "female",
    "ladies": "female",
    "men": "male",
    "man": "male",
    "male": "male",
    "males": "male",
}
PLATFORM_WORDS = {
    "instagram": "instagram",
    "facebook": "facebook",
    "messenger": "messenger",
    "audience network": "audience_network",
    "threads": "threads",
}


@dataclass(frozen=True)
class Intent:
    """What a question asks: its family (`kind`) and the slots the answer needs.

    Families: `metric` (what was `kpi` over `periods[0]`), `compare` (`kpi` over `periods[0]` vs `periods[1]`),
    `rank` (the top or worst `n` at `level` by `kpi` over `periods[0]`), `state` (the entities in `state`:
    fatigued, pause, scale, learning or today's actions), `why` (why did `kpi` move between `periods`),
    `verdict` (should I pause / scale `name`), `best` (which `level` wins for `segment` by `kpi`), `tracking`
    (is purchase tracking or the funnel broken), `trend` (`kpi` day by day over `periods[0]`), `breakdown`
    (`kpi` by `dimension`: age, gender, placement, platform, region). `text` is the question as the answer
    reads it; `periods` are (current, previous), both relative to the last day in the data.
    """

    kind: str
    text: str
    kpi: str = "roas"
    level: str | None = None
    name: str = ""
    periods: tuple[Period, Period] | None = None
    segment: dict[str, str] = field(default_factory=dict)
    n: int | None = None
    order: str = "top"  # top | worst
    state: str = ""  # fatigued | pause | scale | learning | today
    platform: str = ""  # meta | google_ads | pinterest, or a publisher platform (instagram, facebook)
    dimension: str = ""  # age | gender | placement | publisher_platform | region | country


def parse_question(question: str, kpis_daily: pl.DataFrame) -> Intent:
    """The intent of one question (see CAN_ANSWER); relative periods count from the data's last day.

    Raises:
        AdlabError: a verdict question names no entity, or the question is not one of the families adlab answers.
    """
    text = " ".join(question.split())
    lower = text.lower()
    if re.search(r"\bshould i\b|\b(pause|scale|kill|turn off|stop)\b", lower) and not lower.startswith("why"):
        name = name_in(text)
        if not name:
            raise AdlabError("which campaign, ad set or ad? Put its name in quotes. " + CAN_ANSWER)
        return Intent("verdict", text, level=named_level(lower, name), name=name)
    if re.search(r"\bwhy\b|what happened|what changed|explain", lower):
        return Intent("why", lower, kpi_in(lower), periods=periods_in(lower, kpis_daily))
    if re.search(r"\b(best|top|worst|which|winning|performing)\b", lower):
        return Intent("best", lower, kpi_in(lower), level_in(lower), segment=segment_in(lower))
    raise AdlabError(f"I cannot answer {quoted(text)} yet. " + CAN_ANSWER)


def kpi_in(question: str, default: str = "roas") -> str:
    """The first KPI the (lower-case) question names."""
    for kpi, pattern in KPI_PATTERNS:
        if re.search(pattern, question):
            return kpi
    return default


def level_in(question: str, default: str = "ad") -> str:
    """The level the question ranks: ad sets, campaigns or ads."""
    if re.search(r"\bad ?sets?\b", question):
        return "adset"
    if re.search(r"\bcampaigns?\b", question):
        return "campaign"
    if re.search(r"\b(ads?|creatives?)\b", question):
        return "ad"
    return default


def named_level(lower: str, name: str) -> str | None:
    """The level a verdict question gives its name (`my 'Summer Sale' ad set`); None when it says none."""
    tail = lower[lower.find(name.lower()) + len(name) :] if name.lower() in lower else lower
    if re.search(r"\bad ?set\b", tail) or re.search(r"\bad ?set\b", lower[: lower.find(name.lower())][-12:]):
        return "adset"
    if re.search(r"\bcampaign\b", tail):
        return "campaign"
    if re.search(r"^\s*(ad|creative)\b", tail):
        return "ad"
    return None


def periods_in(question: str, kpis_daily: pl.DataFrame) -> tuple[Period, Period]:
    """(current, previous): dates in the question, `last N days`, `last week`, else yesterday."""
    dates = [dt.date.fromisoformat(text) for text in re.findall(DATE, question)]
    if len(dates) >= 4:
        return Period(*sorted(dates[2:4])), Period(*sorted(dates[0:2]))
    if len(dates) in (2, 3):
        current = Period(*sorted(dates[:2]))
        return current, Period(current.start - dt.timedelta(days=current.days), current.start - dt.timedelta(days=1))
    if len(dates) == 1:
        return Period(dates[0], dates[0]), Period(dates[0] - dt.timedelta(days=1), dates[0] - dt.timedelta(days=1))
    if match := re.search(r"(?:last|past) (\d+) days", question):
        return periods_for(kpis_daily, "days", int(match.group(1)))
    if re.search(r"\b(last|this|past) week\b|\bweek\b", question):
        return periods_for(kpis_daily, "last_week")
    return periods_for(kpis_daily, "yesterday")


def segment_in(question: str) -> dict[str, str]:
    """The audience the question names: gender, age band, platform (`women aged 25-34 on instagram`)."""
    segment: dict[str, str] = {}
    for word, gender in GENDER_WORDS.items():
        if re.search(rf"\b{word}\b", question):
            segment["gender"] = gender
            break
    if match := re.search(r"\b(\d{2})\s*(?:-|–|to)\s*(\d{2})\b", question):
        segment["age"] = f"{match.group(1)}-{match.group(2)}"
    elif match := re.search(r"\b(65)\s*\+|\bover 65\b", question):
        segment["age"] = "65+"
    for word, platform in PLATFORM_WORDS.items():
        if re.search(rf"\b(on|in|via) {word}\b", question):
            segment["publisher_platform"] = platform
    return segment


def name_in(question: str) -> str | None:
    """The campaign, ad set or ad name a verdict question gives: in quotes, else after `pause` / `scale` ..."""
    if match := re.search(r"['\"‘’“”](.+?)['\"‘’“”](?:\s|$|\?|\.)", question + " "):
        return match.group(1).strip()
    if match := re.search(
        r"\b(?:pause|scale|stop|kill|turn off|keep|boost|increase|cut)\s+(?:my |the )?(.+?)"
        r"(?:\s+(?:ad ?set|campaign|ad|creative))?\s*[?.!]*$",
        question,
        re.IGNORECASE,
    ):
        return match.group(1).strip()
    return None


def result_type_in(question: str, results_daily: pl.DataFrame | None) -> str | None:
    """The result type a question names (`cost per lead` -> Leads); the largest-spend type for `cost per result`."""
    if results_daily is None or results_daily.height == 0:
        return None
    types: list[str] = (
        results_daily.group_by("result_type")
        .agg(pl.col("spend").sum())
        .sort("spend", "result_type", descending=[True, False], nulls_last=True)["result_type"]
        .to_list()
    )
    for kind in types:
        unit = result_unit(kind)
        words = [re.escape(kind.lower())] + ([rf"{re.escape(unit.lower())}s?"] if unit != "result" else [])
        if any(re.search(rf"\b{word}\b", question) for word in words):
            return kind
    return types[0] if re.search(r"\bresults?\b", question) else None


def other_kpi_in(question: str) -> bool:
    """Whether the question names a KPI other than CPA (whose words include `cost per result`)."""
    return any(re.search(pattern, question) for name, pattern in KPI_PATTERNS if name != "cpa")
