"""params.yaml -> typed, validated settings. A wrong value is one clear line, not a traceback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from adlab import tactics as tactics_module
from adlab.errors import AdlabError
from adlab.schema import ISO_WEEK


@dataclass(frozen=True)
class IngestParams:
    raw_dir: str = "data/raw"
    sample_dir: str = "data/sample"
    salt_file: str = ".adlab/salt"


@dataclass(frozen=True)
class ValidateParams:
    max_future_days: int = 1
    min_date: str = "2004-01-01"


@dataclass(frozen=True)
class KpisParams:
    hold_rate_base: str = "video_3s_plays"


@dataclass(frozen=True)
class TargetsParams:
    roas: float = 2.5
    cpa: float = 40.0
    gross_margin: float = 0.5


@dataclass(frozen=True)
class ProfitParams:
    payment_fee_rate: float = 0.029  # the payment provider's share of each order's total
    payment_fee_fixed: float = 0.30  # plus this amount per paid order, in the account currency
    shipping_cost_per_order: float = 0.0  # what the store pays to ship an order (an export's shipping cost column wins)


@dataclass(frozen=True)
class ReportParams:
    weeks: int = 8
    extra_weeks: list[str] = field(default_factory=list)
    top_n: int = 5


DEFAULT_NAMING: tuple[dict[str, Any], ...] = (
    {"delimiter": " | ", "fields": ["format", "hook", "length"]},  # VID | UGC-Unboxing | 15s
    {"delimiter": "_", "fields": ["format", "funnel_stage", "concept"]},  # IMG_TOF_Wool Overshirt Flatlay
    {"delimiter": " - ", "fields": ["objective", "format", "concept"]},  # Conv - Static - Dean Jacket 12/22
)


@dataclass(frozen=True)
class CreativesParams:
    naming: list[dict[str, Any]] = field(default_factory=lambda: [dict(rule) for rule in DEFAULT_NAMING])
    metadata_file: str = ""
    fatigue_min_days: int = 14
    fatigue_ctr_drop: float = 0.25
    fatigue_frequency_rise: float = 0.2

    @property
    def naming_rules(self) -> list[tuple[str, tuple[str, ...]]]:
        """The ad-name conventions as (delimiter, field names), in the order they are tried."""
        return [(str(rule["delimiter"]), tuple(str(name) for name in rule["fields"])) for rule in self.naming]


@dataclass(frozen=True)
class RecommendParams:
    lookback_days: int = 14
    stop_loss_cpa_multiple: float = 3.0
    result_cost_multiple: float = 1.5
    min_purchases: int = 10
    confidence: float = 0.9
    max_budget_step: float = 0.2
    segment_min_spend: float = 50.0
    segment_min_purchases: int = 5
    answer_days: int = 30


@dataclass(frozen=True)
class BudgetParams:
    level: str = "adset"  # where budgets are moved: campaign or adset
    fit_days: int = 56  # response curves are fitted on the last this many days
    min_days: int = 14  # an entity with fewer days of spend and purchase value in them is still learning...
    min_purchases: int = 20  # ...or with fewer purchases in them
    interval: float = 0.9  # the expected gain's interval (bootstrap over days)
    bootstrap: int = 200  # bootstrap resamples of the days


@dataclass(frozen=True)
class AuditParams:
    baseline_days: int = 14  # the audited day is judged against the entity's own days just before it
    min_baseline_days: int = 7  # fewer baseline days with spend: the entity is still learning (not judged)
    fdr: float = 0.1  # Benjamini-Hochberg false discovery rate over all tests of an account's day
    min_change: float = 0.2  # a significant rate change smaller than this share is not worth a morning's look
    clicks_hold: float = 0.5  # a tracking break needs clicks (or checkouts) at least this share of their usual day
    overspend: float = 0.5  # pacing: spend this share above the daily budget (or 2x this above the usual day)
    underdelivery: float = 0.5  # pacing: spend this share below the daily budget or the usual day


# The sections an account may override in `accounts: {<name>: {<section>: {...}}}`: each is checked like the
# top-level section and laid over it (`Params.for_account`). Letting accounts override another is one name here.
ACCOUNT_SECTIONS: tuple[str, ...] = ("targets", "tactics", "profit")


@dataclass(frozen=True)
class ClusterParams:
    scheduler: str = ""  # tcp://host:port of a running Dask scheduler; ADLAB_SCHEDULER overrides it
    workers: int = 0  # local Dask workers when the work is large (0: one per core); ADLAB_WORKERS overrides it
    in_process_rows: int = 200_000  # below this many input rows (or with one account) work runs in-process
    keep_alive: float = 60.0  # seconds a local cluster outlives its stage for the next one (0: each its own)


@dataclass(frozen=True)
class Params:
    ingest: IngestParams = field(default_factory=IngestParams)
    validate: ValidateParams = field(default_factory=ValidateParams)
    kpis: KpisParams = field(default_factory=KpisParams)
    targets: TargetsParams = field(default_factory=TargetsParams)
    profit: ProfitParams = field(default_factory=ProfitParams)
    report: ReportParams = field(default_factory=ReportParams)
    creatives: CreativesParams = field(default_factory=CreativesParams)
    recommend: RecommendParams = field(default_factory=RecommendParams)
    budget: BudgetParams = field(default_factory=BudgetParams)
    audit: AuditParams = field(default_factory=AuditParams)
    cluster: ClusterParams = field(default_factory=ClusterParams)
    # Tactic name -> the thresholds params.yaml gives it (only those); adlab.tactics.tactics_of resolves the rest.
    tactics: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Account name -> section -> the settings that account gives itself (only those it gives).
    accounts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def for_account(self, account: str | None) -> Params:
        """The settings of one account: its overrides laid over the top-level sections.

        The default account (None) and accounts without overrides get the top-level settings. The result
        holds no `accounts` of its own: it is that account's settings alone, so a digest of it changes only
        when they do.
        """
        overrides = self.accounts.get(account, {}) if account is not None else {}
        merged: dict[str, Any] = {
            section: tactics_module.merged(self.tactics, given)
            if section == "tactics"
            else dataclasses.replace(getattr(self, section), **given)
            for section, given in overrides.items()
        }
        return dataclasses.replace(self, accounts={}, **merged)


def account_setting(account: str | None, setting: str) -> str:
    """Where a setting of `account` lives in params.yaml: `targets.cpa`, or `accounts."Nordic Knitwear".targets.cpa`."""
    return setting if account is None else f"{_account_key(account)}.{setting}"


def _account_key(account: str) -> str:
    """`accounts."Nordic Knitwear"`: an account's entry in params.yaml, its name quoted as YAML would take it."""
    return f"accounts.{json.dumps(account, ensure_ascii=False)}"


def _checked(cls: type, values: Any, name: str, source: Path) -> dict[str, Any]:
    """The settings given for section `name`, names and types checked against the dataclass defaults."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise AdlabError(f"{source}: section `{name}` must be a mapping of settings.")
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [key for key in values if key not in known]
    if unknown:
        raise AdlabError(f"{source}: `{name}.{unknown[0]}` is not a setting; known: {', '.join(known)}.")
    defaults = cls()
    checked = {}
    for key, value in values.items():
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise AdlabError(f"{source}: `{name}.{key}` = {value!r} should be a {expected.__name__}.")
        checked[key] = value
    return checked


def _section(cls: type, values: Any, name: str, source: Path) -> Any:
    """Build one section: the settings given, defaults for the rest."""
    return cls(**_checked(cls, values, name, source))


def _accounts(values: Any, source: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """The `accounts` section: per account name, the settings it overrides, checked like their sections."""
    example = 'e.g. accounts: {"Nordic Knitwear": {targets: {roas: 3.0}}}'
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise AdlabError(f"{source}: section `accounts` must map account names to their settings, {example}.")
    overrides: dict[str, dict[str, dict[str, Any]]] = {}
    for name, sections in values.items():
        # An account ID written unquoted (123456789:) reads as a number; the account column holds text.
        if isinstance(name, bool) or not isinstance(name, str | int):
            raise AdlabError(f"{source}: `accounts` key {name!r} should be an account name, {example}.")
        where = _account_key(str(name))
        if sections is None:
            sections = {}
        if not isinstance(sections, dict):
            raise AdlabError(f"{source}: `{where}` must be a mapping of sections, e.g. targets: {{roas: 3.0}}.")
        unknown = [section for section in sections if section not in ACCOUNT_SECTIONS]
        if unknown:
            raise AdlabError(
                f"{source}: `{where}.{unknown[0]}` is not a section an account can override; "
                f"known: {', '.join(ACCOUNT_SECTIONS)}."
            )
        overrides[str(name)] = {
            section: _tactics(given, f"{where}.tactics", source)
            if section == "tactics"
            else _checked(type(getattr(Params(), section)), given, f"{where}.{section}", source)
            for section, given in sections.items()
        }
    return overrides


def _tactics(values: Any, name: str, source: Path) -> dict[str, dict[str, Any]]:
    """The `tactics` section (`name`: where it lives): per tactic, the thresholds given, names and types checked."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise AdlabError(
            f"{source}: section `{name}` must map tactics to their thresholds, e.g. stop_loss: {{cpa_multiple: 3}}."
        )
    unknown = [tactic for tactic in values if tactic not in tactics_module.TACTICS]
    if unknown:
        raise AdlabError(
            f"{source}: `{name}.{unknown[0]}` is not a tactic; known: {', '.join(tactics_module.TACTICS)}."
        )
    return {
        tactic: _checked(tactics_module.TACTICS[tactic], given, f"{name}.{tactic}", source)
        for tactic, given in values.items()
    }


def validate(params: Params, source: Path) -> Params:
    """Check value ranges; raise one clear line for the first wrong value."""
    problems = _targets_problems(params.targets) + _profit_problems(params.profit)
    if params.cluster.workers < 0 or params.cluster.in_process_rows < 0 or params.cluster.keep_alive < 0:
        problems.append("`cluster.workers`, `cluster.in_process_rows` and `cluster.keep_alive` must be 0 or more")
    if params.report.weeks < 1:
        problems.append("`report.weeks` must be at least 1")
    if params.kpis.hold_rate_base not in ("video_3s_plays", "impressions"):
        problems.append("`kpis.hold_rate_base` must be video_3s_plays or impressions")
    bad_weeks = [w for w in params.report.extra_weeks if not ISO_WEEK.fullmatch(str(w))]
    if bad_weeks:
        problems.append(f"`report.extra_weeks` holds {bad_weeks[0]!r}, not an ISO week such as 2026-W30")
    try:
        dt.date.fromisoformat(params.validate.min_date)
    except ValueError:
        problems.append("`validate.min_date` must be a date such as 2004-01-01")
    problems += _creatives_problems(params.creatives) + _recommend_problems(params.recommend)
    problems += tactics_module.problems(tactics_module.tactics_of(params)) + _budget_problems(params.budget)
    problems += _audit_problems(params.audit)
    # An account's merged settings follow the same rules; its own lines name its overrides.
    for account, overrides in params.accounts.items():
        merged = params.for_account(account)
        for section in overrides:
            where = account_setting(account, section)
            if section == "tactics":
                problems += tactics_module.problems(tactics_module.tactics_of(merged), where)
            else:
                problems += _SECTION_PROBLEMS[section](getattr(merged, section), where)
    if problems:
        raise AdlabError(f"{source}: {problems[0]}.")
    return params


def _targets_problems(targets: TargetsParams, name: str = "targets") -> list[str]:
    """What is wrong in a `targets` section (`name`: where it lives), first problem first."""
    problems = []
    if targets.roas <= 0:
        problems.append(f"`{name}.roas` must be > 0")
    if targets.cpa <= 0:
        problems.append(f"`{name}.cpa` must be > 0")
    if not 0 < targets.gross_margin <= 1:
        problems.append(f"`{name}.gross_margin` must be a fraction in (0, 1], e.g. 0.45")
    return problems


def _profit_problems(profit: ProfitParams, name: str = "profit") -> list[str]:
    """What is wrong in a `profit` section (`name`: where it lives), first problem first."""
    problems = []
    if not 0 <= profit.payment_fee_rate < 1:
        problems.append(f"`{name}.payment_fee_rate` must be a fraction in [0, 1), e.g. 0.029 for 2.9%")
    if profit.payment_fee_fixed < 0:
        problems.append(f"`{name}.payment_fee_fixed` must be >= 0, e.g. 0.30 (in the account currency)")
    if profit.shipping_cost_per_order < 0:
        problems.append(f"`{name}.shipping_cost_per_order` must be >= 0 (0: shipping you pay is not counted)")
    return problems


def _creatives_problems(creatives: CreativesParams) -> list[str]:
    """What is wrong in the `creatives` section, first problem first."""
    problems = []
    for index, rule in enumerate(creatives.naming):
        fields = rule.get("fields") if isinstance(rule, dict) else None
        if (
            not isinstance(rule, dict)
            or set(rule) != {"delimiter", "fields"}
            or not isinstance(rule["delimiter"], str)
            or not rule["delimiter"]
            or not isinstance(fields, list)
            or not fields
            or not all(isinstance(name, str) and name for name in fields)
        ):
            problems.append(f'`creatives.naming[{index}]` must be {{delimiter: " | ", fields: [format, hook, length]}}')
    if creatives.fatigue_min_days < 8:
        problems.append("`creatives.fatigue_min_days` must be at least 8 (a first week and a later one)")
    if not 0 < creatives.fatigue_ctr_drop < 1:
        problems.append("`creatives.fatigue_ctr_drop` must be a fraction in (0, 1), e.g. 0.25")
    if creatives.fatigue_frequency_rise < 0:
        problems.append("`creatives.fatigue_frequency_rise` must be >= 0, e.g. 0.2")
    return problems


def _recommend_problems(recommend: RecommendParams, name: str = "recommend") -> list[str]:
    """What is wrong in a `recommend` section (`name`: where it lives), first problem first."""
    problems = []
    if recommend.result_cost_multiple < 1:
        problems.append(f"`{name}.result_cost_multiple` must be at least 1, e.g. 1.5")
    if recommend.lookback_days < 1 or recommend.answer_days < 1:
        problems.append(f"`{name}.lookback_days` and `{name}.answer_days` must be at least 1")
    if recommend.stop_loss_cpa_multiple <= 0:
        problems.append(f"`{name}.stop_loss_cpa_multiple` must be > 0, e.g. 3")
    if recommend.min_purchases < 1 or recommend.segment_min_purchases < 0:
        problems.append(f"`{name}.min_purchases` must be at least 1 and `segment_min_purchases` at least 0")
    if not 0.5 <= recommend.confidence < 1:
        problems.append(f"`{name}.confidence` must be a probability in [0.5, 1), e.g. 0.9")
    if not 0 < recommend.max_budget_step <= 1:
        problems.append(f"`{name}.max_budget_step` must be a fraction in (0, 1], e.g. 0.2")
    if recommend.segment_min_spend < 0:
        problems.append(f"`{name}.segment_min_spend` must be >= 0")
    return problems


def _budget_problems(budget: BudgetParams) -> list[str]:
    """What is wrong in the `budget` section, first problem first."""
    problems = []
    if budget.level not in ("campaign", "adset"):
        problems.append("`budget.level` must be campaign or adset")
    if budget.min_days < 3 or budget.fit_days < budget.min_days:
        problems.append("`budget.min_days` must be at least 3 and `budget.fit_days` at least `budget.min_days`")
    if budget.min_purchases < 0:
        problems.append("`budget.min_purchases` must be >= 0")
    if not 0.5 <= budget.interval < 1:
        problems.append("`budget.interval` must be a probability in [0.5, 1), e.g. 0.9")
    if budget.bootstrap < 20:
        problems.append("`budget.bootstrap` must be at least 20, e.g. 200")
    return problems


def _audit_problems(audit: AuditParams) -> list[str]:
    """What is wrong in the `audit` section, first problem first."""
    problems = []
    if audit.baseline_days < 3 or not 2 <= audit.min_baseline_days <= audit.baseline_days:
        problems.append("`audit.baseline_days` must be at least 3 and `audit.min_baseline_days` in 2..baseline_days")
    if not 0 <= audit.min_change < 1:
        problems.append("`audit.min_change` must be a fraction in [0, 1), e.g. 0.2")
    if not 0 < audit.fdr < 1:
        problems.append("`audit.fdr` must be a fraction in (0, 1), e.g. 0.1")
    if not 0 < audit.clicks_hold <= 1 or not 0 < audit.underdelivery < 1 or audit.overspend <= 0:
        problems.append(
            "`audit.clicks_hold` and `audit.underdelivery` must be fractions in (0, 1) and `audit.overspend` > 0"
        )
    return problems


# The range rules of each section an account may override (ACCOUNT_SECTIONS), given where the section lives.
_SECTION_PROBLEMS: dict[str, Callable[[Any, str], list[str]]] = {
    "targets": _targets_problems,
    "profit": _profit_problems,
    "recommend": _recommend_problems,
}


def load_params(path: Path) -> Params:
    """Read params.yaml into typed settings; absent sections take their defaults.

    Raises:
        AdlabError: the file is not valid YAML or a setting is unknown, mistyped or out of range.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise AdlabError(f"{path}: cannot read settings ({str(err).splitlines()[0]}).") from err
    sections = {f.name: f for f in dataclasses.fields(Params)}
    if not isinstance(raw, dict):
        raise AdlabError(f"{path}: must be a mapping of sections ({', '.join(sections)}).")
    unknown = sorted(set(raw) - set(sections))
    if unknown:
        raise AdlabError(f"{path}: `{unknown[0]}` is not a section; known: {', '.join(sections)}.")
    built = {
        name: _section(type(getattr(Params(), name)), raw.get(name), name, path)
        for name in sections
        if name not in ("accounts", "tactics")
    }
    tactics = _tactics(raw.get("tactics"), "tactics", path)
    return validate(Params(**built, tactics=tactics, accounts=_accounts(raw.get("accounts"), path)), path)


def check_accounts(params: Params, accounts: Sequence[str | None], source: Path) -> None:
    """Every account `accounts:` in params.yaml names must be one of the data's `accounts`.

    Raises:
        AdlabError: naming the first unknown account, the data's accounts and the closest of them.
    """
    named = [account for account in accounts if account is not None]
    shown = 10
    listing = ", ".join(named[:shown]) + (f", ... ({len(named)} in all)" if len(named) > shown else "")
    for account in params.accounts:
        if account in named:
            continue
        where = _account_key(account)
        if not named:
            raise AdlabError(
                f"{source}: {where} names no account in the data, which holds only the default account "
                "(no `Account name` or `Account ID` column, no data/raw/<account>/ folders)."
            )
        close = difflib.get_close_matches(account, named, n=1)
        hint = f" (did you mean {json.dumps(close[0], ensure_ascii=False)}?)" if close else "."
        raise AdlabError(f"{source}: {where} names no account in the data; the accounts are: {listing}{hint}")
