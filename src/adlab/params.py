"""params.yaml -> typed, validated settings. A wrong value is one clear line, not a traceback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from adlab.errors import AdlabError

WEEK_LABEL = re.compile(r"\d{4}-W\d{2}")


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

    @property
    def breakeven_roas(self) -> float:
        """ROAS at which ads pay for the goods they sell: 1 / gross margin."""
        return 1.0 / self.gross_margin


@dataclass(frozen=True)
class ReportParams:
    weeks: int = 8
    extra_weeks: list[str] = field(default_factory=list)
    top_n: int = 5


@dataclass(frozen=True)
class Params:
    ingest: IngestParams = field(default_factory=IngestParams)
    validate: ValidateParams = field(default_factory=ValidateParams)
    kpis: KpisParams = field(default_factory=KpisParams)
    targets: TargetsParams = field(default_factory=TargetsParams)
    report: ReportParams = field(default_factory=ReportParams)


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
    if params.report.weeks < 1:
        problems.append("`report.weeks` must be at least 1")
    if params.kpis.hold_rate_base not in ("video_3s_plays", "impressions"):
        problems.append("`kpis.hold_rate_base` must be video_3s_plays or impressions")
    bad_weeks = [w for w in params.report.extra_weeks if not WEEK_LABEL.fullmatch(str(w))]
    if bad_weeks:
        problems.append(f"`report.extra_weeks` holds {bad_weeks[0]!r}, not an ISO week such as 2026-W30")
    try:
        dt.date.fromisoformat(params.validate.min_date)
    except ValueError:
        problems.append("`validate.min_date` must be a date such as 2004-01-01")
    if problems:
        raise AdlabError(f"{source}: {problems[0]}.")
    return params


def load_params(path: Path) -> Params:
    """Read params.yaml into typed settings; absent sections take their defaults.

    Raises:
        AdlabError: the file is not valid YAML or a setting is unknown, mistyped or out of range.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise AdlabError(f"{path}: cannot read settings ({str(err).splitlines()[0]}).") from err
    if not isinstance(raw, dict):
        raise AdlabError(f"{path}: must be a mapping of sections (ingest, validate, kpis, targets, report).")
    sections = {f.name: f for f in dataclasses.fields(Params)}
    unknown = sorted(set(raw) - set(sections))
    if unknown:
        raise AdlabError(f"{path}: `{unknown[0]}` is not a section; known: {', '.join(sections)}.")
    built = {
        name: _section(type(getattr(Params(), name)), raw.get(name), name, path) for name in sections
    }
    return validate(Params(**built), path)
