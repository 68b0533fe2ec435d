"""The question bank: everyday phrasings (paraphrases, typos, lower case, no question marks) and the intent
each must parse to, on a kpis_daily whose last day is Tuesday 2026-11-24.

Calendar used for the expected dates (worked out by hand): the last day is Tue 24 Nov 2026, so `today` and
`yesterday` are 24 Nov (vs 23 Nov); the default last 7 days are 18-24 Nov (vs 11-17 Nov); `last week` is the
ISO week Mon 16 - Sun 22 Nov (vs 9-15 Nov); `this week` is Mon 23 - Tue 24 Nov (vs Mon 16 - Tue 17 Nov);
`this month` is 1-24 Nov (vs 1-24 Oct); `last month` and `october` are 1-31 Oct (vs 1-30 Sep).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from adlab.errors import AdlabError
from adlab.insights.questions import parse_question

KPIS_DAILY = pl.DataFrame(
    {
        "date": [dt.date(2026, 8, 3), dt.date(2026, 11, 23), dt.date(2026, 11, 24)],
        "ad": ["Hero Video", "Hero Video", "Summer Sale"],
        "spend": [10.0, 12.0, 9.5],
    }
)
Days = tuple[str, str]
YESTERDAY: Days = ("2026-11-24", "2026-11-24")
DAY_BEFORE: Days = ("2026-11-23", "2026-11-23")
LAST_7: Days = ("2026-11-18", "2026-11-24")
PREVIOUS_7: Days = ("2026-11-11", "2026-11-17")
LAST_WEEK: Days = ("2026-11-16", "2026-11-22")
WEEK_BEFORE: Days = ("2026-11-09", "2026-11-15")
THIS_WEEK: Days = ("2026-11-23", "2026-11-24")
THIS_WEEK_BEFORE: Days = ("2026-11-16", "2026-11-17")
THIS_MONTH: Days = ("2026-11-01", "2026-11-24")
THIS_MONTH_BEFORE: Days = ("2026-10-01", "2026-10-24")
OCTOBER: Days = ("2026-10-01", "2026-10-31")
SEPTEMBER: Days = ("2026-09-01", "2026-09-30")
LAST_14: Days = ("2026-11-11", "2026-11-24")
PREVIOUS_14: Days = ("2026-10-28", "2026-11-10")
LAST_30: Days = ("2026-10-26", "2026-11-24")
PREVIOUS_30: Days = ("2026-09-26", "2026-10-25")
SINCE_MONDAY: Days = ("2026-11-23", "2026-11-24")
WEEKEND_BEFORE: Days = ("2026-11-21", "2026-11-22")

BANK: list[tuple[str, str, dict[str, object]]] = [
    # ---------------------------------------------------------------- metric
    (
        "What was my CPA last week?",
        "metric",
        {"kpi": "cpa", "level": "account", "current": LAST_WEEK, "previous": WEEK_BEFORE},
    ),
    ("what was my cpa last week", "metric", {"kpi": "cpa", "current": LAST_WEEK}),
    ("whats my cost per purchase last week", "metric", {"kpi": "cpa", "current": LAST_WEEK}),
    ("cost per acquisition last week?", "metric", {"kpi": "cpa", "current": LAST_WEEK}),
    ("What was my cost per conversion last week", "metric", {"kpi": "cpa", "current": LAST_WEEK}),
    (
        "How much did I spend yesterday?",
        "metric",
        {"kpi": "spend", "level": "account", "current": YESTERDAY, "previous": DAY_BEFORE},
    ),
    ("how much did i spend yesterday", "metric", {"kpi": "spend", "current": YESTERDAY}),
    ("how much did i spned yesterdy", "metric", {"kpi": "spend", "current": YESTERDAY}),
    ("what did I spend today", "metric", {"kpi": "spend", "current": YESTERDAY}),
    (
        "How much have I spent this week?",
        "metric",
        {"kpi": "spend", "current": THIS_WEEK, "previous": THIS_WEEK_BEFORE},
    ),
    ("total ad spend this month", "metric", {"kpi": "spend", "current": THIS_MONTH, "previous": THIS_MONTH_BEFORE}),
    ("what was my ad cost last month", "metric", {"kpi": "spend", "current": OCTOBER, "previous": SEPTEMBER}),
    (
        "how much did facebook ads cost me in october",
        "metric",
        {"kpi": "spend", "platform": "meta", "current": OCTOBER},
    ),
    (
        "What's my ROAS this month?",
        "metric",
        {"kpi": "roas", "level": "account", "current": THIS_MONTH, "previous": THIS_MONTH_BEFORE},
    ),
    ("whats my roas this month", "metric", {"kpi": "roas", "current": THIS_MONTH}),
    ("what's my return on ad spend this month", "metric", {"kpi": "roas", "current": THIS_MONTH}),
    ("what is my raos", "metric", {"kpi": "roas", "current": LAST_7}),
    ("ROAS", "metric", {"kpi": "roas", "level": "account", "current": LAST_7, "previous": PREVIOUS_7}),
    ("roas yesterday", "metric", {"kpi": "roas", "current": YESTERDAY}),
    ("How is my frequency?", "metric", {"kpi": "frequency", "level": "account", "current": LAST_7}),
    ("how is my froquency", "metric", {"kpi": "frequency", "current": LAST_7}),
    ("what's the frequency on my campaigns", "metric", {"kpi": "frequency", "level": "campaign"}),
    ("What's my MER?", "metric", {"kpi": "mer", "current": LAST_7}),
    ("what is my blended roas this month", "metric", {"kpi": "mer", "current": THIS_MONTH}),
    ("marketing efficiency ratio last month", "metric", {"kpi": "mer", "current": OCTOBER}),
    ("what's my conversion rate", "metric", {"kpi": "cvr"}),
    ("conversion rate last 14 days", "metric", {"kpi": "cvr", "current": LAST_14, "previous": PREVIOUS_14}),
    ("what is my cvr", "metric", {"kpi": "cvr"}),
    ("whats my CTR", "metric", {"kpi": "ctr"}),
    ("what was the click-through rate yesterday", "metric", {"kpi": "ctr", "current": YESTERDAY}),
    ("cpc last week", "metric", {"kpi": "cpc", "current": LAST_WEEK}),
    ("what's my cost per click", "metric", {"kpi": "cpc"}),
    ("how expensive are my CPMs", "metric", {"kpi": "cpm"}),
    ("cost per thousand impressions this week", "metric", {"kpi": "cpm", "current": THIS_WEEK}),
    ("how many impressions did I get yesterday", "metric", {"kpi": "impressions", "current": YESTERDAY}),
    ("impresions last 30 days", "metric", {"kpi": "impressions", "current": LAST_30, "previous": PREVIOUS_30}),
    ("what was my reach last week", "metric", {"kpi": "reach", "current": LAST_WEEK}),
    ("how many people did I reach this month", "metric", {"kpi": "reach", "current": THIS_MONTH}),
    ("how many clicks yesterday", "metric", {"kpi": "clicks", "current": YESTERDAY}),
    ("link clicks last 14 days", "metric", {"kpi": "link_clicks", "current": LAST_14}),
    ("how many purchases yesterday", "metric", {"kpi": "purchases", "current": YESTERDAY}),
    ("how many conversions did I get this week", "metric", {"kpi": "purchases", "current": THIS_WEEK}),
    ("how many sales did my ads bring last week", "metric", {"kpi": "purchases", "current": LAST_WEEK}),
    ("what was my purchase value last month", "metric", {"kpi": "purchase_value", "current": OCTOBER}),
    ("how much revenue did my ads make this week", "metric", {"kpi": "purchase_value", "current": THIS_WEEK}),
    ("what were my sales yesterday", "metric", {"kpi": "purchase_value", "current": YESTERDAY}),
    ("store revenue last month", "metric", {"kpi": "revenue", "current": OCTOBER}),
    ("shopify sales in october", "metric", {"kpi": "revenue", "current": OCTOBER, "previous": SEPTEMBER}),
    ("what's my total revenue this month", "metric", {"kpi": "revenue", "current": THIS_MONTH}),
    ("how many orders this month", "metric", {"kpi": "orders", "current": THIS_MONTH}),
    ("orders yesterday", "metric", {"kpi": "orders", "current": YESTERDAY}),
    ("what's my AOV", "metric", {"kpi": "aov"}),
    ("average order value last week", "metric", {"kpi": "aov", "current": LAST_WEEK}),
    ("what's my hook rate", "metric", {"kpi": "hook_rate"}),
    ("thumbstop rate this week", "metric", {"kpi": "hook_rate", "current": THIS_WEEK}),
    ("hold rate on my videos last 14 days", "metric", {"kpi": "hold_rate", "current": LAST_14}),
    ("how many results did I get", "metric", {"kpi": "results"}),
    ("how many leads yesterday", "metric", {"kpi": "results", "current": YESTERDAY}),
    ("what's my cost per result", "metric", {"kpi": "cost_per_result"}),
    ("cost per lead this month", "metric", {"kpi": "cost_per_result", "current": THIS_MONTH}),
    ("how are my ads doing", "metric", {"kpi": "roas", "level": "account", "current": LAST_7}),
    ("how am I doing this week", "metric", {"kpi": "roas", "current": THIS_WEEK}),
    ("performance yesterday", "metric", {"current": YESTERDAY}),
    ("roas in september", "metric", {"kpi": "roas", "current": SEPTEMBER, "previous": ("2026-08-01", "2026-08-31")}),
    (
        "spend in december",
        "metric",
        {"kpi": "spend", "current": ("2025-12-01", "2025-12-31"), "previous": ("2025-11-01", "2025-11-30")},
    ),
    ("spend october 2025", "metric", {"kpi": "spend", "current": ("2025-10-01", "2025-10-31")}),
    (
        "cpa between 2026-10-01 and 2026-10-15",
        "metric",
        {"kpi": "cpa", "current": ("2026-10-01", "2026-10-15"), "previous": ("2026-09-16", "2026-09-30")},
    ),
    (
        "spend from 2026-11-01 to 2026-11-07",
        "metric",
        {"kpi": "spend", "current": ("2026-11-01", "2026-11-07"), "previous": ("2026-10-25", "2026-10-31")},
    ),
    (
        "spend on 2026-11-20",
        "metric",
        {"kpi": "spend", "current": ("2026-11-20", "2026-11-20"), "previous": ("2026-11-19", "2026-11-19")},
    ),
    ("ROAS since Monday", "metric", {"kpi": "roas", "current": SINCE_MONDAY, "previous": WEEKEND_BEFORE}),
    ("how much have i spent since monday", "metric", {"kpi": "spend", "current": SINCE_MONDAY}),
    (
        "spend since sunday",
        "metric",
        {"kpi": "spend", "current": ("2026-11-22", "2026-11-24"), "previous": ("2026-11-19", "2026-11-21")},
    ),
    ("spend since 2026-11-20", "metric", {"kpi": "spend", "current": ("2026-11-20", "2026-11-24")}),
    (
        "cpa last 3 days",
        "metric",
        {"kpi": "cpa", "current": ("2026-11-22", "2026-11-24"), "previous": ("2026-11-19", "2026-11-21")},
    ),
    ("roas over the past 2 weeks", "metric", {"kpi": "roas", "current": LAST_14, "previous": PREVIOUS_14}),
    ("roas last seven days", "metric", {"kpi": "roas", "current": LAST_7, "previous": PREVIOUS_7}),
    ("spend in the past week", "metric", {"kpi": "spend", "current": LAST_7}),
    ("spend month to date", "metric", {"kpi": "spend", "current": THIS_MONTH}),
    ("what's my ROAS on google this month", "metric", {"kpi": "roas", "platform": "google_ads", "current": THIS_MONTH}),
    ("pinterest spend last week", "metric", {"kpi": "spend", "platform": "pinterest", "current": LAST_WEEK}),
    ("meta roas yesterday", "metric", {"kpi": "roas", "platform": "meta", "current": YESTERDAY}),
    (
        "spend on instagram last week",
        "metric",
        {"kpi": "spend", "segment": {"publisher_platform": "instagram"}, "platform": ""},
    ),
    ("cpa for women 25-34", "metric", {"kpi": "cpa", "segment": {"gender": "female", "age": "25-34"}}),
    ("what is the ctr of 'Hero Video'", "metric", {"kpi": "ctr", "name": "Hero Video"}),
    ("how is the 'Summer Sale' campaign doing", "metric", {"name": "Summer Sale", "level": "campaign"}),
    ("spend for my ad sets this week", "metric", {"kpi": "spend", "level": "adset", "current": THIS_WEEK}),
    ("how are my campaigns performing", "metric", {"level": "campaign", "current": LAST_7}),
    ("may I see my roas", "metric", {"kpi": "roas", "current": LAST_7}),
    ("roas in may", "metric", {"current": ("2026-05-01", "2026-05-31"), "previous": ("2026-04-01", "2026-04-30")}),
    ("cpa may 2026", "metric", {"kpi": "cpa", "current": ("2026-05-01", "2026-05-31")}),
    ("how much did I make yesterday", "metric", {"kpi": "purchase_value", "current": YESTERDAY}),
    ("How did we do yesterday?", "metric", {"kpi": "roas", "current": YESTERDAY}),
    ("how much money did I make from ads this week", "metric", {"kpi": "purchase_value", "current": THIS_WEEK}),
    ("cost per add to cart", "metric", {"kpi": "cost_per_result"}),
    (
        "What did I spend on Facebook yesterday?",
        "metric",
        {"kpi": "spend", "segment": {"publisher_platform": "facebook"}},
    ),
    ("What's the CTR on my retargeting campaign", "metric", {"kpi": "ctr", "level": "campaign"}),
    # ---------------------------------------------------------------- compare
    (
        "Compare this week to last week",
        "compare",
        {"kpi": "roas", "level": "account", "current": THIS_WEEK, "previous": LAST_WEEK},
    ),
    ("compare this week with last week", "compare", {"current": THIS_WEEK, "previous": LAST_WEEK}),
    ("ROAS this week vs last week", "compare", {"kpi": "roas", "current": THIS_WEEK, "previous": LAST_WEEK}),
    ("roas last week vs this week", "compare", {"current": THIS_WEEK, "previous": LAST_WEEK}),
    ("spend this month versus last month", "compare", {"kpi": "spend", "current": THIS_MONTH, "previous": OCTOBER}),
    ("How did CPA change?", "compare", {"kpi": "cpa", "current": LAST_7, "previous": PREVIOUS_7}),
    ("how did my cpa change last week", "compare", {"kpi": "cpa", "current": LAST_WEEK, "previous": WEEK_BEFORE}),
    (
        "how has my ctr changed this month",
        "compare",
        {"kpi": "ctr", "current": THIS_MONTH, "previous": THIS_MONTH_BEFORE},
    ),
    ("is my roas improving", "compare", {"kpi": "roas"}),
    ("did my cpm go up this week", "compare", {"kpi": "cpm", "current": THIS_WEEK}),
    ("did spend increase yesterday", "compare", {"kpi": "spend", "current": YESTERDAY, "previous": DAY_BEFORE}),
    ("did my conversion rate decrease", "compare", {"kpi": "cvr"}),
    ("yesterday vs the day before", "compare", {"current": YESTERDAY, "previous": DAY_BEFORE}),
    ("today vs yesterday", "compare", {"current": YESTERDAY, "previous": DAY_BEFORE}),
    ("compare october to september", "compare", {"current": OCTOBER, "previous": SEPTEMBER}),
    (
        "compare 2026-11-10 to 2026-11-16 and 2026-11-17 to 2026-11-23",
        "compare",
        {"current": ("2026-11-17", "2026-11-23"), "previous": ("2026-11-10", "2026-11-16")},
    ),
    ("cpa in october compared to september", "compare", {"kpi": "cpa", "current": OCTOBER, "previous": SEPTEMBER}),
    (
        "difference in spend between this week and last week",
        "compare",
        {"kpi": "spend", "current": THIS_WEEK, "previous": LAST_WEEK},
    ),
    (
        "compare 2026-11-17 to 2026-11-23 with 2026-11-10 to 2026-11-16",
        "compare",
        {"current": ("2026-11-17", "2026-11-23"), "previous": ("2026-11-10", "2026-11-16")},
    ),
    ("Is my CPA getting worse?", "compare", {"kpi": "cpa", "current": LAST_7, "previous": PREVIOUS_7}),
    ("is ROAS up or down this week", "compare", {"kpi": "roas", "current": THIS_WEEK}),
    ("comapre roas this month vs last month", "compare", {"kpi": "roas", "current": THIS_MONTH, "previous": OCTOBER}),
    ("how did my campaigns change last week", "compare", {"level": "campaign", "current": LAST_WEEK}),
    (
        "store revenue this month vs last month",
        "compare",
        {"kpi": "revenue", "current": THIS_MONTH, "previous": OCTOBER},
    ),
    ("aov this week against last week", "compare", {"kpi": "aov", "current": THIS_WEEK, "previous": LAST_WEEK}),
    (
        "frequency last 14 days compared to before",
        "compare",
        {"kpi": "frequency", "current": LAST_14, "previous": PREVIOUS_14},
    ),
    # ---------------------------------------------------------------- rank
    ("top 5 ads", "rank", {"kpi": "roas", "level": "ad", "n": 5, "order": "top", "current": LAST_7}),
    ("Top 5 ads", "rank", {"n": 5, "level": "ad"}),
    ("top 10 ads by roas", "rank", {"n": 10, "kpi": "roas", "order": "top"}),
    (
        "top three campaigns by spend this week",
        "rank",
        {"n": 3, "level": "campaign", "kpi": "spend", "order": "top", "current": THIS_WEEK},
    ),
    ("worst ads by ROAS", "rank", {"kpi": "roas", "level": "ad", "n": 5, "order": "worst"}),
    ("worst 3 ads by roas last week", "rank", {"n": 3, "order": "worst", "current": LAST_WEEK}),
    ("bottom 5 campaigns by ctr", "rank", {"n": 5, "order": "worst", "level": "campaign", "kpi": "ctr"}),
    ("best campaign yesterday", "rank", {"level": "campaign", "n": 1, "order": "top", "current": YESTERDAY}),
    ("Best ad yesterday?", "rank", {"level": "ad", "n": 1, "current": YESTERDAY}),
    ("what's my best ad", "rank", {"level": "ad", "n": 1, "order": "top"}),
    ("which ad set has the highest CTR", "rank", {"level": "adset", "kpi": "ctr", "n": 1, "order": "top"}),
    ("which adset has the lowest ctr", "rank", {"level": "adset", "kpi": "ctr", "n": 1, "order": "worst"}),
    ("which campaigns have the lowest CPA", "rank", {"level": "campaign", "kpi": "cpa", "n": 5, "order": "top"}),
    ("which campaign has the highest cpa", "rank", {"level": "campaign", "kpi": "cpa", "n": 1, "order": "worst"}),
    ("cheapest cpc ads", "rank", {"kpi": "cpc", "order": "top", "level": "ad"}),
    ("most expensive cpm campaigns", "rank", {"kpi": "cpm", "order": "worst", "level": "campaign"}),
    ("which ads have the lowest roas", "rank", {"kpi": "roas", "order": "worst", "n": 5}),
    ("highest roas ad sets last month", "rank", {"kpi": "roas", "level": "adset", "order": "top", "current": OCTOBER}),
    (
        "which campaign spent the most yesterday",
        "rank",
        {"kpi": "spend", "level": "campaign", "n": 1, "order": "top", "current": YESTERDAY},
    ),
    (
        "Which campaign made the most money last month?",
        "rank",
        {"kpi": "purchase_value", "level": "campaign", "n": 1, "order": "top", "current": OCTOBER},
    ),
    ("which ads spent the least", "rank", {"kpi": "spend", "order": "worst", "n": 5}),
    ("best performing creatives", "rank", {"level": "ad", "n": 5, "order": "top"}),
    ("top creatives by hook rate", "rank", {"kpi": "hook_rate", "level": "ad", "order": "top"}),
    ("winning ads this month", "rank", {"order": "top", "current": THIS_MONTH}),
    ("my biggest losers last week", "rank", {"order": "worst", "current": LAST_WEEK}),
    ("underperforming campaigns", "rank", {"order": "worst", "level": "campaign"}),
    ("which ads are performing worst", "rank", {"order": "worst", "level": "ad", "n": 5}),
    ("which ad is winning", "rank", {"n": 1, "level": "ad"}),
    ("top 5 campaigns by purchases", "rank", {"kpi": "purchases", "level": "campaign", "n": 5}),
    ("top ad sets by conversion rate", "rank", {"kpi": "cvr", "level": "adset"}),
    ("top two ads by revenue", "rank", {"n": 2, "kpi": "purchase_value"}),
    ("rank my campaigns by cpa", "rank", {"kpi": "cpa", "level": "campaign"}),
    ("which platform has the best roas", "rank", {"level": "platform", "n": 1, "order": "top"}),
    ("spend by platform", "rank", {"level": "platform", "kpi": "spend"}),
    ("ROAS by campaign", "rank", {"kpi": "roas", "level": "campaign", "n": 5}),
    (
        "cpa per ad set last week",
        "rank",
        {"kpi": "cpa", "level": "adset", "n": 5, "order": "top", "current": LAST_WEEK},
    ),
    ("which one is best", "rank", {"n": 1}),
    ("top 5 ads on google", "rank", {"n": 5, "platform": "google_ads"}),
    ("best campain by ctr", "rank", {"level": "campaign", "kpi": "ctr", "n": 1}),
    ("wrost ads by roas", "rank", {"order": "worst", "kpi": "roas"}),
    ("top 5 ads in october", "rank", {"n": 5, "current": OCTOBER}),
    ("top 5 ads last 14 days", "rank", {"n": 5, "current": LAST_14}),
    # ---------------------------------------------------------------- state
    ("Which creatives are fatigued?", "state", {"state": "fatigued", "level": "ad"}),
    ("which creatives are fatigued", "state", {"state": "fatigued"}),
    ("which ads are fatiqued", "state", {"state": "fatigued"}),
    ("any ad fatigue", "state", {"state": "fatigued"}),
    ("which ads are burned out", "state", {"state": "fatigued"}),
    ("which creatives need a refresh", "state", {"state": "fatigued", "level": "ad"}),
    ("are any of my ads tired", "state", {"state": "fatigued"}),
    ("What should I pause?", "state", {"state": "pause", "level": "ad"}),
    ("what should i turn off", "state", {"state": "pause"}),
    ("which ads should I kill", "state", {"state": "pause", "level": "ad"}),
    ("which ad sets should i stop", "state", {"state": "pause", "level": "adset"}),
    ("should I pause anything", "state", {"state": "pause"}),
    ("where am I wasting money", "state", {"state": "pause"}),
    ("which campaigns are losing money", "state", {"state": "pause", "level": "campaign"}),
    ("Which campaign should I scale?", "state", {"state": "scale", "level": "campaign"}),
    ("which campaign should i scale", "state", {"state": "scale", "level": "campaign"}),
    ("what can I scale", "state", {"state": "scale"}),
    ("which ads should I boost", "state", {"state": "scale", "level": "ad"}),
    ("where should i double down", "state", {"state": "scale"}),
    ("which ad sets should I put more money into", "state", {"state": "scale", "level": "adset"}),
    ("what is ready to scale up", "state", {"state": "scale"}),
    ("what's still learning", "state", {"state": "learning"}),
    ("which ad sets are still in the learning phase", "state", {"state": "learning", "level": "adset"}),
    ("anything stuck in learning", "state", {"state": "learning"}),
    ("What should I do today?", "state", {"state": "today"}),
    ("what should i do today", "state", {"state": "today"}),
    ("what do I do", "state", {"state": "today"}),
    ("my to do list", "state", {"state": "today"}),
    ("what needs my attention", "state", {"state": "today"}),
    ("next steps", "state", {"state": "today"}),
    ("what are my priorities today", "state", {"state": "today"}),
    ("what actions should I take this week", "state", {"state": "today", "current": THIS_WEEK}),
    # ---------------------------------------------------------------- why
    (
        "Why did my ROAS drop yesterday?",
        "why",
        {"kpi": "roas", "level": None, "current": YESTERDAY, "previous": DAY_BEFORE},
    ),
    ("why did my roas drop yesterday", "why", {"kpi": "roas", "current": YESTERDAY}),
    ("why did my roas drop", "why", {"kpi": "roas", "current": YESTERDAY, "previous": DAY_BEFORE}),
    ("why is my CPA so high", "why", {"kpi": "cpa", "current": YESTERDAY}),
    ("why did cpa go up last week", "why", {"kpi": "cpa", "current": LAST_WEEK, "previous": WEEK_BEFORE}),
    ("why did my cpm spike this week", "why", {"kpi": "cpm", "current": THIS_WEEK, "previous": THIS_WEEK_BEFORE}),
    ("why is my ctr down", "why", {"kpi": "ctr"}),
    (
        "why did conversion rate fall in the last 7 days",
        "why",
        {"kpi": "cvr", "current": LAST_7, "previous": PREVIOUS_7},
    ),
    ("why did my aov drop", "why", {"kpi": "aov"}),
    ("why did spend go up", "why", {"kpi": "spend"}),
    ("why did my frequency rise", "why", {"kpi": "frequency"}),
    ("what happened to my roas yesterday", "why", {"kpi": "roas", "current": YESTERDAY}),
    ("what changed yesterday", "why", {"kpi": "roas", "current": YESTERDAY}),
    ("explain the drop in purchases", "why", {"kpi": "purchases"}),
    ("how come my cpc doubled", "why", {"kpi": "cpc"}),
    ("why did my roas drop yestrday", "why", {"kpi": "roas", "current": YESTERDAY}),
    ("why did my cost per lead go up", "why", {"kpi": "cost_per_result"}),
    (
        "why did ROAS drop between 2026-11-17 and 2026-11-23",
        "why",
        {"current": ("2026-11-17", "2026-11-23"), "previous": ("2026-11-10", "2026-11-16")},
    ),
    ("why did my campaign roas fall", "why", {"kpi": "roas", "level": "campaign"}),
    ("what caused the cpa spike this month", "why", {"kpi": "cpa", "current": THIS_MONTH}),
    # ---------------------------------------------------------------- verdict
    (
        "Should I pause ad 'IMG_TOF_Wool Overshirt Flatlay'?",
        "verdict",
        {"name": "IMG_TOF_Wool Overshirt Flatlay", "level": None, "periods": None},
    ),
    ("Should I pause my 'Summer Sale' ad set?", "verdict", {"name": "Summer Sale", "level": "adset"}),
    ("should i pause 'Winter Promo'", "verdict", {"name": "Winter Promo", "level": None}),
    ("should I scale the 'Retargeting' campaign", "verdict", {"name": "Retargeting", "level": "campaign"}),
    ("Kill Summer Sale?", "verdict", {"name": "Summer Sale"}),
    ("kill summer sale", "verdict", {"name": "summer sale"}),
    ("should I kill Hero Video", "verdict", {"name": "Hero Video"}),
    ("should I turn off the Retargeting campaign", "verdict", {"name": "Retargeting", "level": "campaign"}),
    ("turn off Hero Video", "verdict", {"name": "Hero Video"}),
    ("stop 'Hero Video'", "verdict", {"name": "Hero Video"}),
    ("double down on 'Hero Video'?", "verdict", {"name": "Hero Video"}),
    ("boost Summer Sale", "verdict", {"name": "Summer Sale"}),
    ("should i scale up “Founder Story” ad", "verdict", {"name": "Founder Story", "level": "ad"}),
    ("should I keep Founder Story running", "verdict", {"name": "Founder Story running"}),
    ("should I refresh 'Founder Story'", "verdict", {"name": "Founder Story"}),
    ("Should I pause the Leads campaign?", "verdict", {"name": "Leads", "level": "campaign"}),
    ("Should I pause ad B?", "verdict", {"name": "B"}),
    ("pause ad set Prospecting US", "verdict", {"name": "Prospecting US"}),
    # ---------------------------------------------------------------- best (a segment)
    (
        "Which of my ads is performing best with women aged 25-34?",
        "best",
        {"kpi": "roas", "level": "ad", "segment": {"gender": "female", "age": "25-34"}, "periods": None},
    ),
    (
        "which of my ads is performing best with women aged 25-34",
        "best",
        {"segment": {"gender": "female", "age": "25-34"}},
    ),
    ("Which ad is best on Instagram?", "best", {"level": "ad", "segment": {"publisher_platform": "instagram"}}),
    ("best ad for men 18-24", "best", {"segment": {"gender": "male", "age": "18-24"}, "n": 1}),
    ("top campaigns for women by ctr", "best", {"level": "campaign", "kpi": "ctr", "segment": {"gender": "female"}}),
    ("which ad set works best for 35-44 year olds", "best", {"level": "adset", "segment": {"age": "35-44"}}),
    (
        "best ads with females 45 to 54 on facebook",
        "best",
        {"segment": {"gender": "female", "age": "45-54", "publisher_platform": "facebook"}},
    ),
    ("which ads win with people over 65", "best", {"segment": {"age": "65+"}}),
    ("best ad for women yesterday", "best", {"segment": {"gender": "female"}, "current": YESTERDAY}),
    ("worst ads for men", "best", {"order": "worst", "segment": {"gender": "male"}}),
    # ---------------------------------------------------------------- tracking
    ("Is my tracking broken?", "tracking", {}),
    ("is my tracking broken", "tracking", {}),
    ("are purchases tracking", "tracking", {}),
    ("are my purchases being tracked", "tracking", {}),
    ("is the pixel working", "tracking", {}),
    ("is capi set up right", "tracking", {}),
    ("show me the funnel", "tracking", {}),
    ("funnel last week", "tracking", {"current": LAST_WEEK}),
    ("where do people drop off in the funnel", "tracking", {}),
    ("is my trackng broken", "tracking", {}),
    ("are conversions being recorded", "tracking", {}),
    # ---------------------------------------------------------------- trend
    (
        "ROAS trend last 30 days",
        "trend",
        {"kpi": "roas", "level": "account", "current": LAST_30, "previous": PREVIOUS_30},
    ),
    ("roas trend", "trend", {"kpi": "roas", "current": LAST_30}),
    ("How has CPM developed?", "trend", {"kpi": "cpm", "current": LAST_30}),
    ("spend by day this month", "trend", {"kpi": "spend", "current": THIS_MONTH}),
    ("ctr over time", "trend", {"kpi": "ctr"}),
    ("chart my cpa for the last 14 days", "trend", {"kpi": "cpa", "current": LAST_14}),
    ("daily spend trend in october", "trend", {"kpi": "spend", "current": OCTOBER}),
    ("how is my frequency trending", "trend", {"kpi": "frequency"}),
    ("graph roas since monday", "trend", {"kpi": "roas", "current": SINCE_MONDAY}),
    (
        "cpa trend since october",
        "trend",
        {"kpi": "cpa", "current": ("2026-10-01", "2026-11-24"), "previous": ("2026-08-07", "2026-09-30")},
    ),
    ("how has my campaign cpa evolved", "trend", {"kpi": "cpa", "level": "campaign"}),
    ("trned of roas", "trend", {"kpi": "roas"}),
    # ---------------------------------------------------------------- breakdown
    ("ROAS by age", "breakdown", {"kpi": "roas", "dimension": "age", "level": "account", "current": LAST_7}),
    ("roas by age", "breakdown", {"dimension": "age"}),
    ("spend by placement", "breakdown", {"kpi": "spend", "dimension": "placement"}),
    ("which region", "breakdown", {"dimension": "region"}),
    ("which region has the best roas", "breakdown", {"dimension": "region"}),
    ("cpa by gender last month", "breakdown", {"kpi": "cpa", "dimension": "gender", "current": OCTOBER}),
    ("men vs women", "breakdown", {"dimension": "gender"}),
    ("which placement works best", "breakdown", {"dimension": "placement", "order": "top"}),
    ("which age group converts best", "breakdown", {"dimension": "age"}),
    ("ctr per placement", "breakdown", {"kpi": "ctr", "dimension": "placement"}),
    ("spend split by country", "breakdown", {"kpi": "spend", "dimension": "country"}),
    ("which countries have the cheapest cpm", "breakdown", {"kpi": "cpm", "dimension": "country"}),
    ("facebook vs instagram", "breakdown", {"dimension": "publisher_platform"}),
    ("roas by publisher platform", "breakdown", {"dimension": "publisher_platform"}),
    ("breakdown by age this week", "breakdown", {"dimension": "age", "current": THIS_WEEK}),
    ("roas by plaecment", "breakdown", {"dimension": "placement"}),
]


def period_days(days: Days) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[1])


@pytest.mark.parametrize(("question", "kind", "slots"), BANK, ids=[row[0] for row in BANK])
def test_parse_question_bank(question: str, kind: str, slots: dict[str, object]) -> None:
    intent = parse_question(question, KPIS_DAILY)
    assert intent.kind == kind
    for slot, expected in slots.items():
        if slot in ("current", "previous"):
            assert intent.periods is not None
            period = intent.periods[0 if slot == "current" else 1]
            assert (period.start, period.end) == period_days(expected), slot  # type: ignore[arg-type]
        else:
            assert getattr(intent, slot) == expected, slot


def test_question_bank_holds_at_least_200_phrasings_of_every_family() -> None:
    assert len(BANK) >= 200
    assert len({question for question, _, _ in BANK}) == len(BANK)
    kinds = {kind for _, kind, _ in BANK}
    assert kinds == {"metric", "compare", "rank", "state", "why", "verdict", "best", "tracking", "trend", "breakdown"}


@pytest.mark.parametrize("question", ["What is the weather tomorrow?", "tell me a joke", "asdf"])
def test_parse_question_unknown_says_so_in_one_line_with_three_questions_it_can_answer(question: str) -> None:
    with pytest.raises(AdlabError) as error:
        parse_question(question, KPIS_DAILY)
    message = str(error.value)
    assert message.startswith(f"I cannot answer '{question}' yet. I can answer: ")
    assert "\n" not in message
    assert message.count('"') == 6
