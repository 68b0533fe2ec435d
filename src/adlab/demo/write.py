"""Write the demo store's exports (Meta ad level, age x gender, Shopify orders and products) into a folder."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl

from adlab.demo.account import CPM_SPIKE_SEGMENT_WINNER, FEMALE_25_34_AD, N_DAYS, STORIES, ads_table
from adlab.demo.ads import META_AD_LEVEL_FILE, meta_ad_level_table, simulate_ad_days
from adlab.demo.orders import simulate_orders
from adlab.demo.products import PRODUCTS_FILE, products_export_rows
from adlab.demo.segments import META_AGE_GENDER_FILE, age_gender_text, simulate_age_gender
from adlab.demo.shopify import ORDERS_FILE, shopify_export_rows
from adlab.io import atomic_path

CHUNK_ROWS = 250_000  # rows formatted and written at a time (bounds memory at large scales)


def write_csv(path: Path, parts: Iterable[pl.DataFrame], bom: bool) -> None:
    """Write text frames as one CSV (header from the first part), atomically."""
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        if bom:
            handle.write(codecs.BOM_UTF8)
        for index, part in enumerate(parts):
            part.write_csv(handle, include_header=index == 0, quote_style="necessary", line_terminator="\n")
    path.chmod(0o644)


def row_chunks(rows: int, size: int = CHUNK_ROWS) -> list[tuple[int, int]]:
    """[start, stop) row ranges covering `rows` rows (one empty range when there are none)."""
    return [(start, min(start + size, rows)) for start in range(0, max(rows, 1), size)]


def write_sample(
    out_dir: Path,
    seed: int = 7,
    scale: float = 1.0,
    breakdowns: bool = True,
    orders_share: float = 1.0,
    story: str = "checkout_break",
    products: bool = True,
) -> list[Path]:
    """Write the four sample exports into `out_dir`.

    Args:
        out_dir: folder to write into (created if missing).
        seed: seed of the one random generator every draw comes from.
        scale: multiplies ads, campaigns and orders (`round(scale)` account copies, at least 1).
        breakdowns: also write the age x gender file (the benchmark needs only ad-level rows and orders).
        orders_share: the store's orders as a share of the default, e.g. 0.2 for a fifth of the order lines.
        story: the last-day cause and segment winner planted: `checkout_break` (default) or `cpm_spike`.
        products: also write the Shopify products export with each variant's `Cost per item`.

    Returns:
        The paths of the Meta ad-level, Meta age x gender (when written), Shopify orders and Shopify products
        (when written) files.
    """
    if story not in STORIES:
        raise ValueError(f"story must be one of {', '.join(STORIES)}, not {story!r}")
    rng = np.random.default_rng(seed)
    ads = ads_table(rng, max(1, round(scale)))
    ad_days = simulate_ad_days(rng, ads, story)
    winner = CPM_SPIKE_SEGMENT_WINNER if story == "cpm_spike" else FEMALE_25_34_AD
    segments = simulate_age_gender(rng, ad_days, ads, winner) if breakdowns else None
    value_by_day = (
        np.bincount(ad_days["day_index"].to_numpy(), weights=ad_days["value_cents"].to_numpy(), minlength=N_DAYS) / 100
    )
    orders = simulate_orders(rng, value_by_day * orders_share)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / META_AD_LEVEL_FILE]
    write_csv(paths[0], (meta_ad_level_table(ad_days.slice(a, b - a)) for a, b in row_chunks(ad_days.height)), bom=True)
    if segments is not None:
        paths.append(out_dir / META_AGE_GENDER_FILE)
        write_csv(
            paths[-1], (age_gender_text(segments.slice(a, b - a)) for a, b in row_chunks(segments.height)), bom=True
        )
    paths.append(out_dir / ORDERS_FILE)
    write_csv(paths[-1], (shopify_export_rows(orders, a, b) for a, b in row_chunks(orders.lines.height)), bom=False)
    if products:
        paths.append(out_dir / PRODUCTS_FILE)
        write_csv(paths[-1], [products_export_rows()], bom=False)
    return paths
