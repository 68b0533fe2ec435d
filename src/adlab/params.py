"""params.yaml -> typed, validated settings. A wrong value is one clear line, not a traceback."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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
class ClusterParams:
    scheduler: str = ""  # tcp://host:port of a running Dask scheduler; ADLAB_SCHEDULER overrides it
    workers: int = 0  # local Dask workers when the work is large (0: one per core); ADLAB_WORKERS overrides it
    in_process_rows: int = 200_000  # below this many input rows (or with one account) work runs in-process


@dataclass(frozen=True)
class Params:
    ingest: IngestParams = field(default_factory=IngestParams)
    validate: ValidateParams = field(default_factory=ValidateParams)
    kpis: KpisParams = field(default_factory=KpisParams)
    targets: TargetsParams = field(default_factory=TargetsParams)
    report: ReportParams = field(default_factory=ReportParams)
    creatives: CreativesParams = field(default_factory=CreativesParams)
    recommend: RecommendParams = field(default_factory=RecommendParams)
    cluster: ClusterParams = field(default_factory=ClusterParams)


def _section(cls: type, values: Any, name: str, source: Path) -> Any:
    """Build one section, checking names and types against the dataclass defaults."""
    if values is None:
        return cls()
    if not isinstance(values, dict):
        raise AdlabError(f"{source}: section `{name}` must be a mapping of settings.")
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(known))
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
    return cls(**checked)


def validate(params: Params, source: Path) -> Params:
    """Check value ranges; raise one clear line for the first wrong value."""
    problems = []
    if params.targets.roas <= 0:
        problems.append("`targets.roas` must be > 0")
    if params.targets.cpa <= 0:
        problems.append("`targets.cpa` must be > 0")
    if not 0 < params.targets.gross_margin <= 1:
        problems.append("`targets.gross_margin` must be a fraction in (0, 1], e.g. 0.45")
    if params.recommend.result_cost_multiple < 1:
        problems.append("`recommend.result_cost_multiple` must be at least 1, e.g. 1.5")
    if params.cluster.workers < 0 or params.cluster.in_process_rows < 0:
        problems.append("`cluster.workers` and `cluster.in_process_rows` must be 0 or more")
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
    if problems:
        raise AdlabError(f"{source}: {problems[0]}.")
    return params


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


def _recommend_problems(recommend: RecommendParams) -> list[str]:
    """What is wrong in the `recommend` section, first problem first."""
    problems = []
    if recommend.lookback_days < 1 or recommend.answer_days < 1:
        problems.append("`recommend.lookback_days` and `recommend.answer_days` must be at least 1")
    if recommend.stop_loss_cpa_multiple <= 0:
        problems.append("`recommend.stop_loss_cpa_multiple` must be > 0, e.g. 3")
    if recommend.min_purchases < 1 or recommend.segment_min_purchases < 0:
        problems.append("`recommend.min_purchases` must be at least 1 and `segment_min_purchases` at least 0")
    if not 0.5 <= recommend.confidence < 1:
        problems.append("`recommend.confidence` must be a probability in [0.5, 1), e.g. 0.9")
    if not 0 < recommend.max_budget_step <= 1:
        problems.append("`recommend.max_budget_step` must be a fraction in (0, 1], e.g. 0.2")
    if recommend.segment_min_spend < 0:
        problems.append("`recommend.segment_min_spend` must be >= 0")
    return problems


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
    built = {name: _section(type(getattr(Params(), name)), raw.get(name), name, path) for name in sections}
    return validate(Params(**built), path)
