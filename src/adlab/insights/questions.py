"""Reading a question: a small grammar of families (`kind`) and the slots each family's answer needs.

`parse_question` normalises the words (case, punctuation, everyday synonyms, small typos), picks the family
from its cue words (in the order `family` tries them) and fills the slots (KPI, level, periods, name, segment, n,
order, state, platform, dimension) with the defaults a media buyer means when the question says nothing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import polars as pl

from adlab.errors import AdlabError
from adlab.insights.answer import quoted
from adlab.insights.periods import MONTHS, NUMBER, Period, number, periods_for, periods_in
from adlab.insights.vocabulary import (
    ACCOUNTS,
    ACTION,
    ANY_ENTITY,
    ATTRIBUTE_LEVELS,
    COMPARE,
    DIMENSIONS,
    EXAMPLES,
    GENDER_WORDS,
    HIGH,
    KPI_WORDS,
    LEVEL_WORDS,
    LOW,
    LOWER_IS_BETTER_KPIS,
    LTV,
    METRIC,
    MOVED,
    NOT_OTHER_KPIS,
    PAYBACK,
    PLATFORM_WORDS,
    PLATFORMS,
    PROFIT_KPIS,
    PROFIT_WORDS,
    QUOTED,
    RANK,
    STATES,
    SYNONYMS,
    TRACKING,
    TREND,
    VOCABULARY,
    WHY,
    WORST,
)
from adlab.kpis import result_unit


@dataclass(frozen=True)
class Intent:
    """What a question asks: its family (`kind`) and the slots the answer needs.

    Families: `metric` (what was `kpi` over `periods[0]`), `profit` (a profit or new-customer figure of the whole
    store over `periods[0]`: profit after ads, gross profit, POAS, margin, break-even ROAS, new customers,
    ncROAS, new-customer CPA), `compare` (`kpi` over `periods[0]` vs `periods[1]`),
    `rank` (the top or worst `n` at `level` by `kpi` over `periods[0]`), `state` (the entities in `state`:
    fatigued, pause, scale, learning or today's actions), `why` (why did `kpi` move between `periods`),
    `verdict` (should I pause / scale `name`), `best` (which `level` wins for `segment` by `kpi`), `tracking`
    (is purchase tracking or the funnel broken), `trend` (`kpi` day by day over `periods[0]`), `breakdown`
    (`kpi` by `dimension`: age, gender, placement, platform, region), `portfolio` (the accounts side by side:
    `view` overview, rank by `kpi`, or change: whose `kpi` moved most, `movement` down, up or either way),
    `customers` (the customers' lifetime value, `view` ltv, or when a new customer pays back, `view` payback). `text`
    is the question as the answer reads it; `periods` are (current, previous), both relative to the last day in
    the data.

    `kpi` is one of spend, impressions, reach, frequency, clicks, link_clicks, ctr, cpc, cpm, purchases,
    purchase_value, roas, cpa, cvr, aov, orders, revenue, mer, hook_rate, hold_rate, results, cost_per_result,
    or a profit figure (PROFIT_KPIS: `contribution_after_ads` is what "profit" means)
    (`revenue` and `orders` are the store's, `purchase_value` and `purchases` the ads'); `level` is account,
    platform, campaign, adset or ad; `order` is semantic (top = the good end of the KPI, see parse_question).
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
    platform: str = ""  # meta | google_ads | pinterest ("on instagram" is a segment)
    dimension: str = ""  # age | gender | placement | publisher_platform | region | country
    other: str = ""  # the second named entity of a comparison ("'A' vs 'B'")
    view: str = ""  # overview | rank | change (a portfolio question); ltv | payback (a customers question)
    movement: str = ""  # down | up | "" (either way): how the KPI of a portfolio `change` question moved
    amount: float | None = None  # budget: the daily budget of a plan, or a what-if's new daily spend
    change: float | None = None  # budget: a what-if's change as a share of today's spend (+0.2: raise by 20%)
    change_money: float | None = None  # budget: a what-if's change in money a day (-50: cut by 50)


def parse_question(question: str, kpis_daily: pl.DataFrame) -> Intent:
    """The intent of one question; relative periods count from the last day in the data (`periods_in`).

    Families, tried in this order (customers_intent, then `family`): customers (LTV, payback), tracking,
    verdict (pause / scale / refresh / keep one named entity, quoted or not), why, portfolio (the accounts side
    by side: `accounts`, `which account`, see portfolio_intent), state (learning, fatigued, today, pause or
    scale without a name), breakdown (`by age`, `which region`), compare, trend, best (a rank word and a
    segment), rank, metric.
    Defaults where the question says nothing: KPI ROAS; periods the last day vs the day before for why,
    the last 30 days for trend, else the last 7 days ending on the last day vs the 7 before (verdict keeps
    none, best none unless a period is named); level account for metric / compare / trend / breakdown /
    tracking unless a campaign, ad set or platform is named, ad for rank / best / state, only what is named
    for why and verdict; n as said (`top 5`, `three campaigns`), else 1 for a singular level (`best ad`) and
    5 otherwise. `order` is semantic: `top` is the good end in the KPI's good direction, so `lowest CPA` is
    top and `highest CPA` worst; for KPIs without one (spend, reach, clicks ...) top is the highest.

    Raises:
        AdlabError: the question fits none of the families; the message ends with the three closest it can answer.
    """
    if (customers := customers_intent(question)) is not None:
        return customers
    text = " ".join(question.split())
    lower = text.lower()
    name = quoted_name(text)
    words = normalise(re.sub(QUOTED, " the named one ", text) if name else text)
    names = re.findall(QUOTED, text)
    if len(names) >= 2 and not re.search(WHY, words):  # "'A' vs 'B'", "compare 'A' and 'B' last week"
        level = named_level(lower, names[0])
        periods = periods_in(words, kpis_daily) if period_named(words) else None
        return Intent("compare", text, ad_kpi_in(words), level, names[0], periods, other=names[1])
    kind, state = family(words, text, name)
    if kind == "verdict":
        name = name or unquoted_name(text) or ""
        return Intent("verdict", text, ad_kpi_in(words), level=named_level(lower, name), name=name)
    if kind == "why" and kpi_in(words) in PROFIT_KPIS:  # how a profit figure moved: the two periods side by side
        return Intent("compare", text, kpi_in(words), "account", periods=periods_in(words, kpis_daily, "last_7_days"))
    if kind == "why":
        return Intent("why", lower, kpi_in(words), level_in(words), periods=periods_in(words, kpis_daily))
    if kind == "portfolio":
        return portfolio_intent(text, words, kpis_daily)
    # Profit figures are the whole store's, by day: rankings, states and breakdowns of ads read the ad KPIs.
    kpi = kpi_in(words) if kind in ("metric", "compare", "trend") else ad_kpi_in(words)
    segment, level = segment_in(words), level_in(words)
    periods = periods_in(words, kpis_daily, "last_30_days" if kind == "trend" else "last_7_days")
    if kind == "best":
        named = periods if period_named(words) else None
        n, order = count_in(words), order_in(words, kpi)
        return Intent("best", lower, kpi, level or "ad", periods=named, segment=segment, n=n, order=order)
    if kind == "metric" and kpi in PROFIT_KPIS and not name and not platform_in(words):
        return Intent("profit", text, kpi, "account", periods=periods)
    if name:
        level = named_level(lower, name)
    elif kind in ("rank", "state"):
        level = level or "ad"
    elif kind != "rank" and level in ATTRIBUTE_LEVELS:
        level = "account"  # formats and hooks are ranked, not looked up
    elif level not in ("campaign", "adset", "platform", *ATTRIBUTE_LEVELS):
        level = "account"  # "how are my ads doing" asks about the account
    return Intent(
        kind,
        text,
        kpi,
        level,
        name or "",
        periods,
        segment,
        n=count_in(words) if kind == "rank" else None,
        order=order_in(words, kpi),
        state=state,
        platform=platform_in(words),
        dimension=dimension_in(words) if kind == "breakdown" else "",
    )


def customers_intent(question: str) -> Intent | None:
    """The intent of a question about customers' lifetime value (`what's my LTV`, `what is a customer worth`) or
    payback (`how long until a new customer pays back`, `LTV:CAC`); None for any other question. Needs no ad
    data, so `ask` reads it before anything else."""
    text = " ".join(question.split())
    words = normalise(text)
    if re.search(PAYBACK, words):
        return Intent("customers", text, view="payback")
    if re.search(LTV, words):
        return Intent("customers", text, view="ltv")
    return None


def family(words: str, text: str, name: str | None) -> tuple[str, str]:
    """(kind, state) of a normalised question; `text` is the question as asked, `name` its quoted name.

    Raises:
        AdlabError: the question fits none of the families.
    """
    if re.search(TRACKING, words):
        return "tracking", ""
    acts = re.search(ACTION, words) and not re.search(WHY, words)
    if acts and (name or (not re.search(ANY_ENTITY, words) and unquoted_name(text))):
        return "verdict", ""
    if re.search(WHY, words):
        return "why", ""
    if re.search(ACCOUNTS, words):
        return "portfolio", ""
    for state, pattern in STATES:
        if re.search(pattern, words):
            return "state", state
    checks = (
        ("breakdown", bool(dimension_in(words))),
        ("compare", bool(re.search(COMPARE, words))),
        ("trend", bool(re.search(TREND, words))),
        ("best" if segment_in(words) else "rank", bool(re.search(RANK, words))),
        ("metric", bool(re.search(METRIC, words)) or kpi_in(words, "") != ""),
    )
    for kind, matches in checks:
        if matches:
            return kind, ""
    raise AdlabError(cannot_answer(text))


def portfolio_intent(text: str, words: str, kpis_daily: pl.DataFrame) -> Intent:
    """The intent of a question about the accounts side by side; its periods default to the latest complete
    week and the week before (periods_for's `last_week`).

    `change` when it asks how a KPI moved (`fell most`, `improved`, `changed`), `rank` when it ranks or names a
    KPI (`which account spent the most`, `rank my accounts by CPA`), else `overview` (`how are my accounts
    doing`). `n`: the number said, 1 for `which account`, else every account (None).
    """
    periods = periods_in(words, kpis_daily) if period_named(words) else periods_for(kpis_daily, "last_week")
    kpi = ad_kpi_in(words)
    moved = next(((direction, found) for direction, pattern in MOVED if (found := re.search(pattern, words))), None)
    named_kpi = kpi_in(words, "") != ""
    view = "change" if moved else "rank" if re.search(RANK, words) or named_kpi else "overview"
    said = re.search(
        rf"\b(?:top|best|worst|bottom|highest|lowest|first|last) ({NUMBER})\b|\b({NUMBER}) accounts\b", words
    )
    n = number(next(group for group in said.groups() if group)) if said else None
    if n is None and re.search(r"\b(?:which|what) account\b", words):
        n = 1
    return Intent(
        "portfolio",
        text,
        kpi,
        "account",
        periods=periods,
        n=n,
        order=order_in(words, kpi),
        view=view,
        movement=moved[0] if moved else "",
    )


def cannot_answer(text: str) -> str:
    """One line: the question cannot be answered, and the three example questions closest to it."""
    examples = {example.lower(): example for example in EXAMPLES}
    closest = difflib.get_close_matches(text.lower(), list(examples), n=3, cutoff=0)
    return f"I cannot answer {quoted(text)} yet. I can answer: " + "; ".join(f'"{examples[q]}"' for q in closest)


def normalise(question: str) -> str:
    """Lower case, words only (hyphens kept between digits: `25-34`, dates), typos fixed, SYNONYMS applied."""
    lower = question.lower().replace("’", "'").replace("‘", "'")
    lower = re.sub(r"(?<=[a-z])'s\b", " is", lower)
    lower = re.sub(r"n't\b", " not", lower)
    lower = re.sub(r"[^a-z0-9+\- ]", " ", lower)
    lower = re.sub(r"(?<![0-9])-|-(?![0-9])", " ", lower)
    text = " ".join(corrected(word) for word in lower.split())
    for pattern, word in SYNONYMS:
        text = re.sub(pattern, word, text)
    return text


def corrected(word: str) -> str:
    """The VOCABULARY word a word of 4+ letters was meant to be (`froquency` -> `frequency`), else the word."""
    if len(word) < 4 or not word.isalpha() or word in VOCABULARY:
        return word
    match = difflib.get_close_matches(word, VOCABULARY, n=1, cutoff=0.8)
    swapped = [known for known in VOCABULARY if sorted(known) == sorted(word)]
    return match[0] if match else swapped[0] if swapped else word


def kpi_in(words: str, default: str = "roas") -> str:
    """The KPI a normalised question names first in KPI_WORDS' order."""
    for kpi, pattern in KPI_WORDS:
        if re.search(pattern, words):
            return kpi
    return default


def ad_kpi_in(words: str, default: str = "roas") -> str:
    """kpi_in among the ad and store KPIs only (a question ranking ads or accounts reads them, not profit)."""
    return next((kpi for kpi, pattern in KPI_WORDS[len(PROFIT_WORDS) :] if re.search(pattern, words)), default)


def level_in(words: str) -> str | None:
    """The level a normalised question names: adset, campaign, platform or ad (`creative` is the ad)."""
    for level, pattern in LEVEL_WORDS:
        if re.search(pattern, words):
            return level
    return None


def platform_in(words: str) -> str:
    """The ad platform a question filters on (`meta`, `google_ads`, `pinterest`), else empty."""
    return next((platform for platform, pattern in PLATFORMS if re.search(pattern, words)), "")


def dimension_in(words: str) -> str:
    """The breakdown a question asks for (`roas by age`, `which region`, `men vs women`), else empty."""
    for dimension, pattern in DIMENSIONS:
        if re.search(rf"\b(?:by|per|across|each|every|which|what|split|break ?down|breakdown|best|top)(?: \w+)?"
                     rf" (?:{pattern})\b", words):  # fmt: skip
            return dimension
    if re.search(r"\b(?:men|women|males?|females?) (?:vs|or|versus) (?:men|women|males?|females?)\b", words):
        return "gender"
    if re.search(r"\b(?:facebook|instagram) (?:vs|or|versus) (?:facebook|instagram)\b", words):
        return "publisher_platform"
    return ""


def count_in(words: str) -> int:
    """How many entities a ranking lists: the number said, 1 for a singular level (`best ad`), else 5."""
    adjectives = r"(?:(?:best|worst|top|bottom|highest|lowest|winning|losing|strongest|weakest|performing) )*"
    entities = r"(?:ads?|ad sets?|campaigns?|creatives?|videos?|platforms?|performers|ones)"
    if match := re.search(rf"\b(?:top|best|worst|bottom|highest|lowest|strongest|weakest) ({NUMBER})\b", words):
        return number(match.group(1))
    if match := re.search(rf"\b({NUMBER}) {adjectives}{entities}\b", words):
        return number(match.group(1))
    plural = re.search(
        r"\b(?:ads|ad sets|campaigns|creatives|videos|platforms|channels|performers|ones)\b"
        r"|\b(?:by|per|each|every) (?:ad|ad set|campaign|creative|platform|channel)\b",  # "roas by campaign": all
        words,
    )
    singular = re.search(r"\b(?:ad|ad set|campaign|creative|video|platform|channel|one)\b", words)
    return 1 if singular and not plural else 5


def order_in(words: str, kpi: str) -> str:
    """`top` or `worst`, in the KPI's good direction: `lowest cpa` is top, `lowest roas` worst."""
    if re.search(WORST, words):
        return "worst"
    if re.search(HIGH, words):
        return "worst" if kpi in LOWER_IS_BETTER_KPIS else "top"
    if re.search(LOW, words):
        return "top" if kpi in LOWER_IS_BETTER_KPIS else "worst"
    return "top"


def period_named(words: str) -> bool:
    """Whether a normalised question names a period (a date, `yesterday`, `last week`, `october` ...)."""
    months = "|".join(month for month in MONTHS if month != "may")
    return bool(
        re.search(rf"\d{{4}}-\d{{2}}-\d{{2}}|\b(?:today|yesterday|week|month|year|days|since|{months}|in may)\b", words)
    )


def named_level(lower: str, name: str) -> str | None:
    """The level a question gives its name (`my 'Summer Sale' ad set`); None when it says none."""
    tail = lower[lower.find(name.lower()) + len(name) :] if name.lower() in lower else lower
    if re.search(r"\bad ?set\b", tail) or re.search(r"\bad ?set\b", lower[: lower.find(name.lower())][-12:]):
        return "adset"
    if re.search(r"\bcampaign\b", tail):
        return "campaign"
    if re.search(r"^\W*(ad|creative)\b", tail):
        return "ad"
    return None


def segment_in(words: str) -> dict[str, str]:
    """The audience a question names: gender, age band, publisher platform (`women aged 25-34 on instagram`)."""
    segment: dict[str, str] = {}
    for word, gender in GENDER_WORDS.items():
        if re.search(rf"\b{word}\b", words):
            segment["gender"] = gender
            break
    if match := re.search(r"\b(13|18|25|35|45|55)\s*(?:-|to)\s*(17|24|34|44|54|64)\b", words):
        segment["age"] = f"{match.group(1)}-{match.group(2)}"
    elif re.search(r"\b65\s*\+|\bover 65\b|\b65 (?:and|or) (?:over|older|up)\b", words):
        segment["age"] = "65+"
    for word, platform in PLATFORM_WORDS.items():
        if re.search(rf"\b(on|in|via) {word}\b", words):
            segment["publisher_platform"] = platform
    return segment


def quoted_name(question: str) -> str | None:
    """The name a question gives in quotes (`pause 'Summer Sale'`)."""
    match = re.search(QUOTED, question)
    return match.group(1).strip() if match else None


def unquoted_name(question: str) -> str | None:
    """The name after pause / kill / scale ... in a question as asked (`kill Summer Sale?` -> `Summer Sale`)."""
    match = re.search(
        r"\b(?:pause|scale(?: up)?|stop|kill|turn off|switch off|shut off|keep|boost|double down on|cut|refresh)"
        r"\s+(?:my |the |this |that |our )?(?:(?:ad ?set|campaign|ad|creative)\s+)?(.+?)"
        r"(?:\s+(?:ad ?set|campaign|ad|creative))?(?:\s+(?:now|today|yet|already))?\s*[?.!]*$",
        question,
        re.IGNORECASE,
    )
    name = match.group(1).strip() if match else ""
    generic = r"it|this|that|them|anything|something|everything|now|(?:any|all|my|the|some)\b.*"
    generic += r"|ads|ad ?sets|campaigns|creatives"
    return None if not name or re.fullmatch(f"(?:{generic})", name.lower()) else name


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
    """Whether the question names a KPI other than CPA and results (whose words include `cost per result`)."""
    return any(re.search(pattern, question) for kpi, pattern in KPI_WORDS if kpi not in NOT_OTHER_KPIS)
