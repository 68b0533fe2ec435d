"""The peer baseline: the weekly KPI roll-up of a Meta ad-level export, written the straightforward pandas way.

`python bench/pandas_peer.py EXPORT.csv OUT.parquet`: one row per (week, campaign, ad set, ad) with
summed metrics and ROAS, CPA, CTR, CPC, CPM, CVR and AOV of the sums. No validation, no ledger,
no de-duplication: what an analyst would write in a notebook, as a yardstick for the pipeline.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

COLUMNS = {
    "Campaign name": "campaign",
    "Ad set name": "adset",
    "Ad name": "ad",
    "Day": "date",
    "Amount spent (USD)": "spend",
    "Impressions": "impressions",
    "Link clicks": "link_clicks",
    "Purchases": "purchases",
    "Purchases conversion value": "purchase_value",
}


def main(source: str, target: str) -> None:
    ads = pd.read_csv(source, usecols=list(COLUMNS), encoding="utf-8-sig").rename(columns=COLUMNS)
    ads["date"] = pd.to_datetime(ads["date"], format="%Y-%m-%d")
    iso = ads["date"].dt.isocalendar()
    ads["week"] = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    weekly = ads.groupby(["week", "campaign", "adset", "ad"], as_index=False)[
        ["spend", "impressions", "link_clicks", "purchases", "purchase_value"]
    ].sum()

    def div(num: pd.Series, den: pd.Series) -> pd.Series:
        return num / den.where(den > 0, np.nan)

    weekly["roas"] = div(weekly["purchase_value"], weekly["spend"])
    weekly["cpa"] = div(weekly["spend"], weekly["purchases"])
    weekly["ctr"] = div(weekly["link_clicks"], weekly["impressions"])
    weekly["cpc"] = div(weekly["spend"], weekly["link_clicks"])
    weekly["cpm"] = div(weekly["spend"] * 1000, weekly["impressions"])
    weekly["cvr"] = div(weekly["purchases"], weekly["link_clicks"])
    weekly["aov"] = div(weekly["purchase_value"], weekly["purchases"])
    weekly.to_parquet(target, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
