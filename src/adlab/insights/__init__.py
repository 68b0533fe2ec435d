"""Answers a media buyer asks, in plain words with numbers. Which module answers which kind of question:

- `ask`: a question in plain words -> intent (`questions`: KPI, level, periods, segment, name) -> answer.
- `why`: why a KPI moved: `causes` says it in one plain sentence first, then the exact CPM / CTR / CVR / AOV
  split; `movers`: the campaigns and ads behind it (mix vs rate); `funnel`: tracking and checkout breaks.
- `segments`: the best ads, ad sets or campaigns, for everyone or for an audience.
- `verdicts`: should I pause or scale one named entity; `recommend`: this week's action for every ad set
  and ad; both judge with the decision rules of `rules` (posteriors, stop-loss, scale, fatigue).
- `ab`: A/B readout of two ads; `notes`: what a total rests on (attribution settings, CPA target).
- `customers`: what a customer is worth over time (LTV) and when a new customer pays back (monthly cohorts).
- `portfolio`: several accounts side by side (whose KPI moved most, accounts ranked, how they are doing), and
  one account's rows for `adlab ask --account`.
- Shared: `answer` (Workspace in, Answer out, how entities are named), `periods` (the days compared),
  `results` (results by type where purchases are unknown).

Every function is pure: frames and settings in, an `Answer` (a headline and evidence lines) or a frame out.
Relative dates count from the last day in the data, never from today.
"""

from adlab.insights.ab import ab_readout
from adlab.insights.answer import LEVELS, Answer, Workspace, find_entity, with_notes
from adlab.insights.ask import ask
from adlab.insights.notes import attribution_line, attribution_mix, best_notes, footing_notes, verdict_notes
from adlab.insights.periods import Period, last_day, periods_for
from adlab.insights.recommend import neutralise_formulas, recommendations
from adlab.insights.rules import judge, judge_results
from adlab.insights.segments import best_for_segment
from adlab.insights.verdicts import verdict
from adlab.insights.why import explain_any, explain_change, explain_results_change

__all__ = [
    "LEVELS",
    "Answer",
    "Period",
    "Workspace",
    "ab_readout",
    "ask",
    "attribution_line",
    "attribution_mix",
    "best_for_segment",
    "best_notes",
    "explain_any",
    "explain_change",
    "explain_results_change",
    "find_entity",
    "footing_notes",
    "judge",
    "judge_results",
    "last_day",
    "neutralise_formulas",
    "periods_for",
    "recommendations",
    "verdict",
    "verdict_notes",
    "with_notes",
]
