"""Incremental re-rendering: which weeks get a page, the digest of each week's inputs and code, and the manifest
of the digests of the pages on disk, so unchanged weeks keep their pages."""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import polars as pl

from adlab import io, kpis
from adlab.report.frames import Days, days_with_data, shown_for_week
from adlab.report.html import TEMPLATES_DIR
from adlab.report.weekly.quality import week_sources

# week -> input digest of the pages in reports/weekly/, kept in that folder.
MANIFEST = ".manifest.json"

# The package whose modules can shape a page (src/adlab).
PACKAGE = Path(__file__).parents[1]

# Libraries that write a page's HTML (nbconvert through jinja2): a new version re-renders every week.
RENDER_DISTRIBUTIONS = ("plotly", "nbconvert", "jinja2", "polars", "papermill")


def weeks_to_render(days: pl.DataFrame, latest: int, extra: Sequence[str]) -> tuple[list[str], list[str]]:
    """The `latest` newest complete ISO weeks plus the extra ones with data, newest first; and the skipped extras.

    `days` holds the dates of the ad data (frames.week_days: the store's for a store without ads). Without a
    complete week, the newest (partial) week, so a short export still gets a page.
    """
    first_day, last_day = kpis.date_span(days["date"])
    complete = kpis.complete_weeks(last_day, first_day)[:latest] or [kpis.iso_week(last_day)]
    with_data = {week for week in extra if days_with_data(days, week)}
    return sorted(set(complete) | with_data, reverse=True), sorted(set(extra) - with_data)


def read_manifest(path: Path) -> dict[str, str]:
    """week -> input digest of the pages on disk; empty when the folder is new or the file unreadable."""
    try:
        data = io.read_json(path)
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_manifest(manifest: Mapping[str, str], path: Path) -> None:
    """Write week -> input digest, weeks in order."""
    io.write_json(dict(sorted(manifest.items())), path)


def stale_weeks(digests: Mapping[str, str], manifest: Mapping[str, str], weekly_dir: Path) -> list[str]:
    """The weeks of `digests` whose page is missing or was rendered from other inputs, in the order given."""
    return [
        week
        for week, digest in digests.items()
        if manifest.get(week) != digest or not (weekly_dir / f"{week}.html").is_file()
    ]


def remove_other_pages(weekly_dir: Path, keep: Iterable[str]) -> list[Path]:
    """Delete the pages of `weekly_dir` whose file name is not in `keep`, so the folder matches the index; the
    deleted pages."""
    names = set(keep)
    pages = sorted(weekly_dir.glob("*.html")) if weekly_dir.is_dir() else []
    removed = [page for page in pages if page.name not in names]
    for page in removed:
        page.unlink()
    return removed


def code_version(notebook: Path) -> str:
    """A digest of everything that shapes a page besides the data: the notebook, every file of templates/ (the
    nbconvert template and its stylesheet; the other pages' templates too, as a template is cheaper to cover
    twice than to miss), the adlab modules the page runs (render_modules) and the versions of the libraries that
    write the HTML."""
    digest = hashlib.sha256()
    templates = sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file())
    for path in [notebook, *templates, *render_modules(notebook)]:
        label = path.relative_to(PACKAGE) if path.is_relative_to(PACKAGE) else path.name
        digest.update(str(label).encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in RENDER_DISTRIBUTIONS:
        digest.update(f"{dist}={version(dist)}\0".encode())
    return digest.hexdigest()


def render_modules(notebook: Path) -> list[Path]:
    """The files of src/adlab a weekly page runs, sorted: the modules the notebook imports and render.py (which
    turns the run into HTML), every adlab module those import in turn, and the `__init__.py` of each package
    on the way.

    Derived from the import statements (anywhere in a module, also inside functions) rather than listed by
    hand, so a section that starts using another module re-renders every week when that module changes.
    """
    cells = [cell for cell in io.read_json(notebook)["cells"] if cell["cell_type"] == "code"]
    sources = ["".join(cell["source"]) for cell in cells]
    pending = [name for source in sources for name in _adlab_imports(source, "")] + ["adlab.report.render"]
    files: set[Path] = set()
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue
        files.add(path)
        pending += [name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1)]  # parent packages
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        pending += _adlab_imports(path.read_text(encoding="utf-8"), package)
    return sorted(files)


def _adlab_imports(source: str, package: str) -> list[str]:
    """The adlab modules `source` imports (`package`: the one it belongs to, for relative imports); a name
    imported from a package counts as its submodule when it is one."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))  # magics
    names = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from . import x`, `from ..frames import y`: relative to the module's package
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return [name for name in names if name == "adlab" or name.startswith("adlab.")]


def _module_file(name: str) -> Path | None:
    """The file of adlab module `name` (a package's `__init__.py`); None for a name that is not a module."""
    path = PACKAGE.joinpath(*name.split(".")[1:])
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None


def _frame_digest(frame: pl.DataFrame | None) -> str:
    """A digest of a frame's column names, types and rows, in order.

    Rows go in as polars' row hashes with a fixed seed: the same in every run of one polars version, and
    code_version holds that version, so an upgrade re-renders every page anyway. (Digesting CSV text took
    about a second per page's window at a million ad rows.)
    """
    if frame is None:
        return "absent"
    digest = hashlib.sha256(f"{frame.height}\0{list(frame.schema.items())}\0".encode())
    if frame.width:
        digest.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return digest.hexdigest()


def week_window(week: str, trend_weeks: int) -> Days:
    """The days a weekly page reads: its trend (trend_weeks weeks ending with `week`, at least the week before)."""
    start, end = kpis.week_bounds(week)
    return start - dt.timedelta(days=7 * (max(trend_weeks, 2) - 1)), end


def week_fingerprint(
    week: str,
    *,
    kpis_daily: pl.DataFrame,
    orders: pl.DataFrame | None,
    ad_insights: pl.DataFrame | None,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    recommendations: pl.DataFrame | None,
    creatives: pl.DataFrame | None,
    settings: Mapping[str, Any],
    trend_weeks: int,
    code: str,
    store_sales: pl.DataFrame | None = None,
    sessions: pl.DataFrame | None = None,
    results_daily: pl.DataFrame | None = None,
    profit_daily: pl.DataFrame | None = None,
    profit_products: pl.DataFrame | None = None,
) -> str:
    """A digest of every input the page of `week` shows: when it is unchanged the page needs no re-render.

    Covers the week's trend window of kpis_daily and orders, the week's ad rows (breakdowns, source files),
    the ledger and warnings of those files, the recommendations and creatives shown on this page, the week and
    the week before of profit_daily (and its first order day) and the week's products, the settings (targets,
    currency, ...) and the code version.
    """
    first, last = week_window(week, trend_weeks)
    start, end = kpis.week_bounds(week)

    def between(frame: pl.DataFrame | None, low: dt.date, high: dt.date) -> pl.DataFrame | None:
        return None if frame is None else frame.filter(pl.col("date").is_between(low, high))

    files = week_sources(ad_insights, orders, week)
    for_week = str(settings.get("stage_outputs_week", ""))
    parts = {
        "week": week,
        "kpis_daily": _frame_digest(between(kpis_daily, first, last)),
        "orders": _frame_digest(between(orders, first, last)),
        "store_sales": _frame_digest(between(store_sales, first, last)),
        "sessions": _frame_digest(between(sessions, start, end)),
        "results_daily": _frame_digest(between(results_daily, first, last)),
        "ad_insights": _frame_digest(between(ad_insights, start, end)),
        "ledger": _frame_digest(None if ledger is None else ledger.filter(pl.col("source_file").is_in(files))),
        "warnings": _frame_digest(None if warnings is None else warnings.filter(pl.col("source_file").is_in(files))),
        "recommendations": _frame_digest(shown_for_week(recommendations, week, for_week)),
        "recommendations_exist": recommendations is not None,
        "creatives": _frame_digest(shown_for_week(creatives, week, for_week)),
        "creatives_exist": creatives is not None,
        "profit_daily": _frame_digest(between(profit_daily, start - dt.timedelta(days=7), end)),
        "first_order": str(None if profit_daily is None else kpis.first_order_day(profit_daily)),
        "profit_products": _frame_digest(shown_for_week(profit_products, week, week)),
        "settings": {k: str(v) for k, v in sorted(settings.items()) if k != "stage_outputs_week"},
        "trend_weeks": trend_weeks,
        "code": code,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
