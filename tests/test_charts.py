import datetime as dt

import polars as pl

from adlab.charts import (
    COLOURS,
    fig_age_gender_heatmap,
    fig_daily_trend,
    fig_roas_vs_spend,
    fig_spend_by_campaign,
    label,
    roas_band,
)

D1, D2, D3 = dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)
XSS = "<img src=x onerror=alert(1)>"


def account_days(with_store: bool) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "date": [D1, D2, D3],
            "spend": [100.0, 200.0, 50.0],
            "purchase_value": [300.0, 250.0, None],
            "roas": [3.0, 1.25, None],
        }
    )
    if with_store:
        frame = frame.with_columns(pl.Series("revenue", [400.0, 300.0, 120.0]), pl.Series("mer", [4.0, 1.5, 2.4]))
    return frame


def test_fig_daily_trend_puts_money_on_left_and_roas_mer_on_right_axis():
    fig = fig_daily_trend(account_days(with_store=True), "EUR", highlight=(D1, D3), target_roas=2.5)
    axes = {trace.name: trace.yaxis or "y" for trace in fig.data}
    assert axes == {"Spend": "y", "Purchase value (ads)": "y", "Store revenue": "y", "ROAS": "y2", "MER": "y2"}
    assert fig.layout.yaxis.title.text == "Amount (EUR)"
    assert fig.layout.yaxis.tickprefix == "€"
    assert fig.layout.yaxis2.ticksuffix == "x"
    assert len(fig.layout.shapes) == 2  # target line and the shaded week


def test_fig_daily_trend_of_a_store_without_ads_draws_store_revenue_only():
    unknown = pl.Series([None, None], dtype=pl.Float64)
    store_only = pl.DataFrame(
        {
            "date": [D1, D2],
            "spend": unknown,
            "purchase_value": unknown,
            "roas": unknown,
            "revenue": [80.0, 40.0],
            "mer": unknown,
        }
    )
    fig = fig_daily_trend(store_only, "GBP", highlight=(D1, D2), target_roas=2.5)
    assert [trace.name for trace in fig.data] == ["Store revenue"]
    assert len(fig.layout.shapes) == 1  # the shaded week; no target ROAS line without a ROAS
    assert "yaxis2" not in fig.to_dict()["layout"]  # and no empty ROAS / MER axis


def test_fig_daily_trend_without_orders_has_no_store_or_mer_trace():
    fig = fig_daily_trend(account_days(with_store=False), "AUD")
    assert [trace.name for trace in fig.data] == ["Spend", "Purchase value (ads)", "ROAS"]
    assert fig.layout.yaxis.ticksuffix == " AUD"


def test_fig_spend_by_campaign_escapes_names_and_colours_by_roas_band():
    campaigns = pl.DataFrame(
        {
            "campaign": ["Scale", XSS, "Loser"],
            "spend": [500.0, 300.0, 100.0],
            "roas": [3.0, 2.2, 0.5],
        }
    )
    fig = fig_spend_by_campaign(campaigns, "USD", target_roas=2.5, breakeven_roas=2.0)
    # Largest spend is drawn on top, i.e. last.
    assert list(fig.layout.yaxis.ticktext) == ["Loser", "&lt;img src=x onerror=alert(1)&gt;", "Scale"]
    assert list(fig.data[0].marker.color) == [COLOURS["bad"], COLOURS["warn"], COLOURS["good"]]
    assert list(fig.data[0].x) == [100.0, 300.0, 500.0]


def test_fig_spend_by_campaign_keeps_same_named_campaigns_on_separate_bars():
    campaigns = pl.DataFrame({"campaign": ["Sale", "Sale"], "spend": [10.0, 20.0], "roas": [1.0, 3.0]})
    fig = fig_spend_by_campaign(campaigns, "USD", target_roas=2.5, breakeven_roas=2.0)
    assert list(fig.data[0].y) == [0, 1]
    assert list(fig.layout.yaxis.ticktext) == ["Sale", "Sale"]


def test_fig_roas_vs_spend_leaves_out_ads_without_roas_and_escapes_hover_names():
    ads = pl.DataFrame(
        {
            "campaign": ["C", "C", "C"],
            "adset": ["S", "S", "S"],
            "ad": [XSS, "B", "No value"],
            "spend": [100.0, 50.0, 80.0],
            "roas": [2.0, 4.0, None],
            "purchases": [4, 9, None],
        }
    )
    fig = fig_roas_vs_spend(ads, "USD", target_roas=2.5, breakeven_roas=2.0)
    assert list(fig.data[0].x) == [100.0, 50.0]
    assert fig.data[0].customdata[0][0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert [shape.y0 for shape in fig.layout.shapes] == [2.5, 2.0]


def test_label_shortens_long_names_and_escapes_markup():
    assert label("a" * 50, limit=10) == "aaaaaaaaa…"
    assert label("<b>&") == "&lt;b&gt;&amp;"
    assert label(None) == "(none)"


def test_roas_band_splits_at_target_and_breakeven():
    assert [roas_band(value, 2.5, 2.0) for value in (2.5, 2.0, 1.99, None)] == ["good", "warn", "bad", "none"]


def test_fig_age_gender_heatmap_puts_ages_on_rows_and_leaves_thin_cells_uncoloured():
    cells = pl.DataFrame(
        {
            "age": ["25-34", "25-34", "18-24", "18-24"],
            "gender": ["female", "male", "female", XSS],
            "spend": [100.0, 60.0, 5.0, 50.0],
            "roas": [3.0, 1.5, 9.0, 2.2],
        }
    )
    fig = fig_age_gender_heatmap(cells, "USD", target_roas=2.5, breakeven_roas=2.0, min_spend=10.0)
    heat = fig.data[0]
    assert list(heat.y) == ["18-24", "25-34"]
    assert list(heat.x) == ["&lt;img src=x onerror=alert(1)&gt;", "female", "male"]
    assert [list(row) for row in heat.z] == [[2.2, None, None], [None, 3.0, 1.5]]  # 18-24 female spent 5 < 10
    assert heat.text[0][1] == "low spend"
    assert heat.customdata[1][1] == ["$100"]
