"""The words of questions: the phrases, cue patterns and word lists `questions.parse_question` reads a question
with (synonyms, KPI and level words, the cues of each family, typo vocabulary), kept apart from the grammar."""

from __future__ import annotations

import re

from adlab.insights.answer import LOWER_IS_BETTER
from adlab.insights.periods import MONTHS, NUMBER_WORDS, WEEKDAYS

# Everyday phrases rewritten to one word before anything else is read.
SYNONYMS = (
    (r"return on (?:ad |ads )?spend|return on ads?", "roas"),
    (r"\b(?:facebook|fb|meta) ads\b|\bads manager\b", "meta"),
    (r"\bgoogle ads\b|\badwords\b", "google"),
    (r"\b(?:ad|ads|advertising|marketing) (spend|budget|costs?)\b", "spend"),
    (r"\b(?:turn|switch|shut) (?:it |them )?(?:off|down)\b|\bkill\b|\bstop\b|\bcut\b", "pause"),
    (
        r"\bdouble down(?: on)?\b|\bscale up\b|\bboost\b|\b(?:increase|raise) (?:the )?budgets?(?: on| of| for)?\b",
        "scale",
    ),
    (r"\bput more (?:money|budget|spend) (?:into|in|on|behind)\b|\bspend more on\b|\binvest more in\b", "scale"),
    (r"\bad ?groups\b|\badsets\b", "ad sets"),
    (r"\bad ?group\b|\badset\b", "ad set"),
    (r"\bwhat is\b|\bwhats\b", "what is"),
)
# The words that name each KPI, in the order they are tried: longer phrases before the words inside them.
# Profit and new-customer figures (answered by insights.profit) come first: "new customer CPA" is not CPA.
PROFIT_WORDS = (
    (
        "new_customer_cpa",
        r"\bnew customer (?:cpa|cac|acquisition cost)\b|\bcost (?:per|of an?|for an?|to acquire an?) new customers?\b"
        r"|\bnc ?cpa\b",
    ),
    ("ncroas", r"\bnc ?roas\b|\bnew customer roas\b"),
    ("new_customer_revenue", r"\bnew customer (?:revenue|sales)\b|\b(?:revenue|sales) from new customers\b"),
    ("new_customers", r"\bnew customers?\b|\bfirst time (?:customers|buyers)\b"),
    ("poas", r"\bpoas\b|\bprofit on (?:ad )?spend\b"),  # SYNONYMS read "ad spend" as "spend"
    ("breakeven_roas_actual", r"\bbreak ?even\b"),
    ("gross_margin_actual", r"\b(?:gross |profit |actual )?margins?\b"),
    ("gross_profit", r"\bgross profit\b|\bprofit before ads\b"),
    ("contribution_after_ads", r"\bprofit\w*|\bcontribution\b|\bbottom line\b"),
)
KPI_WORDS = (
    *PROFIT_WORDS,
    (
        "cost_per_result",
        r"cost per (?:result|lead|install|registration|sign ?up|message|conversation|landing page view)s?"
        r"|cost per (?:add to cart|checkout|initiated checkout)s?|\bcpr\b|\bcpl\b",
    ),
    ("mer", r"\bmer\b|marketing efficiency|blended roas"),
    ("roas", r"\broas\b"),
    ("cpa", r"\bcpa\b|\bcac\b|cost (?:per|of an?|for an?) (?:purchase|acquisition|conversion|order|sale|customer)s?"),
    ("cpc", r"\bcpc\b|(?:cost|price) per (?:link )?click"),
    ("cpm", r"\bcpm\b|cost per (?:1000|thousand|mille)"),
    ("cvr", r"\bcvr\b|conversion rate|\bconv rate\b|\bconversion percentage\b"),
    ("aov", r"\baov\b|order value|basket size|average order\b"),
    ("hook_rate", r"\bhook rate\b|\bthumb ?stop"),
    ("hold_rate", r"\bhold rate\b"),
    ("ctr", r"\bctr\b|click ?through|\bclick rate\b"),
    ("link_clicks", r"\blink clicks?\b"),
    ("frequency", r"\bfrequency\b|\bfreq\b"),
    ("reach", r"\breach\b|\bpeople reached\b"),
    ("impressions", r"\bimpressions?\b|\bimps\b"),
    (
        "revenue",
        r"\b(?:store|shop|shopify|website|site|total|overall|net) (?:revenue|sales)\b"
        r"|\b(?:revenue|sales) (?:of|from|in|on) (?:the |my )?(?:store|shop|shopify|website|site)\b",
    ),
    ("orders", r"\borders?\b"),
    ("purchases", r"\bhow many (?:sales|purchases|conversions)\b|\bnumber of sales\b"),
    (
        "purchase_value",
        r"\bpurchase value\b|\bconversion value\b|\bsales\b|\brevenue\b|\bincome\b"
        r"|\bhow much (?:money )?(?:did i|have i|did we|have we) (?:make|made|earn)"
        r"|\b(?:made|make|making|earned|brought in|bring in|brings in) (?:the )?(?:most |least )?money\b",
    ),
    ("purchases", r"\bpurchases?\b|\bconversions?\b|\bbuyers\b"),
    ("results", r"\bresults?\b|\bleads?\b"),
    ("clicks", r"\bclicks?\b"),
    ("spend", r"\bspend\w*|\bspent\b|\bcosts?\b|\bcost me\b|\bbudget\b|\bpaid\b|\bpay\b"),
)
PROFIT_KPIS = tuple(kpi for kpi, _ in PROFIT_WORDS)
LOWER_IS_BETTER_KPIS = (*LOWER_IS_BETTER, "cost_per_result", "new_customer_cpa")
NOT_OTHER_KPIS = ("cpa", "cost_per_result", "results")
# Levels in the order they are tried ("ad set" before "ad"); `creative` is the ad.
LEVEL_WORDS = (
    ("adset", r"\bad ?sets?\b"),
    ("campaign", r"\bcampaigns?\b"),
    ("platform", r"\bplatforms?\b|\bchannels?\b"),
    # Creative attributes parsed from ad names (params.yaml creatives.naming): rank formats, hooks, concepts.
    ("format", r"\bformats?\b"),
    ("hook", r"\bhooks?\b(?! rates?)"),
    ("concept", r"\bconcepts?\b|\bangles?\b"),
    ("ad", r"\bads?\b|\bcreatives?\b|\bvideos?\b|\bimages?\b"),
)
ATTRIBUTE_LEVELS = ("format", "hook", "concept")
PLATFORMS = (("meta", r"\bmeta\b"), ("google_ads", r"\bgoogle\b"), ("pinterest", r"\bpinterest\b"))
DIMENSIONS = (
    ("age", r"ages?|age groups?|age brackets?|age bands?"),
    ("gender", r"genders?|sex"),
    ("placement", r"placements?|positions?"),
    ("publisher_platform", r"publisher platforms?|apps?"),
    ("region", r"regions?|cities|city|locations?|areas?"),
    ("country", r"countries|country|markets?"),
)
STATES = (
    ("learning", r"\blearning\b"),
    (
        "fatigued",
        r"\bfatigue\w*|\btired\b|\bburn(?:ed|t|ing)? ?out\b|\bworn out\b|\bwearing out\b|\bstale\b|\brefresh\w*",
    ),
    (
        "today",
        r"\bwhat (?:should|do|can|must) i do\b|\bwhat to do\b|\bto ?do\b|\bactions?\b|\bnext steps?\b"
        r"|\bpriorit\w*|\bneeds? (?:my )?attention\b|\bchecklist\b|\bfocus on\b",
    ),
    ("pause", r"\bpause\w*|\blosing money\b|\bwast\w*|\bmoney pits?\b|\bbleeding\b|\bturn off\b"),
    ("scale", r"\bscal\w*|\bput more\b|\bready to grow\b"),
)
# The cue words of each family; `family` tries them in its order, so a question with two cues gets the first.
TRACKING = (
    r"\btrack\w*|\bpixel\b|\bcapi\b|conversions api|\bfunnel\b|\bdrop ?offs?\b|\battribution\b"
    r"|\b(?:purchases|conversions|sales) (?:are |is )?(?:not )?(?:being )?(?:recorded|showing|coming through)"
)
ACTION = r"\b(?:pause|scale|refresh|keep|turn off)\b"
ANY_ENTITY = (
    r"\b(?:which|what|anything|any|something|everything|all|list|who)\b|\b(?:ads|ad sets|campaigns|creatives)\b"
)
WHY = (
    r"\bwhy\b|\bwhat happened\b|\bwhat changed\b|\bwhat caused\b|\bexplain\w*|\breasons?\b|\bhow come\b|\bwent wrong\b"
)
COMPARE = (
    r"\bcompar\w*|\bvs\b|\bversus\b|\bagainst\b|\bchang\w*|\bdifference\b"
    r"|\bthan (?:last|the|yesterday|previous|before)\b|\bimprov\w*|\bup or down\b|\bgo(?:ne)? (?:up|down)\b"
    r"|\bwent (?:up|down)\b|\bincreas\w*|\bdecreas\w*|\bgetting (?:worse|better|cheaper|more expensive)\b"
)
TREND = (
    r"\btrend\w*|\bover time\b|\bdevelop\w*|\bevolv\w*|\bday by day\b|\bby day\b|\bper day\b|\beach day\b"
    r"|\bdaily (?:trend|chart|numbers|figures)\b|\bchart\b|\bgraph\b|\bplot\b|\bweek by week\b|\btrajectory\b"
)
RANK = (
    r"\b(?:best|top|worst|bottom|highest|lowest|most|least|biggest|smallest|cheapest|winning|winners?|losers?"
    r"|leaders?|ranking|rank|strongest|weakest|underperform\w*|outperform\w*|performers?|leaderboard)\b"
    r"|\bwhich (?:one|ads?|ad sets?|campaigns?|creatives?|platforms?|formats?|hooks?|concepts?|angles?)\b"
    r"|\b(?:by|per|each) (?:platform|campaign|ad set|ad|creative|format|hook|concept|angle)\b"
)
# A question about the accounts side by side ("which account's ROAS fell most", "rank my accounts by CPA").
ACCOUNTS = r"\baccounts\b|\b(?:which|what|each|every|per|by|across) account\b"
# How a KPI moved, for "which account's ROAS fell most": down, up, or either way.
MOVED = (
    ("down", r"\b(?:drop\w*|fell|fall\w*|declin\w*|decreas\w*|went down|gone down|worsen\w*|crash\w*)\b"),
    ("up", r"\b(?:rose|rise\w*|rising|grew|grow\w*|increas\w*|improv\w*|went up|gone up|jump\w*|climb\w*)\b"),
    ("", r"\b(?:chang\w*|mov(?:ed|es|ing)?)\b"),
)
# A question with no KPI is a metric question only when it asks how things go ("how are my ads doing").
METRIC = (
    r"\b(?:doing|performing|performance|going|stats|numbers|summary|overview|results)\b"
    r"|\bhow (?:did|do|are|is|am|were|was) (?:we|i|things|it|everything)\b"
)
WORST = r"\b(?:worst|bottom|losers?|losing|weakest|underperform\w*|poorest|poorly|bad|worse)\b"
HIGH = r"\b(?:highest|most|biggest|largest|maximum|max|priciest|expensive|best)\b"
LOW = r"\b(?:lowest|least|smallest|cheapest|minimum|min|fewest)\b"
# Questions about customers' lifetime value (LTV) and when a new customer pays back what it cost: the cohorts'
# family, read before every other (`pays back` would otherwise ask for spend, `cac` for the CPA).
PAYBACK = (
    r"\bpay(?:s|ing)? (?:it |itself |themselves |me |us )?back\b|\bpaid (?:it |itself )?back\b|\bpayback\b"
    r"|\bpay (?:for )?(?:itself|themselves)\b|\brecoup\w*|\bbreak(?:s)? even on (?:a |new |my )?customers?\b"
    r"|\bltv (?:to |vs |versus |over )?cac\b|\bcac payback\b|\bearn (?:it |its cost |their cost )?back\b"
)
LTV = (
    r"\bltv\b|\bclv\b|\bcltv\b|\blife ?time value\b|\bcustomer value\b|\bvalue of a (?:new )?customer\b"
    r"|\bcustomers? (?:is |are )?worth\b|\bworth of a customer\b|\bcohorts?\b|\brepeat (?:customers?|purchases?"
    r"|rate|buyers?|orders?)\b|\breturning customers?\b|\bcome back\b"
)
# One question per family, for "the three closest questions it can answer".
EXAMPLES = (
    "What was my CPA last week?",
    "What was my profit last week?",
    "Compare ROAS this week to last week",
    "Top 5 ads by ROAS yesterday",
    "Which creatives are fatigued?",
    "Why did my ROAS drop yesterday?",
    "Should I pause ad '<name>'?",
    "Which of my ads is performing best with women aged 25-34?",
    "Is my tracking broken?",
    "ROAS trend over the last 30 days",
    "Spend by age last month",
    "What's my LTV?",
    "How long until a new customer pays back?",
)
# The words small typos are corrected to (words of 4+ letters within difflib's 0.8 of one of these, or the
# same letters in another order): everyday words, and every word the patterns above spell.
VOCABULARY = frozenset(
    re.findall(
        r"[a-z]+",
        "spend spent spending cost costs budget sales revenue purchase purchases value conversion conversions "
        "rate cost orders order results result leads impressions reach frequency clicks click link through "
        "hook hold thumbstop roas mer cpa cpc cpm cvr aov ctr store shop shopify website basket average "
        "campaign campaigns ad ads adset adsets set sets creative creatives video videos image images platform "
        "platforms channel channels account overall total blended meta facebook instagram google pinterest "
        "messenger audience network threads women woman female females ladies men man male males aged "
        "today yesterday week weeks month months days day last past previous this since between and year "
        "compare compared versus against change changed changes difference improving improved trend trending "
        "developed develop evolved chart graph daily best top worst bottom highest lowest most least biggest "
        "cheapest winning winner winners losing losers performing performance performers strongest weakest "
        "which what when where should would could pause paused scale scaling refresh keep kill stop turn "
        "fatigued fatigue tired stale learning still phase actions action priorities today tracking tracked "
        "track pixel funnel attribution broken working recorded why happened explain reason drop dropped "
        "fall fell rise rose spike crash breakdown split placement placements region regions country "
        "countries gender genders location locations doing going much many show tell give summary numbers "
        "there their these those have with from into over under about that than then they them your mine "
        "does done make made earn earned were been being money wasting bleeding boost double down more "
        "less worse better good well anything something everything ready attention focus steps next "
        "with other same number people reached how are was did one ones named cart carts work works worked "
        "convert converts converting get got getting bring brought making ltv lifetime payback cohort cohorts "
        "customer customers worth recoup repeat returning "
        + " ".join((*MONTHS, *WEEKDAYS, *NUMBER_WORDS, ""))
        + re.sub(
            r"\\[a-z]",
            " ",
            " ".join(
                words
                for table in (SYNONYMS, KPI_WORDS, LEVEL_WORDS, DIMENSIONS, STATES)
                for row in table
                for words in row
            )
            + " ".join((TRACKING, ACTION, ANY_ENTITY, WHY, COMPARE, TREND, RANK, METRIC, WORST, HIGH, LOW, ACCOUNTS))
            + " ".join(pattern for _, pattern in MOVED),
        ),
    )
)
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
QUOTED = r"(?:^|(?<=\s))['\"‘“](.+?)['\"’”](?=\s|$|[?.!,])"
