"""Creative attributes from ad names, per-creative and per-attribute performance, fatigue per ad."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import polars as pl
import pytest

from adlab.creatives import (
    ad_fatigue,
    attribute_table,
    compute_creative_kpis,
    creative_attributes,
    metadata_by_ad,
    parse_ad_name,
)
from adlab.errors import AdlabError
from adlab.params import Params
from adlab.report.weekly.creatives import creative_leaderboard_html
from adlab.schema import AD_METRICS

RULES = Params().creatives.naming_rules
DAY = dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("VID | UGC-Unboxing | 15s", {"format": "video", "hook": "UGC-Unboxing", "length": "15s"}),
        (
            "IMG_TOF_Wool Overshirt Flatlay",
            {"format": "image", "funnel_stage": "TOF", "concept": "Wool Overshirt Flatlay"},
        ),
        (
            "IMAGE_CORE_BRANDO INDIGO_ Product Focus",
            {"format": "image", "funnel_stage": "CORE", "concept": "BRANDO INDIGO_ Product Focus"},
        ),
        ("VIDEO_TOF_ Voiceover Fit", {"format": "video", "funnel_stage": "TOF", "concept": "Voiceover Fit"}),
        (
            "Conv - Static - Wax Coated Dean Jacket 12/22",
            {"objective": "Conv", "format": "image", "concept": "Wax Coated Dean Jacket 12/22"},
        ),
        ("CAR_BOF", {"format": "carousel", "funnel_stage": "BOF", "concept": None}),
    ],
)
def test_parse_ad_name_follows_the_first_matching_convention(name, expected):
    parsed = parse_ad_name(name, RULES)
    assert {key: value for key, value in parsed.items() if key in expected} == expected
    assert all(value is None for key, value in parsed.items() if key not in expected)


def test_parse_ad_name_without_any_delimiter_gives_no_attributes():
    assert set(parse_ad_name("12.23.2024", RULES).values()) == {None}


def test_creative_attributes_metadata_overrides_the_name():
    metadata = pl.DataFrame({"ad": ["VID | Hook-A | 15s"], "format": ["ugc video"], "angle": ["price"]})
    result = creative_attributes(["VID | Hook-A | 15s", "IMG_TOF_Shirt"], RULES, metadata)
    rows = {row["ad"]: row for row in result.iter_rows(named=True)}
    assert rows["VID | Hook-A | 15s"]["format"] == "ugc video"
    assert rows["VID | Hook-A | 15s"]["hook"] == "Hook-A"
    assert rows["VID | Hook-A | 15s"]["angle"] == "price"
    assert rows["IMG_TOF_Shirt"]["format"] == "image"
    assert rows["IMG_TOF_Shirt"]["angle"] is None


def as_kpis_daily(frame: pl.DataFrame) -> pl.DataFrame:
    """The literal frame with the metric columns it does not give as nulls (absent, not 0)."""
    missing = {
        name: dtype
        for name, dtype in {**AD_METRICS, "reach": pl.Int64(), "account": pl.String()}.items()
        if name not in frame.columns
    }
    return frame.with_columns(pl.lit(None, dtype).alias(name) for name, dtype in missing.items())


def _daily(ad: str, days: int, ctr_first: float, ctr_last: float, freq_first: float, freq_last: float) -> list[dict]:
    """`days` daily rows of 10,000 impressions: the first 7 at (ctr_first, freq_first), the rest at the last values."""
    rows = []
    for day in range(days):
        first = day < 7
        rows.append(
            {
                "date": DAY + dt.timedelta(days=day),
                "campaign": "C",
                "adset": "S",
                "ad": ad,
                "spend": 100.0,
                "impressions": 10_000,
                "link_clicks": round(10_000 * (ctr_first if first else ctr_last)),
                "reach": round(10_000 / (freq_first if first else freq_last)),
            }
        )
    return rows


def test_ad_fatigue_flags_falling_ctr_with_rising_frequency_only():
    frame = as_kpis_daily(
        pl.DataFrame(
            _daily("tired", 14, 0.02, 0.01, 1.25, 2.0)  # CTR -50%, frequency +60%
            + _daily("steady", 14, 0.02, 0.019, 1.25, 1.25)  # CTR -5%, frequency flat
            + _daily("audience", 14, 0.02, 0.01, 1.25, 1.25)  # CTR -50% but frequency flat: not fatigue
            + _daily("new", 10, 0.02, 0.01, 1.25, 2.0)  # live 10 days < 14: not judged
        )
    )
    result = {row["ad"]: row for row in ad_fatigue(frame, 14, 0.25, 0.2).iter_rows(named=True)}
    assert result["tired"]["ctr_first_week"] == pytest.approx(0.02)
    assert result["tired"]["ctr_last_week"] == pytest.approx(0.01)
    assert result["tired"]["ctr_change"] == pytest.approx(-0.5)
    assert result["tired"]["frequency_first_week"] == pytest.approx(1.25)
    assert result["tired"]["frequency_change"] == pytest.approx(0.6)
    assert result["tired"]["fatigued"] is True
    assert result["tired"]["p_ctr_fell"] > 0.999
    assert result["tired"]["fatigue_evidence"].startswith("link CTR 2.0% -> 1.0% (-50%) while daily frequency 1.25")
    assert result["steady"]["fatigued"] is False
    assert result["audience"]["fatigued"] is False
    assert result["new"]["fatigued"] is False
    assert result["new"]["ctr_change"] is None


def test_compute_creative_kpis_sums_a_creative_across_ad_sets_first():
    kpis_daily = as_kpis_daily(
        pl.DataFrame(
            {
                "date": [DAY, DAY, DAY + dt.timedelta(days=1), DAY],
                "campaign": ["C", "C", "C", "C"],
                "adset": ["S1", "S2", "S2", "S1"],
                "ad": ["VID | Hook-A | 15s", "VID | Hook-A | 15s", "VID | Hook-A | 15s", "IMG_TOF_Shirt"],
                "spend": [100.0, 50.0, 50.0, 200.0],
                "impressions": [10_000, 5_000, 5_000, 20_000],
                "link_clicks": [100, 100, 0, 200],
                "purchases": [4, 1, 0, 2],
                "purchase_value": [400.0, 200.0, 0.0, 200.0],
            }
        )
    )
    attributes = creative_attributes(kpis_daily["ad"].to_list(), RULES)
    fatigue = ad_fatigue(kpis_daily)
    creatives = compute_creative_kpis(kpis_daily, attributes, fatigue)
    video = creatives.filter(pl.col("creative") == "VID | Hook-A | 15s").row(0, named=True)
    # 200 spend, 600 value: ROAS 3.0 (not the mean of 4.0, 4.0 and null); 200 of 400 spend.
    assert video["spend"] == 200.0
    assert video["roas"] == pytest.approx(3.0)
    assert video["ctr"] == pytest.approx(200 / 20_000)
    assert video["share_of_spend"] == pytest.approx(0.5)
    assert (video["ads"], video["days_live"], video["format"], video["hook"]) == (2, 2, "video", "Hook-A")
    assert video["fatigued"] is False
    by_format = {row["format"]: row for row in attribute_table(creatives, "format").iter_rows(named=True)}
    assert by_format["image"]["roas"] == pytest.approx(1.0)
    assert by_format["video"]["cpa"] == pytest.approx(40.0)
    assert by_format["image"]["share_of_spend"] == pytest.approx(0.5)
    assert "objective" not in creatives.columns  # no name carries it


def video_and_static_ads() -> pl.DataFrame:
    """One day of four ads in one ad set, as Meta exports them.

    VID | Hook-A | 15s: 10,000 impressions, 2,500 3-second plays, 1,000 ThruPlays: hook 25%, hold 40%.
    VID | Hook-B | 6s: 4,000 impressions, no plays: a video nobody watched for 3 s, hook 0%, hold 0 / 0 unknown.
    IMG_TOF_Shirt: an image, 20,000 impressions with 0 plays and 0 ThruPlays: hook and hold do not apply.
    CAR_BOF_Set: a carousel without the video columns (null): hook and hold do not apply.
    """
    return as_kpis_daily(
        pl.DataFrame(
            {
                "date": [DAY] * 4,
                "campaign": ["C"] * 4,
                "adset": ["S"] * 4,
                "ad": ["VID | Hook-A | 15s", "VID | Hook-B | 6s", "IMG_TOF_Shirt", "CAR_BOF_Set"],
                "spend": [100.0, 40.0, 200.0, 50.0],
                "impressions": [10_000, 4_000, 20_000, 5_000],
                "video_3s_plays": [2_500, 0, 0, None],
                "thruplays": [1_000, 0, 0, None],
            }
        )
    )


def test_compute_creative_kpis_hook_and_hold_rates_only_where_they_apply():
    daily = video_and_static_ads()
    creatives = compute_creative_kpis(daily, creative_attributes(daily["ad"].to_list(), RULES), ad_fatigue(daily))
    rates = {row["creative"]: (row["hook_rate"], row["hold_rate"]) for row in creatives.iter_rows(named=True)}
    assert rates["VID | Hook-A | 15s"] == (pytest.approx(0.25), pytest.approx(0.40))
    assert rates["VID | Hook-B | 6s"] == (0.0, None)
    assert rates["IMG_TOF_Shirt"] == (None, None)  # not 0%: an image has no hook
    assert rates["CAR_BOF_Set"] == (None, None)
    by_format = {row["format"]: row for row in attribute_table(creatives, "format").iter_rows(named=True)}
    assert by_format["video"]["hook_rate"] == pytest.approx(2_500 / 14_000)  # both videos' plays / impressions
    assert by_format["video"]["hold_rate"] == pytest.approx(1_000 / 2_500)
    assert (by_format["image"]["hook_rate"], by_format["image"]["hold_rate"]) == (None, None)


def test_creative_leaderboard_html_shows_a_dash_for_the_hook_rate_of_a_static_ad():
    daily = video_and_static_ads()
    creatives = compute_creative_kpis(daily, creative_attributes(daily["ad"].to_list(), RULES), ad_fatigue(daily))
    html = creative_leaderboard_html(
        creatives, "2026-W44", "USD", for_week="2026-W44", top_n=5, target_roas=2.5, target_cpa=40.0, gross_margin=0.5
    )
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    hook, hold = headers.index("Hook rate"), headers.index("Hold rate")
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)]
    cells = {row[0]: row for row in rows if row}  # by creative; the header row has no cells
    assert (cells["IMG_TOF_Shirt"][hook], cells["IMG_TOF_Shirt"][hold]) == ("–", "–")
    assert (cells["CAR_BOF_Set"][hook], cells["CAR_BOF_Set"][hold]) == ("–", "–")
    assert (cells["VID | Hook-A | 15s"][hook], cells["VID | Hook-A | 15s"][hold]) == ("25.00%", "40.00%")
    assert (cells["VID | Hook-B | 6s"][hook], cells["VID | Hook-B | 6s"][hold]) == ("0.00%", "–")


def test_ad_fatigue_probability_is_the_normal_cdf_of_the_beta_posteriors_row_by_row():
    from scipy.stats import norm  # the per-ad formula fatigue used before it ran once over all ads

    frame = as_kpis_daily(
        pl.DataFrame(
            _daily("tired", 20, 0.02, 0.011, 1.25, 2.0)
            + _daily("steady", 21, 0.02, 0.0199, 1.25, 1.3)
            + _daily("rising", 15, 0.01, 0.03, 1.1, 1.0)
            + _daily("new", 9, 0.02, 0.01, 1.25, 2.0)
        ).with_columns(pl.when(pl.col("ad") == "steady").then(None).otherwise(pl.col("adset")).alias("adset"))
    )
    result = ad_fatigue(frame, 14, 0.25, 0.2)
    assert result.columns == [
        "account",
        "campaign",
        "adset",
        "ad",
        "first_day",
        "last_day",
        "days_live",
        "ctr_first_week",
        "frequency_first_week",
        "ctr_last_week",
        "frequency_last_week",
        "ctr_change",
        "frequency_change",
        "fatigued",
        "p_ctr_fell",
        "fatigue_evidence",
    ]
    assert result["ad"].to_list() == ["new", "rising", "tired", "steady"]  # sorted by campaign, ad set (nulls last)
    windows = frame.with_columns((pl.col("date") - pl.col("date").min().over("ad")).dt.total_days().alias("day"))
    for row in result.iter_rows(named=True):
        if row["ctr_change"] is None:
            assert row["p_ctr_fell"] is None
            continue
        live = windows.filter(pl.col("ad") == row["ad"])
        last = live["day"].max()
        sums = [
            live.filter(window)[name].sum()
            for window in (pl.col("day") < 7, pl.col("day") > last - 7)
            for name in ("link_clicks", "impressions")
        ]
        (c0, n0, c1, n1) = sums
        a0, b0, a1, b1 = c0 + 0.5, n0 - c0 + 0.5, c1 + 0.5, n1 - c1 + 0.5
        var = a0 * b0 / ((a0 + b0) ** 2 * (a0 + b0 + 1)) + a1 * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1))
        assert row["p_ctr_fell"] == float(norm.cdf((a0 / (a0 + b0) - a1 / (a1 + b1)) / math.sqrt(var)))


def test_metadata_by_ad_names_the_ad_column_and_snake_cases_attributes():
    table = pl.DataFrame({" Ad name ": ["VID | Hook-A | 15s"], "Hook Type": ["unboxing"], "Angle": ["price"]})
    metadata = metadata_by_ad(table, Path("creatives.csv"))
    assert metadata.columns == ["ad", "hook_type", "angle"]
    assert metadata.row(0) == ("VID | Hook-A | 15s", "unboxing", "price")


def test_metadata_by_ad_without_an_ad_column_names_the_file():
    with pytest.raises(AdlabError, match=r"^creatives.csv: no `Ad name` column"):
        metadata_by_ad(pl.DataFrame({"Creative": ["x"]}), Path("creatives.csv"))
