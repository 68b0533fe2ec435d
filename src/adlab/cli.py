"""The `adlab` command: thin typer commands that delegate to the library and to DVC.

Like git and dvc, it works on the project it is run in: the root is the nearest
folder above the current one that holds `dvc.yaml` (`--project` overrides).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from adlab import insights, kpis, workbench
from adlab.display import LABELS, MISSING, fmt_pct, fmt_roas, money_text, relative_change, whole_text
from adlab.errors import AdlabError

app = typer.Typer(help="adlab: reproducible advertising analytics on your own exports.", no_args_is_help=True)
state: dict[str, Path] = {}


def project() -> Path:
    if "root" not in state:
        state["root"] = workbench.find_project(Path.cwd())
    return state["root"]


@app.callback()
def main(
    project_dir: Annotated[
        Path | None, typer.Option("--project", help="project folder (default: nearest folder with dvc.yaml)")
    ] = None,
) -> None:
    """adlab: reproducible advertising analytics on your own exports."""
    state.clear()
    if project_dir is not None:
        try:
            state["root"] = workbench.find_project(project_dir.resolve())
        except AdlabError as err:
            _fail(err)


def _fail(err: AdlabError) -> None:
    typer.echo(f"adlab: {err}", err=True)
    raise typer.Exit(1)


@app.command()
def report(
    force: Annotated[bool, typer.Option("--force", help="re-run every stage even when nothing changed")] = False,
) -> None:
    """Run the pipeline (dvc repro) and print where the reports are."""
    try:
        root = project()
    except AdlabError as err:
        _fail(err)
    command = [sys.executable, "-m", "dvc", "repro", *(["--force"] if force else [])]
    code = subprocess.call(command, cwd=root)
    if code:
        raise typer.Exit(code)
    typer.echo(f"Reports: {root / 'reports' / 'index.html'}")


@app.command()
def summary() -> None:
    """Print the latest complete week's headline figures from metrics/summary.json."""
    try:
        path = project() / "metrics" / "summary.json"
        if not path.exists():
            raise AdlabError(f"{path} does not exist yet; run `adlab report` (or `make report`) first.")
    except AdlabError as err:
        _fail(err)
    figures = json.loads(path.read_text(encoding="utf-8"))
    currency = figures.get("currency") or ""
    lines = [f"Week {figures['week']} ({figures.get('data_source', 'raw')} data)"]
    shown = {"money": lambda value: money_text(value, currency), "x": fmt_roas, "pct": fmt_pct}
    for key, kind in (
        ("spend", "money"),
        ("purchase_value", "money"),
        ("roas", "x"),
        ("cpa", "money"),
        ("ctr", "pct"),
        ("cpm", "money"),
        ("cvr", "pct"),
        ("revenue", "money"),
        ("mer", "x"),
    ):
        value, before = figures.get(key), figures.get("previous", {}).get(key)
        lines.append(f"  {LABELS[key]:<15} {shown[kind](value)}{_change_text(value, before)}")
    # Profit figures where an orders export gave them (kpis.profit), and how far back new customers are judged.
    if figures.get("gross_profit") is not None:
        for key, kind in PROFIT_LINES:
            value, before = figures.get(key), figures.get("previous", {}).get(key)
            lines.append(f"  {LABELS[key]:<15} {shown[kind](value)}{_change_text(value, before)}")
        lines.append(f"  New customers are judged on orders since {figures.get('first_order_date') or MISSING}.")
    before_results = {row["result_type"]: row for row in figures.get("previous", {}).get("results", [])}
    for row in figures.get("results", []):  # one line per result type: types are never added up
        cost, before = row.get("cost_per_result"), before_results.get(row["result_type"], {}).get("cost_per_result")
        lines.append(
            f"  {row['result_type']}: {whole_text(row['results'])} at {money_text(cost, currency)} per "
            f"{kpis.result_unit(row['result_type'])}{_change_text(cost, before)}"
        )
    typer.echo("\n".join(lines))


PROFIT_LINES = (
    ("gross_profit", "money"),
    ("contribution_after_ads", "money"),
    ("poas", "x"),
    ("ncroas", "x"),
    ("new_customer_cpa", "money"),
    ("cost_fallback_share", "pct"),
)


def _change_text(value: float | None, before: float | None) -> str:
    change = relative_change(value, before)
    return "" if change is None or value is None else f"  ({change:+.1%} vs previous week)"


def load_workspace(account: str | None = None) -> insights.Workspace:
    """The project's tables and settings, as the answers read them (workbench.load_workspace); with `account`,
    that account's rows only."""
    return workbench.load_workspace(project(), account)


def _answer(build: Callable[[insights.Workspace], insights.Answer], account: str | None = None) -> None:
    """Print an answer; a question the data cannot answer is one line on stderr and exit code 1."""
    try:
        answer = build(load_workspace(account))
    except AdlabError as err:
        _fail(err)
    typer.echo(answer.text())


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help='e.g. "Why did my ROAS drop yesterday?"')],
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            help="answer about this account only (its name as in data/raw/<account>/ or the exports); without it, "
            '"how are my accounts doing?" compares them',
        ),
    ] = None,
) -> None:
    """Answer a question about your ads in plain words, with numbers (why / best / should I pause / which account)."""
    _answer(lambda workspace: insights.ask(question, workspace), account)


def _period(text: str | None, option: str) -> insights.Period | None:
    if not text:
        return None
    try:
        start, _, end = text.partition(":")
        return insights.Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end or start))
    except ValueError:
        raise AdlabError(f"{option} {text!r} is not a date range such as 2026-11-17:2026-11-23.") from None


@app.command()
def why(
    kpi: Annotated[str, typer.Option(help="roas, cpa, ctr, cpc, cpm, cvr or aov")] = "roas",
    period: Annotated[str, typer.Option(help="yesterday, last_week or days (with --days)")] = "yesterday",
    days: Annotated[int, typer.Option(help="with --period days: the last N days vs the N before")] = 7,
    current: Annotated[str | None, typer.Option(help="explicit period START:END, e.g. 2026-11-17:2026-11-23")] = None,
    previous: Annotated[str | None, typer.Option(help="the period to compare with, START:END")] = None,
) -> None:
    """Explain why a KPI moved between two periods (exact CPM/CTR/CVR/AOV split, then who drove it)."""

    def build(workspace: insights.Workspace) -> insights.Answer:
        if kpi not in kpis.KPI_FRACTIONS:
            raise AdlabError(f"--kpi {kpi!r} is not a KPI; use one of {', '.join(kpis.KPI_FRACTIONS)}.")
        now, before = insights.periods_for(workspace.kpis_daily, period, days if period == "days" else None)
        explicit_now = _period(current, "--current") or now
        explicit_before = _period(previous, "--previous")
        if explicit_before is None and current:
            explicit_before = insights.Period(
                explicit_now.start - dt.timedelta(days=explicit_now.days), explicit_now.start - dt.timedelta(days=1)
            )
        # A purchase KPI of an account without purchases is answered by its results by type (and says so).
        answer = insights.explain_any(
            workspace.kpis_daily,
            workspace.results_daily,
            explicit_now,
            explicit_before or before,
            kpi,
            workspace.currency,
        )
        notes = insights.footing_notes(workspace, kpi, [explicit_now, explicit_before or before])
        return insights.with_notes(answer, notes)

    _answer(build)


@app.command()
def best(
    level: Annotated[str, typer.Option(help="ad, adset or campaign")] = "ad",
    kpi: Annotated[str, typer.Option(help="the metric to rank by: roas, cpa, ctr, cvr, cpm, ...")] = "roas",
    gender: Annotated[str | None, typer.Option(help="female, male or unknown (needs an age x gender export)")] = None,
    age: Annotated[str | None, typer.Option(help="an age band such as 25-34 (needs an age x gender export)")] = None,
    platform: Annotated[str | None, typer.Option(help="facebook, instagram, ... (needs a placement export)")] = None,
) -> None:
    """Name the best ad, ad set or campaign, for a segment if given, with a minimum-volume gate."""
    segment = {
        dim: value for dim, value in (("gender", gender), ("age", age), ("publisher_platform", platform)) if value
    }

    def build(workspace: insights.Workspace) -> insights.Answer:
        if level not in insights.LEVELS or kpi not in kpis.KPI_FRACTIONS:
            known = ", ".join(kpis.KPI_FRACTIONS)
            raise AdlabError(f"--level must be ad, adset or campaign and --kpi one of {known}.")
        answer = insights.best_for_segment(
            workspace.kpis_daily,
            workspace.ad_insights,
            segment,
            workspace.params,
            level,
            kpi,
            workspace.currency,
            workspace.results_daily,
        )
        return insights.with_notes(answer, insights.best_notes(answer, workspace, kpi, segment))

    _answer(build)


@app.command()
def verdict(
    name: Annotated[str, typer.Argument(help="the campaign, ad set or ad name (close matches are found)")],
    level: Annotated[str | None, typer.Option(help="campaign, adset or ad, when a name is used at several")] = None,
) -> None:
    """Pause / Scale / Keep / Refresh creative / Wait for one campaign, ad set or ad, with the evidence."""

    def build(workspace: insights.Workspace) -> insights.Answer:
        if level is not None and level not in insights.LEVELS:
            raise AdlabError(f"--level {level!r} must be campaign, adset or ad.")
        answer = insights.verdict(
            workspace.kpis_daily,
            name,
            workspace.params,
            level,
            workspace.fatigue,
            workspace.currency,
            workspace.results_daily,
        )
        return insights.with_notes(answer, insights.verdict_notes(answer, workspace))

    _answer(build)


@app.command()
def audit(
    account: Annotated[
        str | None, typer.Option("--account", help="audit this account only (its name, any case, or report folder)")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="audit this earlier day (YYYY-MM-DD) instead of the last in the data")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="show the N items with the most money at stake", min=1)] = 20,
) -> None:
    """What changed on the last day in the data against each entity's own baseline, ranked by money at stake."""
    from adlab.audit.project import audit_project  # imported here: the other commands do not need it
    from adlab.audit.text import audit_lines

    try:
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise AdlabError(f"--date {date!r} is not a date such as 2026-11-24.") from None
        result, currencies = audit_project(project(), account, day)
    except AdlabError as err:
        _fail(err)
    typer.echo("\n".join(audit_lines(result, currencies, top)))


if __name__ == "__main__":
    app()
