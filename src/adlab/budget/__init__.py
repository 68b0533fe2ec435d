"""The budget plan: response curves per campaign or ad set (`curves.py`), the reallocation and what-ifs (`plan.py`)."""

from adlab.budget.curves import Curves, fit_curves
from adlab.budget.plan import Plan, allocate, budget_plan, what_if

__all__ = ["Curves", "Plan", "allocate", "budget_plan", "fit_curves", "what_if"]
