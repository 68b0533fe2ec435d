"""Settings and currencies per account: target overrides in params.yaml, unknown account names, one currency
per account (not per folder), and a portfolio summary that adds accounts without mixing currencies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from adlab.currency import cpa_target_note
from adlab.data_warnings import account_currencies, check_currencies, unknown_currency_warnings
from adlab.errors import AdlabError
from adlab.kpis import build_summary, compute_kpis_daily, portfolio_summary
from adlab.kpis.summary import PROFIT_KEYS
from adlab.params import Params, TargetsParams, account_setting, check_accounts, load_params
from adlab.schema import AD_INSIGHTS, LEDGER, conform

PROJECT = Path(__file__).resolve().parents[1]

OVERRIDES = """\
targets: {roas: 2.5, cpa: 40, gross_margin: 0.5}
report: {weeks: 4}
accounts:
  "Nordic Knitwear":
    targets: {roas: 3.0, cpa: 25}
  Alpine Goods:
    targets:
      gross_margin: 0.4
  'Bob''s "Best" Shop':
    targets: {roas: 4}
  123456789:                 # an account ID written without quotes
    targets: {cpa: 650000}
"""


def params_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- params.yaml: accounts ---------------------------------------------------------------------------------


def test_load_params_reads_account_overrides_and_for_account_lays_them_over_the_targets(tmp_path):
    params = load_params(params_file(tmp_path, OVERRIDES))
    assert params.for_account("Nordic Knitwear").targets == TargetsParams(roas=3.0, cpa=25.0, gross_margin=0.5)
    assert params.for_account("Alpine Goods").targets == TargetsParams(roas=2.5, cpa=40.0, gross_margin=0.4)
    assert params.for_account('Bob\'s "Best" Shop').targets == TargetsParams(roas=4.0, cpa=40.0, gross_margin=0.5)
    assert params.for_account("123456789").targets.cpa == 650000.0
    # Other sections are the top level's.
    assert params.for_account("Nordic Knitwear").report.weeks == 4


def test_for_account_gives_the_top_level_settings_to_the_default_account_and_unknown_names(tmp_path):
    params = load_params(params_file(tmp_path, OVERRIDES))
    top = TargetsParams(roas=2.5, cpa=40.0, gross_margin=0.5)
    assert params.for_account(None).targets == top
    assert params.for_account("Someone Else").targets == top
    # An account's settings hold no other account's overrides.
    assert params.for_account("Nordic Knitwear").accounts == {}
    assert params.targets == top


def test_load_params_keeps_only_the_overrides_an_account_gives(tmp_path):
    params = load_params(params_file(tmp_path, OVERRIDES))
    assert params.accounts["Nordic Knitwear"] == {"targets": {"roas": 3.0, "cpa": 25.0}}
    assert params.accounts["Alpine Goods"] == {"targets": {"gross_margin": 0.4}}


def test_project_params_keep_an_empty_accounts_section_that_dvc_reads():
    # `dvc repro` fails when a stage's params name a section params.yaml does not hold.
    raw = yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))
    assert raw["accounts"] == {}
    assert load_params(PROJECT / "params.yaml").accounts == {}
    stages = yaml.safe_load((PROJECT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    assert "accounts" in stages["recommend"]["params"]
    assert "accounts" in stages["report"]["params"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'accounts:\n  "Nordic Knitwear":\n    targets: {roas: fast}\n',
            r"`accounts\.\"Nordic Knitwear\"\.targets\.roas` = 'fast' should be a float\.$",
        ),
        (
            'accounts:\n  "Nordic Knitwear":\n    targets: {rosa: 3}\n',
            r"`accounts\.\"Nordic Knitwear\"\.targets\.rosa` is not a setting; known: roas, cpa, gross_margin\.$",
        ),
        (
            'accounts:\n  "Nordic Knitwear":\n    report: {weeks: 2}\n',
            r"`accounts\.\"Nordic Knitwear\"\.report` is not a section an account can override; "
            r"known: targets, tactics, profit\.$",
        ),
        (
            'accounts:\n  "Nordic Knitwear":\n    targets: {cpa: 0}\n',
            r"`accounts\.\"Nordic Knitwear\"\.targets\.cpa` must be > 0\.$",
        ),
        (
            "accounts:\n  Alpine Goods:\n    targets: {gross_margin: 45}\n",
            r"`accounts\.\"Alpine Goods\"\.targets\.gross_margin` must be a fraction in \(0, 1\]",
        ),
        ('accounts:\n  "Nordic Knitwear": 3\n', r"`accounts\.\"Nordic Knitwear\"` must be a mapping of sections"),
        ("accounts: [Nordic Knitwear]\n", r"section `accounts` must map account names to their settings"),
        ("accounts:\n  true:\n    targets: {roas: 3}\n", r"`accounts` key True should be an account name"),
    ],
)
def test_load_params_rejects_a_wrong_account_setting_in_one_line_naming_it(tmp_path, text, message):
    with pytest.raises(AdlabError, match=message) as err:
        load_params(params_file(tmp_path, text))
    assert "\n" not in str(err.value)


def test_check_accounts_names_the_unknown_account_the_accounts_and_the_closest_one(tmp_path):
    params = load_params(params_file(tmp_path, 'accounts:\n  "Nordc Knitwear":\n    targets: {roas: 3}\n'))
    with pytest.raises(AdlabError) as err:
        check_accounts(params, ["Nordic Knitwear", "Alpine Goods"], Path("params.yaml"))
    assert str(err.value) == (
        'params.yaml: accounts."Nordc Knitwear" names no account in the data; the accounts are: '
        'Nordic Knitwear, Alpine Goods (did you mean "Nordic Knitwear"?)'
    )


def test_check_accounts_passes_when_every_name_is_in_the_data(tmp_path):
    params = load_params(params_file(tmp_path, OVERRIDES))
    check_accounts(params, ["123456789", "Alpine Goods", 'Bob\'s "Best" Shop', "Nordic Knitwear", None], Path("p"))
    check_accounts(Params(), [None], Path("p"))


def test_check_accounts_says_when_the_data_has_only_the_default_account(tmp_path):
    params = load_params(params_file(tmp_path, "accounts:\n  Alpine Goods: {targets: {roas: 3}}\n"))
    with pytest.raises(
        AdlabError, match=r'^p: accounts\."Alpine Goods" names no account in the data, which holds only'
    ):
        check_accounts(params, [None], Path("p"))


def test_cpa_target_note_judges_each_account_with_its_own_target_currency_and_setting():
    # Nordic Knitwear: CPA target 25 in EUR (about 27 USD), plausible. Alpine Goods keeps the top-level 40 but
    # is billed in IDR: 40 IDR is about 0.0025 USD, so the note points at that account's own entry.
    assert cpa_target_note(25.0, "EUR", account_setting("Nordic Knitwear", "targets.cpa")) is None
    note = cpa_target_note(40.0, "IDR", account_setting("Alpine Goods", "targets.cpa")) or ""
    assert '`accounts."Alpine Goods".targets.cpa`' in note
    assert account_setting(None, "targets.cpa") == "targets.cpa"


# --- currencies per account ---------------------------------------------------------------------------------


def money(rows: list[tuple[str | None, str | None, str]]) -> pl.DataFrame:
    """(account, currency, source_file) rows."""
    return pl.DataFrame(
        rows, schema={"account": pl.String, "currency": pl.String, "source_file": pl.String}, orient="row"
    )


def test_check_currencies_passes_several_accounts_each_in_its_own_currency():
    ads = money([("Nordic Knitwear", "EUR", "nk-meta.csv"), ("Alpine Goods", "USD", "ag-meta.csv")])
    orders = money([("Nordic Knitwear", "EUR", "nk-orders.csv"), ("Alpine Goods", "USD", "ag-orders.csv")])
    check_currencies({"ad_insights": ads, "orders": orders})


def test_check_currencies_stops_when_one_account_has_ads_and_store_in_different_currencies():
    ads = money([("Nordic Knitwear", "USD", "nk-meta.csv"), ("Alpine Goods", "USD", "ag-meta.csv")])
    orders = money([("Nordic Knitwear", "EUR", "nk-orders.csv"), ("Alpine Goods", "USD", "ag-orders.csv")])
    with pytest.raises(AdlabError) as err:
        check_currencies({"ad_insights": ads, "orders": orders})
    assert str(err.value) == (
        'account "Nordic Knitwear" has exports in several currencies (EUR in orders (nk-orders.csv); '
        "USD in ad_insights (nk-meta.csv)); keep one currency per account, its ads' and its store's."
    )


def test_check_currencies_stops_on_two_currencies_in_one_accounts_ads():
    ads = money([("Alpine Goods", "USD", "ag-us.csv"), ("Alpine Goods", "CHF", "ag-ch.csv"), ("B", "EUR", "b.csv")])
    with pytest.raises(AdlabError, match=r'^account "Alpine Goods" .*\(CHF in ad_insights \(ag-ch\.csv\); USD in'):
        check_currencies({"ad_insights": ads, "orders": money([])})


def test_check_currencies_keeps_its_message_for_a_folder_without_accounts():
    ads = pl.DataFrame({"currency": ["USD"], "source_file": ["meta.csv"]})
    orders = pl.DataFrame({"currency": ["GBP"], "source_file": ["o.csv"]})
    with pytest.raises(AdlabError) as err:
        check_currencies({"ad_insights": ads, "orders": orders})
    assert str(err.value) == (
        "exports in several currencies (GBP in orders (o.csv); USD in ad_insights (meta.csv)); "
        "keep one store and account currency."
    )


def test_account_currencies_gives_each_account_its_own_and_none_where_no_export_says():
    ads = money([("Nordic Knitwear", "EUR", "nk.csv"), ("Alpine Goods", None, "ag.csv"), (None, None, "d.csv")])
    orders = money([("Alpine Goods", "CHF", "ag-orders.csv"), ("Zed", None, "z.csv")])
    found = account_currencies({"ad_insights": ads, "orders": orders})
    assert found == {"Alpine Goods": "CHF", "Nordic Knitwear": "EUR", "Zed": None, None: None}


def test_unknown_currency_warning_names_the_currency_of_the_files_own_account():
    ads = money([("Nordic Knitwear", "EUR", "nk.csv"), ("Alpine Goods", "USD", "ag.csv")])
    orders = money([("Nordic Knitwear", None, "nk-orders.csv")])
    warnings = unknown_currency_warnings({"ad_insights": ads, "orders": orders})
    assert warnings["source_file"].to_list() == ["nk-orders.csv"]
    assert "added to the EUR amounts of the other exports as if they were EUR" in warnings["message"][0]


# --- portfolio summary ----------------------------------------------------------------------------------------


def summary(**given: Any) -> dict[str, Any]:
    """A build_summary-shaped dict for W47 with the figures given; the rest null."""
    keys = ("spend", "purchase_value", "purchases", "impressions", "link_clicks", "roas", "cpa", "ctr", "cpm")
    keys += ("cvr", "aov", "orders", "revenue", "mer", "sessions", "store_cvr", *PROFIT_KEYS)
    figures = {key: given.pop(key, None) for key in keys}
    return {
        "week": "2026-W47",
        "week_complete": True,
        "currency": "EUR",
        **figures,
        "first_order_date": given.pop("first_order_date", None),
        "previous": {"week": "2026-W46", **dict.fromkeys(keys), "results": []},
        "rows": {"in": 0, "kept": 0, "replaced": 0, "totals": 0, "quarantined": 0},
        "by_platform": {},
        "data_source": "raw",
        "results": [],
        **given,
    }


# Nordic Knitwear: spend 100, value 300 (ROAS 3.0); Alpine Goods: spend 300, value 300 (ROAS 1.0).
NORDIC = summary(
    spend=100.0,
    purchase_value=300.0,
    purchases=6,
    impressions=10_000,
    link_clicks=200,
    roas=3.0,
    orders=8,
    revenue=500.0,
    sessions=100,
    rows={"in": 10, "kept": 8, "replaced": 1, "totals": 0, "quarantined": 1},
    by_platform={"meta": {"spend": 100.0, "purchase_value": 300.0, "roas": 3.0}},
    results=[{"result_type": "Website purchases", "spend": 100.0, "results": 6.0, "cost_per_result": 16.666667}],
)
ALPINE = summary(
    spend=300.0,
    purchase_value=300.0,
    purchases=2,
    impressions=30_000,
    link_clicks=100,
    roas=1.0,
    orders=4,
    revenue=300.0,
    rows={"in": 5, "kept": 5, "replaced": 0, "totals": 0, "quarantined": 0},
    by_platform={
        "google_ads": {"spend": 100.0, "purchase_value": 100.0, "roas": 1.0},
        "meta": {"spend": 200.0, "purchase_value": 200.0, "roas": 1.0},
    },
    results=[
        {"result_type": "Website purchases", "spend": 250.0, "results": 2.0, "cost_per_result": 125.0},
        {"result_type": "Leads", "spend": 50.0, "results": 10.0, "cost_per_result": 5.0},
    ],
)


def test_portfolio_summary_in_one_currency_gives_ratios_of_the_sums_not_means_of_ratios():
    portfolio = portfolio_summary({"Nordic Knitwear": NORDIC, None: ALPINE})
    assert (portfolio["week"], portfolio["week_complete"], portfolio["currency"]) == ("2026-W47", True, "EUR")
    assert (portfolio["spend"], portfolio["purchase_value"], portfolio["purchases"]) == (400.0, 600.0, 8)
    assert portfolio["roas"] == 1.5  # 600 / 400, where the mean of 3.0 and 1.0 would say 2.0
    assert portfolio["cpa"] == 50.0  # 400 / 8
    assert portfolio["ctr"] == 0.0075  # 300 link clicks / 40,000 impressions
    assert portfolio["cpm"] == 10.0  # 400 / 40,000 x 1000
    assert portfolio["cvr"] == 0.026667  # 8 / 300, to 6 decimals
    assert portfolio["aov"] == 75.0  # 600 / 8
    assert (portfolio["orders"], portfolio["revenue"], portfolio["mer"]) == (12, 800.0, 2.0)  # MER 800 / 400
    # Alpine Goods' sessions are unknown, so the portfolio's are too (never counted as 0).
    assert (portfolio["sessions"], portfolio["store_cvr"]) == (None, None)
    assert portfolio["rows"] == {"in": 15, "kept": 13, "replaced": 1, "totals": 0, "quarantined": 1}
    assert portfolio["by_platform"] == {
        "google_ads": {"spend": 100.0, "purchase_value": 100.0, "roas": 1.0},
        "meta": {"spend": 300.0, "purchase_value": 500.0, "roas": 1.666667},
    }
    assert portfolio["results"] == [
        {"result_type": "Website purchases", "spend": 350.0, "results": 8.0, "cost_per_result": 43.75},
        {"result_type": "Leads", "spend": 50.0, "results": 10.0, "cost_per_result": 5.0},
    ]
    assert portfolio["accounts"] == {"Nordic Knitwear": NORDIC, "default": ALPINE}
    assert portfolio["previous"]["week"] == "2026-W46"
    assert list(portfolio)[: len(NORDIC)] == list(NORDIC)  # the keys of one account's summary, in its order


def test_portfolio_summary_in_several_currencies_keeps_counts_and_nulls_every_money_figure():
    portfolio = portfolio_summary({"Nordic Knitwear": NORDIC, "Alpine Goods": {**ALPINE, "currency": "USD"}})
    assert portfolio["currency"] is None
    for key in ("spend", "purchase_value", "revenue", "roas", "cpa", "cpm", "aov", "mer"):
        assert portfolio[key] is None, key
    assert (portfolio["purchases"], portfolio["impressions"], portfolio["link_clicks"], portfolio["orders"]) == (
        8,
        40_000,
        300,
        12,
    )
    assert (portfolio["ctr"], portfolio["cvr"]) == (0.0075, 0.026667)
    assert portfolio["rows"]["in"] == 15
    assert portfolio["by_platform"]["meta"] == {"spend": None, "purchase_value": None, "roas": None}
    assert portfolio["results"][0] == {
        "result_type": "Leads",
        "spend": None,
        "results": 10.0,
        "cost_per_result": None,
    }
    assert portfolio["accounts"]["Alpine Goods"]["spend"] == 300.0


def test_portfolio_summary_never_adds_an_account_summarised_for_another_week():
    earlier = {**ALPINE, "week": "2026-W46", "previous": {**ALPINE["previous"], "week": "2026-W45"}}
    portfolio = portfolio_summary({"Nordic Knitwear": NORDIC, "Alpine Goods": earlier})
    assert (portfolio["week"], portfolio["previous"]["week"]) == ("2026-W47", "2026-W46")
    assert (portfolio["spend"], portfolio["purchases"], portfolio["roas"]) == (None, None, None)
    assert portfolio["by_platform"]["meta"]["spend"] is None
    assert portfolio["rows"]["in"] == 15  # the ledger adds up whatever the weeks


def test_build_summary_reports_a_given_week_so_accounts_line_up():
    # 50 spent a day Mon W46 .. Sun W46, 100 a day Mon W47 .. Tue W48 (data ends on a Tuesday).
    days = [dt.date(2026, 11, 9) + dt.timedelta(days=i) for i in range(16)]
    base = {"platform_source": "meta", "level": "ad", "breakdown": "none", "currency": "EUR", "campaign": "C"}
    rows = [
        {**base, "adset": "S", "ad": "A", "date": day, "spend": 100.0 if day >= dt.date(2026, 11, 16) else 50.0}
        for day in days
    ]
    frame = conform(pl.DataFrame(rows), AD_INSIGHTS).with_columns(pl.col("date").alias("window_start"))
    daily, ledger = compute_kpis_daily(frame), pl.DataFrame(schema=LEDGER)
    w46 = build_summary(daily, None, ledger, "EUR", "raw", week="2026-W46")
    assert (w46["week"], w46["week_complete"], w46["spend"]) == ("2026-W46", True, 350.0)  # 7 x 50
    assert (w46["previous"]["week"], w46["previous"]["spend"]) == ("2026-W45", None)  # before the data: unknown
    w48 = build_summary(daily, None, ledger, "EUR", "raw", week="2026-W48")
    assert (w48["week"], w48["week_complete"], w48["spend"]) == ("2026-W48", False, 200.0)  # Mon + Tue
