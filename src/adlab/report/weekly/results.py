"""Results by result type (objectives other than sales) on a weekly page."""

from __future__ import annotations

from typing import Any

import polars as pl

from adlab import kpis
from adlab.display import fmt_change, fmt_int, fmt_money, relative_change
from adlab.report.frames import ENTITY_KEYS, FOLDED_KEYS, previous_week, week_results
from adlab.report.html import Tile, note_html, tiles_html


def shows_results(results: pl.DataFrame | None, purchases_known: bool) -> bool:
    """Whether the page shows results by type: some type other than purchases, or purchases themselves unknown.

    On a sales account whose only result type is purchases, the results repeat the purchases and CPA.
    """
    if results is None or results.height == 0:
        return False
    return not purchases_known or not results.select(kpis.is_purchase_type("result_type").all()).item()


def results_tiles(
    results_daily: pl.DataFrame | None,
    week: str,
    currency: str,
    *,
    purchases_known: bool,
    previous_label: str = "last week",
) -> list[Tile]:
    """One tile per result type of the week, largest spend first: results, their change, and cost per result.

    Results of different types are never added up. Purchase results are left to the purchases and CPA tiles
    when the export has purchases (they count the same thing).
    """
    now = week_results(results_daily, week)
    if not shows_results(now, purchases_known):
        return []
    start, end = kpis.week_bounds(week)
    current = kpis.results_by_type(now, start, end)
    before = {
        row["result_type"]: row
        for row in kpis.results_by_type(results_daily, *kpis.week_bounds(previous_week(week))).iter_rows(named=True)
    }
    if purchases_known:
        current = current.filter(~kpis.is_purchase_type("result_type"))
    tiles = []
    for row in current.iter_rows(named=True):
        kind, unit = row["result_type"], kpis.result_unit(row["result_type"])
        old = before.get(kind, {})
        change = relative_change(row["results"], old.get("results"))
        direction = 0 if change is None or abs(change) < 0.0005 else (1 if change > 0 else -1)
        was = fmt_money(old.get("cost_per_result"), currency)
        note = f"{fmt_money(row['cost_per_result'], currency)} per {unit}" + (f" (was {was})" if old else "")
        tiles.append(
            Tile(
                label=kind,
                value=fmt_int(row["results"]),
                change=fmt_change(change),
                change_tone="neutral" if direction == 0 else "good" if direction > 0 else "bad",
                compared_to=previous_label,
                note=note,
                hint=f"{kind} as Ads Manager counts them; cost per {unit} = spend of the ads optimised for them / "
                f"{kind.lower()}",
            )
        )
    return tiles


def results_html(
    results_daily: pl.DataFrame | None, kpis_daily: pl.DataFrame, week: str, currency: str, *, purchases_known: bool
) -> str:
    """The week's results-by-type tiles, with a note on the spend no result type covers; empty when not shown.

    An account without purchases gets a note that results by type are what it can be judged by.
    """
    tiles = results_tiles(results_daily, week, currency, purchases_known=purchases_known)
    if not tiles:
        return ""
    start, end = kpis.week_bounds(week)
    typed = kpis.results_by_type(week_results(results_daily, week), start, end)["spend"].sum()
    spend = kpis_daily.filter(pl.col("date").is_between(start, end))["spend"].sum()
    notes = []
    if not purchases_known:
        notes.append(
            "The exports have no purchases, so ROAS and CPA are unknown (–); results by type and cost per "
            "result are what these ads can be judged by. A Purchases column in the Ads Manager export "
            "would give them."
        )
    else:
        notes.append("Purchase results are in the Purchases and CPA tiles above.")
    untyped = float(spend or 0.0) - float(typed or 0.0)
    if untyped > 0.005:
        notes.append(
            f"{fmt_money(untyped, currency)} of the week's {fmt_money(spend, currency)} spend has no result "
            "type in the export (Result type left blank) and is not in these tiles."
        )
    return tiles_html(tiles) + "".join(note_html(note) for note in notes)


def with_results(
    tree: pl.DataFrame, results_daily: pl.DataFrame | None, week: str, currency: str, *, purchases_known: bool
) -> pl.DataFrame:
    """entity_tree (folded or not) with `results` and `cost_per_result` text per row, one part per result type,
    never one sum.

    `412 Leads · 96 Messaging conversations started` and `$3.21 per lead · $1.10 per conversation`; `–` for a
    row without a typed result. A folded row (`12 more ads`) gives the results of its parent's entities the tree
    does not show. The tree comes back unchanged when the page shows no results (see shows_results).
    """
    now = week_results(results_daily, week)
    if now is None or not shows_results(now, purchases_known):
        return tree
    texts: dict[tuple[Any, ...], tuple[str, str]] = {}
    for level, keys in {"account": [], **ENTITY_KEYS}.items():
        texts.update(_result_texts(kpis.rollup_results(now, keys), level, keys, currency))
    for level, keys in ENTITY_KEYS.items():
        folded, parent = f"{level}-more", FOLDED_KEYS[f"{level}-more"]
        if tree.filter(pl.col("level") == folded).height:
            shown = tree.filter(pl.col("level") == level).select(keys)
            hidden = now.join(shown, on=keys, how="anti", nulls_equal=True)
            if level != "campaign":  # ad sets and ads without a name have no row: the row above holds them
                hidden = hidden.filter(pl.col(level).is_not_null())
            texts.update(_result_texts(kpis.rollup_results(hidden, parent), folded, parent, currency))
    row_keys = {"account": [], **ENTITY_KEYS, **FOLDED_KEYS}
    names = dict.fromkeys(k for keys in ENTITY_KEYS.values() for k in keys)
    rows = [
        texts.get((row["level"], *(row.get(k) for k in row_keys.get(row["level"], []))), (None, None))
        for row in tree.select("level", *names).iter_rows(named=True)
    ]
    return tree.with_columns(
        pl.Series("results", [r for r, _ in rows], pl.String),
        pl.Series("cost_per_result", [c for _, c in rows], pl.String),
    )


def _result_texts(
    rolled: pl.DataFrame, level: str, keys: list[str], currency: str
) -> dict[tuple[Any, ...], tuple[str, str]]:
    """(level, *key values) -> the results and cost-per-result texts of kpis.rollup_results rows, largest spend
    first within each key."""
    rolled = rolled.sort(
        [*keys, pl.col("spend").fill_null(0.0), "result_type"], descending=[*[False] * len(keys), True, False]
    )
    parts: dict[tuple[Any, ...], list[tuple[str, str]]] = {}
    for row in rolled.iter_rows(named=True):
        count = f"{fmt_int(row['results'])} {row['result_type']}"
        cost = f"{fmt_money(row['cost_per_result'], currency)} per {kpis.result_unit(row['result_type'])}"
        parts.setdefault((level, *(row[k] for k in keys)), []).append((count, cost))
    return {key: (" · ".join(c for c, _ in shown), " · ".join(c for _, c in shown)) for key, shown in parts.items()}
