"""Creative analytics: attributes parsed from ad names, performance per creative and per attribute, fatigue per ad.

A creative is an ad name: the same name run in several ad sets is one creative.
Attributes come from the naming convention in params (`creatives.naming`) or
from an optional metadata table that overrides them.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import polars as pl
from scipy.special import ndtr

from adlab.errors import AdlabError
from adlab.kpis import KPI_FRACTIONS, ratio, rollup
from adlab.params import CreativesParams, Params
from adlab.schema import ENTITY

# Format codes seen in ad names, mapped to one word per format.
FORMAT_ALIASES: dict[str, str] = {
    "vid": "video",
    "video": "video",
    "videos": "video",
    "reel": "video",
    "reels": "video",
    "img": "image",
    "image": "image",
    "images": "image",
    "static": "image",
    "photo": "image",
    "car": "carousel",
    "carousel": "carousel",
    "gif": "gif",
    "col": "collection",
    "collection": "collection",
    "dpa": "catalog",
    "catalog": "catalog",
}
FIRST_WEEK = "first_week"
LAST_WEEK = "last_week"


def attribute_names(rules: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Every attribute a naming convention can give, in the order the conventions name them."""
    names: list[str] = []
    for _, fields in rules:
        names += [name for name in fields if name not in names]
    return names


def parse_ad_name(name: str, rules: list[tuple[str, tuple[str, ...]]]) -> dict[str, str | None]:
    """The attributes of one ad name under the first convention whose delimiter it contains.

    The last field keeps the rest of the name (`IMG_TOF_Wool_Overshirt` gives
    concept `Wool_Overshirt`); a `format` is normalised (`VID` -> `video`).
    A name without any delimiter gives no attributes.
    """
    attributes: dict[str, str | None] = dict.fromkeys(attribute_names(rules))
    for delimiter, fields in rules:
        if delimiter not in name:
            continue
        parts = [part.strip() or None for part in name.split(delimiter, len(fields) - 1)]
        attributes.update(zip(fields, parts, strict=False))
        break
    written = attributes.get("format")
    if written:
        attributes["format"] = FORMAT_ALIASES.get(written.lower(), written)
    return attributes


def metadata_by_ad(table: pl.DataFrame, source: Path) -> pl.DataFrame:
    """One row per row of a creative metadata file: `ad`, then one snake_case column per attribute.

    Raises:
        AdlabError: the file (named `source`) has no `Ad name` (or `ad`) column to match ads by.
    """
    name = next((c for c in table.columns if c.strip().lower() in ("ad name", "ad")), None)
    if name is None:
        raise AdlabError(f"{source}: no `Ad name` column; the creative metadata file needs one to match ads.")
    return table.rename({name: "ad"}).rename(lambda c: c if c == "ad" else c.strip().lower().replace(" ", "_"))


def creative_attributes(
    ads: list[str], rules: list[tuple[str, tuple[str, ...]]], metadata: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per ad name: its attributes from the naming convention, overridden by `metadata` where given.

    `metadata` has an `ad` column and one String column per attribute (a
    creative metadata CSV); its non-empty cells win over the parsed name.
    """
    names = attribute_names(rules)
    parsed = pl.DataFrame(
        [{"ad": ad, **parse_ad_name(ad, rules)} for ad in sorted(set(ads))],
        schema={"ad": pl.String, **dict.fromkeys(names, pl.String)},
    )
    if metadata is None or metadata.height == 0:
        return parsed
    extra = [name for name in metadata.columns if name != "ad"]
    given = metadata.unique("ad", keep="first", maintain_order=True).select(
        "ad",
        *(pl.col(name).cast(pl.String).str.strip_chars().replace("", None).alias(f"{name}__meta") for name in extra),
    )
    joined = parsed.join(given, on="ad", how="left")
    return joined.select(
        "ad",
        *(pl.coalesce(f"{name}__meta", name).alias(name) if name in extra else pl.col(name) for name in names),
        *(pl.col(f"{name}__meta").alias(name) for name in extra if name not in names),
    )


def _probability_fell(clicks_before: float, shown_before: float, clicks_after: float, shown_after: float) -> float:
    """P(rate after < rate before) for two click rates (Beta posteriors, Jeffreys prior, normal approximation)."""
    return float(ndtr(_fell_score(clicks_before, shown_before, clicks_after, shown_after)))


def _fell_score(clicks_before: float, shown_before: float, clicks_after: float, shown_after: float) -> float:
    """The standard normal score whose CDF is `_probability_fell` (the CDF runs once over all ads: `ndtr`)."""

    def posterior(clicks: float, shown: float) -> tuple[float, float]:
        alpha, beta = clicks + 0.5, shown - clicks + 0.5
        return alpha / (alpha + beta), alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1))

    mean_before, var_before = posterior(clicks_before, shown_before)
    mean_after, var_after = posterior(clicks_after, shown_after)
    return (mean_before - mean_after) / math.sqrt(var_before + var_after)


def ad_fatigue(
    kpis_daily: pl.DataFrame, min_days: int = 14, ctr_drop: float = 0.25, frequency_rise: float = 0.2
) -> pl.DataFrame:
    """One row per (campaign, adset, ad): its first and last 7 days live, CTR and frequency in each, fatigue.

    Fatigue (CTR falling while frequency rises): the link CTR of the ad's last 7 days is at least
    `ctr_drop` below its first 7 days while its average daily frequency rose
    by at least `frequency_rise`; judged only for ads live `min_days` or more
    (first to last day) whose export has link clicks and reach. Average daily
    frequency is impressions / reach summed over days with reach, since reach
    never adds up across days.
    """
    ctr_num, ctr_den, _ = KPI_FRACTIONS["ctr"]
    # Only the columns fatigue reads, with the names as categoricals (integer codes): the row-level group_by
    # and join then hash 4-byte codes instead of three strings per row. The names come back as text below.
    text = [name for name in ENTITY if kpis_daily.schema[name] == pl.String]
    live = (
        kpis_daily.lazy()
        .filter(pl.col("impressions") > 0)
        .select(
            *(pl.col(name).cast(pl.Categorical) if name in text else pl.col(name) for name in ENTITY),
            "date",
            ctr_num,
            ctr_den,
            pl.when(pl.col("reach").is_not_null()).then(pl.col("impressions")).alias("reached_impressions"),
            "reach",
        )
    )
    span = (
        live.group_by(ENTITY)
        .agg(
            pl.col("date").min().alias("first_day"),
            pl.col("date").max().alias("last_day"),
            pl.col("date").n_unique().alias("days_live"),
        )
        .collect()
    )
    week = pl.duration(days=6)
    windows = (
        live.join(span.lazy(), on=ENTITY, how="left", nulls_equal=True)
        .with_columns(
            pl.when(pl.col("date") <= pl.col("first_day") + week)
            .then(pl.lit(FIRST_WEEK))
            .when(pl.col("date") >= pl.col("last_day") - week)
            .then(pl.lit(LAST_WEEK))
            .alias("window")
        )
        .filter(pl.col("window").is_not_null())
    )
    per_window = (
        windows.group_by([*ENTITY, "window"])
        .agg(pl.col(ctr_num, ctr_den, "reached_impressions", "reach").sum())
        .with_columns(
            ratio(ctr_num, ctr_den).alias("ctr"),
            ratio("reached_impressions", "reach").alias("frequency"),
        )
        .collect()
    )
    wide = span
    for name in (FIRST_WEEK, LAST_WEEK):
        wide = wide.join(
            per_window.filter(pl.col("window") == name).select(
                *ENTITY,
                pl.col("ctr").alias(f"ctr_{name}"),
                pl.col("frequency").alias(f"frequency_{name}"),
                pl.col(ctr_num).alias(f"clicks_{name}"),
                pl.col(ctr_den).alias(f"impressions_{name}"),
            ),
            on=ENTITY,
            how="left",
            nulls_equal=True,
        )
    judged = ((pl.col("last_day") - pl.col("first_day")).dt.total_days() + 1) >= min_days
    ctr_change = (pl.col(f"ctr_{LAST_WEEK}") / pl.col(f"ctr_{FIRST_WEEK}") - 1).alias("ctr_change")
    frequency_change = (pl.col(f"frequency_{LAST_WEEK}") / pl.col(f"frequency_{FIRST_WEEK}") - 1).alias(
        "frequency_change"
    )
    result = (
        wide.with_columns(pl.col(text).cast(pl.String))
        .with_columns(
            pl.when(judged & (pl.col(f"ctr_{FIRST_WEEK}") > 0)).then(ctr_change),
            pl.when(judged & (pl.col(f"frequency_{FIRST_WEEK}") > 0)).then(frequency_change),
        )
        .with_columns(
            ((pl.col("ctr_change") <= -ctr_drop) & (pl.col("frequency_change") >= frequency_rise))
            .fill_null(False)
            .alias("fatigued"),
        )
    )
    judged_rows = result.select(
        f"clicks_{FIRST_WEEK}",
        f"impressions_{FIRST_WEEK}",
        f"clicks_{LAST_WEEK}",
        f"impressions_{LAST_WEEK}",
        pl.col("ctr_change").is_not_null(),
    ).iter_rows()
    scores = [_fell_score(*row[:4]) if row[4] else math.nan for row in judged_rows]
    probability = pl.Series("p_ctr_fell", ndtr(scores) if scores else [], dtype=pl.Float64)
    return (
        result.with_columns(pl.when(pl.col("ctr_change").is_not_null()).then(probability).alias("p_ctr_fell"))
        .drop(f"clicks_{FIRST_WEEK}", f"impressions_{FIRST_WEEK}", f"clicks_{LAST_WEEK}", f"impressions_{LAST_WEEK}")
        .with_columns(_fatigue_evidence().alias("fatigue_evidence"))
        .sort(ENTITY, nulls_last=True)
    )


def _fatigue_evidence() -> pl.Expr:
    """`link CTR 2.05% -> 1.01% (-51%) while daily frequency 1.31 -> 2.32 (+77%), first vs last 7 days live`."""

    def pct(name: str) -> pl.Expr:
        return (pl.col(name) * 100).round(2).cast(pl.String) + "%"

    def change(name: str) -> pl.Expr:
        sign = pl.when(pl.col(name) >= 0).then(pl.lit("+")).otherwise(pl.lit(""))
        return sign + (pl.col(name) * 100).round(0).cast(pl.Int64).cast(pl.String) + "%"

    return pl.when(pl.col("ctr_change").is_not_null() & pl.col("frequency_change").is_not_null()).then(
        pl.concat_str(
            pl.lit("link CTR "),
            pct(f"ctr_{FIRST_WEEK}"),
            pl.lit(" -> "),
            pct(f"ctr_{LAST_WEEK}"),
            pl.lit(" ("),
            change("ctr_change"),
            pl.lit(") while daily frequency "),
            pl.col(f"frequency_{FIRST_WEEK}").round(2).cast(pl.String),
            pl.lit(" -> "),
            pl.col(f"frequency_{LAST_WEEK}").round(2).cast(pl.String),
            pl.lit(" ("),
            change("frequency_change"),
            pl.lit("), first vs last 7 days live"),
        )
    )


def _video_rates_where_video(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with hook_rate and hold_rate null where they do not apply: rows without 3-second video plays whose
    `format` (where the frame has one) is not video, such as images and carousels.

    Hook and hold rates measure how a video holds attention; for a static ad they are not 0% but unknown (`–`).
    A video without plays keeps its 0%.
    """
    plays = pl.col("video_3s_plays").fill_null(0) > 0
    video = plays | (pl.col("format") == "video") if "format" in frame.columns else plays
    return frame.with_columns(pl.when(video).then(pl.col(name)).alias(name) for name in ("hook_rate", "hold_rate"))


def compute_creative_kpis(
    kpis_daily: pl.DataFrame,
    attributes: pl.DataFrame,
    fatigue: pl.DataFrame,
    hold_rate_base: str = "video_3s_plays",
    *,
    keep_account: bool = False,
) -> pl.DataFrame:
    """One row per creative (ad name), per (account, ad name) when kpis_daily holds several accounts (or
    `keep_account`):
    attributes, summed metrics, KPIs, share of spend, days live, fatigue.

    `ads` counts the ads running the creative, `days_live` the days with
    impressions; `fatigued` is true when any of its ads is fatigued, with the
    evidence of the most fatigued one. Two accounts' ads of one name are two
    clients' creatives, never one: with several accounts an `account` column
    (second) says whose. Per attribute value, see `attribute_table`.
    """
    # Creatives are ads: rows without an ad name (campaign-level exports) have no creative to rank.
    kpis_daily = kpis_daily.filter(pl.col("ad").is_not_null())
    # Attributes no ad name carries (e.g. `objective` without `Conv - ...` names) are left out.
    names = [name for name in attributes.columns if name != "ad" and attributes[name].is_not_null().any()]
    total_spend = kpis_daily["spend"].sum() or 0.0
    by = ["account", "ad"] if keep_account or kpis_daily["account"].n_unique() > 1 else ["ad"]
    extent = kpis_daily.group_by(by).agg(
        pl.struct(ENTITY).n_unique().alias("ads"),
        pl.col("date").filter(pl.col("impressions") > 0).n_unique().alias("days_live"),
        pl.col("date").min().alias("first_day"),
        pl.col("date").max().alias("last_day"),
    )
    worst = (
        fatigue.sort("ctr_change", nulls_last=True)
        .group_by(by, maintain_order=True)
        .agg(pl.col("fatigued").any(), pl.col("fatigue_evidence").filter(pl.col("fatigued")).first())
    )
    return (
        rollup(kpis_daily, by, hold_rate_base)
        .join(extent, on=by, how="left", nulls_equal=True)
        .join(attributes.select("ad", *names), on="ad", how="left", nulls_equal=True)
        .join(worst, on=by, how="left", nulls_equal=True)
        .pipe(_video_rates_where_video)
        .with_columns(
            (pl.col("spend") / total_spend if total_spend > 0 else pl.lit(None, pl.Float64)).alias("share_of_spend"),
            pl.col("fatigued").fill_null(False),
        )
        .rename({"ad": "creative"})
        .select(
            "creative",
            *by[:-1],
            *names,
            "ads",
            "days_live",
            "first_day",
            "last_day",
            "share_of_spend",
            pl.exclude("creative", *by[:-1], *names, "ads", "days_live", "first_day", "last_day", "share_of_spend"),
        )
        .sort("creative", *by[:-1], nulls_last=True)
    )


def attribute_table(creatives: pl.DataFrame, attribute: str, hold_rate_base: str = "video_3s_plays") -> pl.DataFrame:
    """One row per value of `attribute` (e.g. `format`): summed metrics of its creatives, KPIs, share of spend.

    `creatives` is creatives.parquet; values no name carries are `(not in name)`. Biggest spend first.
    """
    total_spend = creatives["spend"].sum() or 0.0
    counts = creatives.group_by(attribute).agg(pl.len().alias("creatives"))
    return (
        rollup(creatives, [attribute], hold_rate_base)
        .pipe(_video_rates_where_video)
        .join(counts, on=attribute, how="left", nulls_equal=True)
        .with_columns(
            pl.col(attribute).fill_null("(not in name)"),
            (pl.col("spend") / total_spend if total_spend > 0 else pl.lit(None, pl.Float64)).alias("share_of_spend"),
        )
        .sort("spend", attribute, descending=[True, False], nulls_last=True)
    )


def creatives_settings(settings: Params, account: str | None) -> CreativesParams:
    """The creatives settings of one account, its fatigue thresholds those of its tactic refresh_fatigued
    (params.yaml `tactics:` over `creatives.fatigue_*`, the account's own under `accounts:`)."""
    from adlab.tactics import tactics_of

    fatigue = tactics_of(settings.for_account(account)).refresh_fatigued
    return dataclasses.replace(
        settings.creatives,
        fatigue_min_days=fatigue.min_days,
        fatigue_ctr_drop=fatigue.ctr_drop,
        fatigue_frequency_rise=fatigue.frequency_rise,
    )


# The creatives stage's combined rows, like compute_creative_kpis's: by creative, then account.
SORT_KEYS: dict[str, tuple[str, ...]] = {"creatives": ("creative", "account")}


def account_creatives(
    account: str | None, inputs: dict[str, pl.DataFrame], settings: tuple[CreativesParams, str, pl.DataFrame | None]
) -> dict[str, pl.DataFrame]:
    """The creatives stage's work for one account (what a Dask worker runs): its kpis_daily -> creatives.

    `settings`: the creatives settings, kpis.hold_rate_base and the metadata table (None without one).
    """
    params, hold_rate_base, metadata = settings
    daily = inputs["kpis_daily"]
    attributes = creative_attributes(daily["ad"].drop_nulls().unique().to_list(), params.naming_rules, metadata)
    fatigue = ad_fatigue(daily, params.fatigue_min_days, params.fatigue_ctr_drop, params.fatigue_frequency_rise)
    return {"creatives": compute_creative_kpis(daily, attributes, fatigue, hold_rate_base, keep_account=True)}
