"""First contact with real Ads Manager shapes (issue 11): entity headers, purchase families, levels,
accounts, attribution. Expected values are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from adlab.data_warnings import attribution_warnings
from adlab.errors import AdlabError
from adlab.ingest import ingest


def write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ads(result) -> pl.DataFrame:
    return result.tables["ad_insights"]


def ledger(result) -> dict[str, dict]:
    return {row["source_file"]: row for row in result.ledger.iter_rows(named=True)}


# ---------------------------------------------------------------- 1. today's export, as it comes

TODAY_HEADER = (
    '"Campaigns","Campaign ID","Ad sets","Ad set ID","Ads","Ad ID","Day","Delivery status","Delivery level",'
    '"Result type","Results","Cost per result","Amount spent (USD)","Impressions","Reach","Link clicks",'
    '"Attribution setting","* Custom CPA","Reporting starts","Reporting ends"'
)


def test_ingest_reads_todays_ads_manager_export_and_keeps_two_ads_with_one_name_apart(tmp_path):
    path = write(
        tmp_path,
        "export.csv",
        [
            TODAY_HEADER,
            'Spring,11,Broad,21,Hero video,31,2026-03-02,active,ad,"Website purchases",2,5.00,10.00,1000,800,20,'
            '"7-day click or 1-day view",4.1,2026-03-02,2026-03-02',
            # Same ad name, another ad ID: another ad.
            'Spring,11,Broad,21,Hero video,32,2026-03-02,active,ad,"Website purchases",1,7.50,7.50,500,450,9,'
            '"7-day click or 1-day view",,2026-03-02,2026-03-02',
            'Spring,11,Broad,21,Carousel,33,2026-03-02,inactive,ad,,,,0.00,0,,0,"7-day click or 1-day view",,'
            "2026-03-02,2026-03-02",
        ],
    )
    result = ingest([path], tmp_path, "salt")
    rows = ads(result).sort("ad_id")
    assert rows.select("campaign", "adset", "ad", "ad_id", "campaign_id", "adset_id").rows() == [
        ("Spring", "Broad", "Hero video", "31", "11", "21"),
        ("Spring", "Broad", "Hero video", "32", "11", "21"),
        ("Spring", "Broad", "Carousel", "33", "11", "21"),
    ]
    assert rows["level"].to_list() == ["ad", "ad", "ad"]
    assert rows["result_type"].to_list() == ["Website purchases", "Website purchases", None]
    # A blank `Results` without a result type is unknown, not 0.
    assert rows["results"].to_list() == [2.0, 1.0, None]
    # No purchase column: the Results of purchase-type rows are their purchases; the others unknown.
    assert rows["purchases"].to_list() == [2, 1, None]
    assert rows["purchase_value"].to_list() == [None, None, None]
    assert rows["spend"].to_list() == [10.0, 7.5, 0.0]
    row = ledger(result)["export.csv"]
    assert (row["rows_in"], row["kept"], row["quarantined"]) == (3, 3, 0)
    assert "`Results` where `Result type` is a purchase" in row["columns_used"]
    assert any("* Custom CPA" in message for message in result.warnings["message"])


# ---------------------------------------------------------------- 2. every purchase family

FAMILY_CASES = {
    # header columns after spend -> (purchases, purchase_value) of the one row, and what the ledger says
    "total wins over website": (
        '"Website purchases","Purchases","Website purchases conversion value","Purchases conversion value"',
        "2,3,100.00,150.00",
        (3, 150.0),
        "purchases from `Purchases`; purchase_value from `Purchases conversion value`",
    ),
    "website only": (
        '"Website purchases","Website purchases conversion value","Website purchase ROAS (return on ad spend)"',
        "2,80.00,9.99",
        (2, 80.0),
        "purchases from `Website purchases`; purchase_value from `Website purchases conversion value`",
    ),
    "meta purchases": (
        '"Meta purchases","Meta purchases conversion value"',
        "4,120.00",
        (4, 120.0),
        "purchases from `Meta purchases`; purchase_value from `Meta purchases conversion value`",
    ),
    "on-facebook purchases": (
        '"On-Facebook purchases","On-Facebook purchases conversion value"',
        "1,30.00",
        (1, 30.0),
        "purchases from `On-Facebook purchases`",
    ),
    "in-app and offline: in-app first": (
        '"Offline purchases","In-app purchases","In-app purchases conversion value",'
        '"Offline purchases conversion value"',
        "5,6,60.00,500.00",
        (6, 60.0),
        "purchases from `In-app purchases`; purchase_value from `In-app purchases",
    ),
    "shared items": (
        '"Purchases with shared items","Purchases conversion value for shared items only"',
        "2,40.00",
        (2, 40.0),
        "purchases from `Purchases with shared items`",
    ),
    "value column beats ROAS": (
        '"Purchases","Purchase ROAS (return on ad spend)","Purchases conversion value"',
        "2,9.00,55.00",
        (2, 55.0),
        "purchase_value from `Purchases conversion value`",
    ),
    "ROAS only: value = ROAS x spend": (
        '"Purchases","Purchase ROAS (return on ad spend)"',
        "2,2.50",
        (2, 25.0),
        "purchase_value = `Purchase ROAS (return on ad spend)` x spend",
    ),
    # Seen in public code mapping real exports: "advertising" instead of "ad" in the ROAS header.
    "website ROAS, advertising wording": (
        '"Website purchases","Website purchase ROAS (return on advertising spend)"',
        "3,4.00",
        (3, 40.0),
        "purchase_value = `Website purchase ROAS (return on advertising spend)` x spend",
    ),
    "no purchase column at all": (
        '"Link clicks"',
        "12",
        (None, None),
        "purchases unknown (no purchase column)",
    ),
}


@pytest.mark.parametrize("case", sorted(FAMILY_CASES))
def test_ingest_picks_one_purchase_family_by_precedence_and_says_which(tmp_path, case):
    columns, values, expected, said = FAMILY_CASES[case]
    path = write(
        tmp_path,
        "family.csv",
        [
            f'"Campaign name","Ad name","Day","Amount spent (EUR)","Impressions",{columns}',
            f"C1,A1,2026-03-02,10.00,1000,{values}",
        ],
    )
    result = ingest([path], tmp_path, "salt")
    assert ads(result).select("purchases", "purchase_value").row(0) == expected
    assert said in ledger(result)["family.csv"]["columns_used"]


# ---------------------------------------------------------------- 3. objectives other than sales (a real shape)

# Shape and values of a real period export found in a public repository (an Indian account; names
# replaced): `Campaign name` + `Ads`, Delivery level `campaign`, one row per ad for a window, no `Day`,
# messaging / lead / app-install objectives, two attribution settings, no purchase column.
PERIOD_EXPORT = [
    '"Campaign name",Ads,"Delivery status","Delivery level","Result type",Results,"Cost per result",'
    '"Amount spent (INR)",Impressions,Reach,"Attribution setting","Ad set name","CTR (link click-through rate)",'
    '"hook rate","Video plays at 100%","Reporting starts","Reporting ends"',
    'MULTICAST,"pfh 2",active,campaign,"Messaging conversations started",190,7.76163158,1474.71,21577,15801,'
    '"7-day click or 1-day view",,1.54331001,0.35797377,1872,2026-02-02,2026-02-08',
    'MULTICAST,"ethnic vid",active,campaign,"Messaging conversations started",670,6.44849254,4320.49,53385,39694,'
    '"7-day click or 1-day view",,1.8544535,0.34247448,3557,2026-02-02,2026-02-08',
    '"Webinar",New Sales Ad,inactive,campaign,form_submit,1,,690.93,10750,7367,'
    '"7-day click, 1-day view, or 1-day engaged-view",,1.33023256,0.15767442,171,2026-02-02,2026-02-08',
    '"App campaign",gujarati,active,campaign,"Mobile app installs",83,19.2260241,1595.76,22460,14154,'
    '"1-day click, 1-day view, or 1-day engaged-view",,1.16206589,0.29100623,980,2026-02-02,2026-02-08',
]


def test_ingest_reads_a_period_export_of_other_objectives_with_purchases_unknown(tmp_path):
    path = write(tmp_path, "week.csv", PERIOD_EXPORT)
    result = ingest([path], tmp_path, "salt")
    rows = ads(result).sort("spend")
    assert rows.height == 4
    assert set(rows["date"]) == {dt.date(2026, 2, 8)}
    assert set(rows["window_start"]) == {dt.date(2026, 2, 2)}
    assert rows["currency"].unique().to_list() == ["INR"]
    assert rows["spend"].sum() == pytest.approx(1474.71 + 4320.49 + 690.93 + 1595.76)
    by_type = dict(rows.group_by("result_type").agg(pl.col("results").sum()).rows())
    assert by_type == {"Messaging conversations started": 860.0, "form_submit": 1.0, "Mobile app installs": 83.0}
    # Nothing in the file says how many purchases there were: unknown, never 0.
    assert rows["purchases"].null_count() == 4
    assert rows["purchase_value"].null_count() == 4
    assert rows["ad"].to_list() == ["New Sales Ad", "pfh 2", "gujarati", "ethnic vid"]


# ---------------------------------------------------------------- 4. other levels and grains


def test_ingest_reads_an_account_level_export_without_any_name(tmp_path):
    path = write(
        tmp_path,
        "account.csv",
        [
            '"Day","Amount spent (EUR)","Impressions","Link clicks","Purchases","Purchases conversion value"',
            ",22.50,2100,45,1,50.00",  # the totals row: no date
            "2026-03-02,10.00,1000,20,1,50.00",
            "2026-03-03,12.50,1100,25,0,0",
        ],
    )
    result = ingest([path], tmp_path, "salt")
    rows = ads(result).sort("date")
    assert rows["level"].to_list() == ["account", "account"]
    assert rows.select("spend", "purchases", "purchase_value").rows() == [(10.0, 1, 50.0), (12.5, 0, 0.0)]
    # No name column: the row without a date is the totals row (and it matches the sums: no warning).
    assert (ledger(result)["account.csv"]["kept"], ledger(result)["account.csv"]["totals"]) == (2, 1)
    assert result.warnings.filter(pl.col("check") == "totals_row").height == 0


def test_ingest_reads_a_breakdown_only_export(tmp_path):
    path = write(
        tmp_path,
        "age.csv",
        [
            '"Age","Gender","Day","Amount spent (EUR)","Impressions","Purchases"',
            "25-34,female,2026-03-02,10.00,1000,1",
            "25-34,male,2026-03-02,5.00,400,0",
        ],
    )
    rows = ads(ingest([path], tmp_path, "salt")).sort("gender")
    assert rows.select("level", "breakdown", "age", "gender", "spend").rows() == [
        ("account", "age_gender", "25-34", "female", 10.0),
        ("account", "age_gender", "25-34", "male", 5.0),
    ]


def test_ingest_lists_every_unusable_file_and_goes_on_with_the_usable_ones(tmp_path):
    good = write(
        tmp_path,
        "raw/good.csv",
        ['"Campaign name","Day","Amount spent (EUR)","Impressions"', "C1,2026-03-02,10.00,1000"],
    )
    notes = write(tmp_path, "raw/notes.csv", ["Campaign,Budget", "C1,100"])
    readme = write(tmp_path, "raw/README.txt", ["These are my exports.", "Ask Sam if anything is off."])
    result = ingest([good, notes, readme], tmp_path, "salt")
    assert ads(result)["spend"].to_list() == [10.0]
    left_out = result.warnings.filter(pl.col("check") == "not_readable")
    assert left_out["source_file"].to_list() == ["raw/notes.csv", "raw/README.txt"]
    assert all(message.startswith("left out: raw/") for message in left_out["message"])


def test_ingest_with_no_usable_file_stops_naming_every_file(tmp_path):
    notes = write(tmp_path, "notes.csv", ["Campaign,Budget", "C1,100"])
    other = write(tmp_path, "other.csv", ["Name,Age", "x,3"])
    with pytest.raises(AdlabError) as info:
        ingest([notes, other], tmp_path, "salt")
    message = str(info.value)
    assert message.startswith("none of the 2 files can be used:")
    assert "notes.csv: not a known export" in message
    assert "other.csv: not a known export" in message


# ---------------------------------------------------------------- 5. accounts and platforms in every key

TWO_DAYS = [
    '"Campaign name","Ad set name","Ad name","Day","Amount spent (EUR)","Impressions"',
    "Sale,Broad,Video,2026-03-02,10.00,1000",
    "Sale,Broad,Video,2026-03-03,20.00,2000",
]


def test_ingest_two_accounts_with_identical_names_keep_all_their_rows(tmp_path):
    raw = tmp_path / "data" / "raw"
    first = write(raw, "client_a/meta.csv", TWO_DAYS)
    second = write(raw, "client_b/meta.csv", [*TWO_DAYS[:1], "Sale,Broad,Video,2026-03-02,1.00,100"])
    result = ingest([first, second], tmp_path, "salt", raw)
    rows = ads(result).sort("account", "date")
    assert rows.select("account", "date", "spend").rows() == [
        ("client_a", dt.date(2026, 3, 2), 10.0),
        ("client_a", dt.date(2026, 3, 3), 20.0),
        ("client_b", dt.date(2026, 3, 2), 1.0),
    ]
    assert sum(row["replaced"] for row in ledger(result).values()) == 0


def test_ingest_account_column_beats_the_folder_and_overlap_applies_within_one_account(tmp_path):
    raw = tmp_path / "data" / "raw"
    header = '"Account name","Campaign name","Day","Amount spent (EUR)","Impressions","Reporting ends"'
    old = write(
        raw,
        "old.csv",
        [header, "Shop A,Sale,2026-03-02,10.00,1000,2026-03-02", "Shop B,Sale,2026-03-02,7.00,700,2026-03-02"],
    )
    new = write(raw, "new.csv", [header, "Shop A,Sale,2026-03-02,11.00,1100,2026-03-03"])
    result = ingest([old, new], tmp_path, "salt", raw)
    rows = ads(result).sort("account")
    # Shop A's day is replaced by the newer export; Shop B's row, same names and day, is not.
    assert rows.select("account", "spend", "source_file").rows() == [
        ("Shop A", 11.0, "data/raw/new.csv"),
        ("Shop B", 7.0, "data/raw/old.csv"),
    ]
    assert ledger(result)["data/raw/old.csv"]["replaced"] == 1


def test_ingest_an_export_without_account_column_beside_one_with_it_is_the_same_account(tmp_path):
    """Side by side in one folder, an export naming `Shop A` and an overlapping one naming no account are one
    account: the newer replaces the older's overlapping day instead of adding to it."""
    raw = tmp_path / "data" / "raw"
    named = write(
        raw,
        "shop_a/named.csv",
        [
            '"Account name","Campaign name","Day","Amount spent (EUR)","Impressions","Reporting ends"',
            "Shop A,Sale,2026-03-02,10.00,1000,2026-03-02",
        ],
    )
    plain = write(
        raw,
        "shop_a/plain.csv",
        [
            '"Campaign name","Day","Amount spent (EUR)","Impressions","Reporting ends"',
            "Sale,2026-03-02,11.00,1100,2026-03-03",
            "Sale,2026-03-03,5.00,500,2026-03-03",
        ],
    )
    rows = ads(ingest([named, plain], tmp_path, "salt", raw)).sort("date")
    assert rows.select("account", "date", "spend").rows() == [
        ("Shop A", dt.date(2026, 3, 2), 11.0),
        ("Shop A", dt.date(2026, 3, 3), 5.0),
    ]


def test_ingest_google_and_meta_campaigns_with_one_name_keep_both(tmp_path):
    meta = write(
        tmp_path,
        "meta.csv",
        ['"Campaign name","Day","Amount spent (EUR)","Impressions"', "Brand,2026-03-02,10.00,1000"],
    )
    google = write(
        tmp_path, "google.csv", ["Campaign,Day,Currency code,Cost,Impr.,Clicks", "Brand,2026-03-02,EUR,4.00,300,12"]
    )
    rows = ads(ingest([meta, google], tmp_path, "salt")).sort("platform_source")
    assert rows.select("platform_source", "campaign", "spend").rows() == [
        ("google_ads", "Brand", 4.0),
        ("meta", "Brand", 10.0),
    ]


def test_ingest_an_export_without_ids_overlapping_one_with_ids_replaces_it(tmp_path):
    with_ids = write(
        tmp_path,
        "a.csv",
        [
            '"Campaign name","Ad name","Ad ID","Day","Amount spent (EUR)","Impressions","Reporting ends"',
            "Sale,Video,901,2026-03-02,10.00,1000,2026-03-02",
        ],
    )
    without = write(
        tmp_path,
        "b.csv",
        [
            '"Campaign name","Ad name","Day","Amount spent (EUR)","Impressions","Reporting ends"',
            "Sale,Video,2026-03-02,12.00,1200,2026-03-05",
        ],
    )
    result = ingest([with_ids, without], tmp_path, "salt")
    assert ads(result).select("ad", "ad_id", "spend").rows() == [("Video", "901", 12.0)]
    assert ledger(result)["a.csv"]["replaced"] == 1


# ---------------------------------------------------------------- 7. attribution settings


def test_attribution_warnings_names_the_settings_mixed_and_where():
    frame = pl.DataFrame(
        {
            "account": [None, None, None],
            "platform_source": ["meta"] * 3,
            "campaign": ["Sale", "Sale", "Retarget"],
            "attribution_setting": ["7-day click or 1-day view", "7-day click or 1-day view", "1-day click"],
            "source_file": ["a.csv", "a.csv", "b.csv"],
        }
    )
    [warning] = attribution_warnings(frame)
    assert warning["check"] == "attribution_mixed"
    assert warning["message"] == (
        "ROAS adds conversions counted under different attribution settings: "
        "`1-day click` (1 campaign: Retarget; b.csv), `7-day click or 1-day view` (1 campaign: Sale; a.csv)"
    )
    assert attribution_warnings(frame.filter(pl.col("campaign") == "Sale")) == []


def test_window_results_by_type_of_a_period_export_never_add_types(tmp_path):
    from adlab import kpis
    from adlab.report.window import window_results_html

    rows = ads(ingest([write(tmp_path, "week.csv", PERIOD_EXPORT)], tmp_path, "salt"))
    start, end = dt.date(2026, 2, 2), dt.date(2026, 2, 8)
    results = kpis.window_results(rows, start, end)
    by_type = {row["result_type"]: (row["results"], row["cost_per_result"]) for row in results.iter_rows(named=True)}
    # Messaging: (1474.71 + 4320.49) / (190 + 670); the others one ad each.
    assert by_type["Messaging conversations started"] == (860.0, pytest.approx(5795.20 / 860))
    assert by_type["Mobile app installs"] == (83.0, pytest.approx(1595.76 / 83))
    assert by_type["form_submit"] == (1.0, pytest.approx(690.93))
    html = window_results_html(rows, start, end, "INR", {"purchases": None}, kpis.compute_kpis_period(rows))
    assert "Messaging conversations started" in html
    assert "860" in html
    assert "ROAS and CPA are unknown" in html


def test_results_summary_without_a_week_and_for_a_window(tmp_path):
    from adlab import kpis

    # No dated data at all (e.g. only a file adlab does not use): no week, no results, no crash.
    assert kpis.results_summary(None, None) == []
    rows = ads(ingest([write(tmp_path, "week.csv", PERIOD_EXPORT)], tmp_path, "salt"))
    summary = kpis.window_results_summary(rows, dt.date(2026, 2, 2), dt.date(2026, 2, 8))
    assert [(row["result_type"], row["results"]) for row in summary] == [
        ("Messaging conversations started", 860.0),
        ("Mobile app installs", 83.0),
        ("form_submit", 1.0),
    ]


def test_ingest_same_named_ads_keep_their_results_when_one_had_none_that_day(tmp_path):
    # Found by the first-contact harness: two ads sharing every name (no IDs) were merged with their result
    # type taken as unknown when one of them had no result that day (a blank `Result type`), so the other's
    # 2 results vanished from results by type. Merged: 15.00 spent, 2 results of Website purchases.
    path = write(
        tmp_path,
        "same_names.csv",
        [
            '"Campaign name","Ad set name","Ad name","Day","Result type","Results","Amount spent (USD)","Impressions"',
            "C,S,Boosted post,2026-03-02,Website purchases,2,10.00,1000",
            "C,S,Boosted post,2026-03-02,,,5.00,400",
        ],
    )
    rows = ads(ingest([path], tmp_path, "salt"))
    assert rows.select("result_type", "results", "purchases", "spend", "impressions").rows() == [
        ("Website purchases", 2.0, 2, 15.0, 1400)
    ]


def test_ingest_result_indicator_action_codes_read_as_the_result_types_ads_manager_shows(tmp_path):
    # Real shapes (monfrere_us): `Result indicator` = actions:offsite_conversion.fb_pixel_purchase, and
    # `Result type` cells such as profile_visit_view; an unknown code stays as written.
    path = write(
        tmp_path,
        "codes.csv",
        [
            '"Campaign name","Ad name","Day","Amount spent (USD)","Impressions","Results","Result indicator"',
            "C,A,2026-03-02,10.00,1000,2,actions:offsite_conversion.fb_pixel_purchase",
            "C,B,2026-03-02,5.00,500,7,profile_visit_view",
            "C,D,2026-03-02,4.00,400,3,actions:some_new_action",
        ],
    )
    rows = ads(ingest([path], tmp_path, "salt")).sort("ad")
    assert rows["result_type"].to_list() == ["Website purchases", "Instagram profile visits", "actions:some_new_action"]
    # No purchase column: the purchase-type row's results are its purchases.
    assert rows["purchases"].to_list() == [2, None, None]
