"""First contact with real exports: a generator of realistic export folders and an independent expected side.

`write_folder(shape, raw_dir)` writes the Ads Manager (and store) files a user of that shape would drop in
`data/raw/`; `expected(files)` sums them back with nothing but the `csv` module, per (account, ISO week) for
daily rows and per (account, reporting window) for window rows. The two never share code with adlab: the
file specs (which header holds what, how numbers and dates are written) are the generator's own.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "src" / "adlab" / "sources" / "catalogue" / "meta_ads"
START = dt.date(2026, 10, 7)  # a Wednesday: the first and last ISO weeks are partial
DAYS = 21
WINDOWS = ((START, START + dt.timedelta(days=13)), (START + dt.timedelta(days=14), START + dt.timedelta(days=20)))
AGES = ("18-24", "25-34", "35-44")
GENDERS = ("female", "male", "unknown")
PURCHASE_COLUMNS = {  # family -> (count header, value header)
    "purchases": ("Purchases", "Purchases conversion value"),
    "website": ("Website purchases", "Website purchases conversion value"),
    "meta": ("Meta purchases", "Meta purchases conversion value"),
    "inapp": ("In-app purchases", "In-app purchases conversion value"),
    "offline": ("Offline purchases", "Offline purchases conversion value"),
    "shared": ("Purchases with shared items", "Purchases conversion value for shared items only"),
    "roas": ("Purchases", "Purchase ROAS (return on ad spend)"),  # ROAS x spend, no value column
    "results": (None, None),  # no purchase column: Results of purchase-type rows
}
INDICATORS = {
    "Website purchases": "actions:offsite_conversion.fb_pixel_purchase",
    "Leads": "actions:lead",
    "Messaging conversations started": "actions:onsite_conversion.messaging_conversation_started_7d",
    "Link clicks": "actions:link_click",
}
RESULT_TYPES = {
    "sales": "Website purchases",
    "leads": "Leads",
    "messaging": "Messaging conversations started",
    "traffic": "Link clicks",
}


@dataclass(frozen=True)
class Shape:
    """One folder of exports, as a user of some account would drop it."""

    name: str
    level: str = "ad"  # ad | adset | campaign | account
    grain: str = "daily"  # daily | window | daily_noday (Reporting starts = ends, no Day column)
    objective: str = "sales"  # sales | leads | messaging | traffic | mixed (sales + leads campaigns)
    family: str = "purchases"  # a PURCHASE_COLUMNS key (sales only)
    lang: str = "en"
    breakdowns: tuple[str, ...] = ()  # age_gender, placement, region, country
    breakdown_only: bool = False  # no un-broken-down file
    ids: bool = False
    tabs: bool = False  # `Campaigns` / `Ad sets` / `Ads` instead of `... name`
    accounts: str = "one"  # one | folders | column
    store: str = "none"  # none | orders | analytics
    bom: bool = False
    totals: bool = False
    currency: str = "EUR"
    overlap: bool = False  # two daily exports overlapping by a week; the later one revises purchases
    dup_names: bool = False  # two ads of one ad set share a name (distinct IDs when exported)
    others: bool = False  # Google Ads and Pinterest exports next to the Meta ones
    thousands: bool = False  # `1,234.56` / `1.234,56` / `1 234,56` as the UI language writes them
    indicator: bool = False  # `Result indicator` (actions:offsite_conversion.fb_pixel_purchase), `Cost per results`
    nested: bool = False  # window exports: the whole period and its last week, both ending on the same day
    range_window: bool = False  # daily rows carry the export's whole range in Reporting starts / ends
    zeros: bool = False  # `0` written where Ads Manager usually leaves the cell blank
    meta: bool = True  # False: a store without ad exports
    lifetime: bool = False  # a daily export and, beside it, a lifetime export (one row per ad, no Day)
    coarser: tuple[str, ...] = ()  # the same days exported again at these levels (campaign, adset, account)
    account_breakdown: bool = False  # plus an account-level Age x Gender export (no name column)
    fractional: bool = False  # Google Ads conversions split by data-driven attribution (1.33)


@dataclass
class FileSpec:
    """How one written file is to be read back: what each header holds and how its cells are written."""

    path: Path
    kind: str  # meta | google | pinterest | orders | analytics
    roles: dict[str, str] = field(default_factory=dict)  # role -> header as written
    decimal_comma: bool = False
    date_format: str = "%Y-%m-%d"
    account: str | None = None  # from the folder
    breakdown: str = "none"
    result_types: dict[str, str] = field(default_factory=dict)  # written result type -> English
    skip: int = 0  # title lines above the header
    level: str = "ad"


def _catalogue(lang: str) -> tuple[dict[str, str], dict[str, dict[str, str]], dict]:
    """English header -> localized header, English value -> localized value, the raw catalogue."""
    if lang == "en":
        return {}, {}, {}
    data = json.loads((CATALOGUE / f"{lang}.json").read_text(encoding="utf-8"))
    headers: dict[str, str] = {}
    for local, english in data["headers"].items():
        headers.setdefault(english, local)
    values = {kind: {} for kind in data.get("values", {})}
    for kind, pairs in data.get("values", {}).items():
        for local, english in pairs.items():
            values[kind].setdefault(english, local)
    return headers, values, data


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` non-negative integers that add up exactly."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _capped(total: int, caps: list[int], rng: random.Random) -> list[int]:
    """`total` split into parts no larger than `caps` (which add up to at least `total`)."""
    parts = [0] * len(caps)
    for _ in range(total):
        room = [i for i, cap in enumerate(caps) if parts[i] < cap]
        parts[rng.choice(room)] += 1
    return parts


@dataclass
class Row:
    """One ad's (or entity's) day or window, metrics as integers (money in cents)."""

    account: str
    campaign: str
    adset: str
    ad: str
    objective: str
    day: dt.date | None
    start: dt.date
    end: dt.date
    attribution: str
    spend: int = 0
    impressions: int = 0
    reach: int = 0
    clicks: int = 0
    link_clicks: int = 0
    results: int = 0
    purchases: int = 0
    value: int = 0
    dims: dict[str, str] = field(default_factory=dict)
    ident: str = ""  # the ad's place (campaign, ad set, ad index): its ID, whatever its name


def _ad_days(shape: Shape, account: str, seed: int) -> list[Row]:
    """Daily rows per ad of one account: 2 campaigns x 2 ad sets x 2 ads x 21 days."""
    rng = random.Random(seed)
    rows = []
    for c in range(2):
        objective = ("sales", "leads")[c] if shape.objective == "mixed" else shape.objective
        for s in range(2):
            for a in range(2):
                # Set per campaign here (per ad set in Ads Manager): a second setting for one entity and day
                # would be the same spend again under another window.
                attribution = ("7-day click or 1-day view", "1-day click")[c]
                for d in range(DAYS):
                    day = START + dt.timedelta(days=d)
                    if rng.random() < 0.1:  # no delivery: Ads Manager writes no row
                        continue
                    impressions = rng.randint(0, 4000)
                    link_clicks = rng.randint(0, impressions // 40 + 1) if impressions else 0
                    row = Row(
                        account,
                        f"{account[:3].upper()} | C{c} {objective.title()}",
                        f"C{c} | Set {s}",
                        f"Ad {c}{s}{'' if shape.dup_names else a} | UGC",
                        objective,
                        day,
                        day,
                        day,
                        attribution,
                        ident=f"{c}{s}{a}",
                        spend=rng.randint(0, impressions * 2),
                        impressions=impressions,
                        reach=int(impressions * rng.uniform(0.6, 0.95)),
                        clicks=link_clicks + rng.randint(0, 20),
                        link_clicks=link_clicks,
                    )
                    if objective == "sales":
                        row.purchases = rng.choice((0, 0, 0, 1, 1, 2, 3)) if link_clicks else 0
                        row.value = sum(rng.randint(2500, 12000) for _ in range(row.purchases))
                        row.results = row.purchases
                    elif objective == "traffic":
                        row.results = link_clicks
                    else:
                        row.results = rng.choice((0, 0, 1, 2, 4)) if link_clicks else 0
                    rows.append(row)
    return rows


METRIC_FIELDS = ("spend", "impressions", "clicks", "link_clicks", "results", "purchases", "value")


def _roll(rows: list[Row], level: str, window: tuple[dt.date, dt.date] | None) -> list[Row]:
    """Ad-day rows summed to a level (and a window when given); reach never summed (a max stands in)."""
    out: dict[tuple, Row] = {}
    for row in rows:
        if window and not window[0] <= row.day <= window[1]:
            continue
        names = {
            "ad": (row.campaign, row.adset, row.ad),
            "adset": (row.campaign, row.adset, ""),
            "campaign": (row.campaign, "", ""),
            "account": ("", "", ""),
        }[level]
        day = None if window else row.day
        start, end = window if window else (row.day, row.day)
        ident = row.ident[: {"ad": 3, "adset": 2, "campaign": 1, "account": 0}[level]]
        key = (row.account, *names, ident, day, start, end, row.attribution if level != "account" else "")
        if key not in out:
            out[key] = Row(
                row.account,
                *names,
                row.objective,
                day,
                start,
                end,
                row.attribution if level != "account" else "7-day click or 1-day view",
                ident=ident,
            )
        target = out[key]
        for name in METRIC_FIELDS:
            setattr(target, name, getattr(target, name) + getattr(row, name))
        target.reach = max(target.reach, row.reach)
    return list(out.values())


def _broken_down(rows: list[Row], breakdown: str, rng: random.Random) -> list[Row]:
    """Each row split into 2-3 cells of a breakdown whose metrics add up exactly to the row's."""
    cells = {
        "age_gender": [{"age": AGES[i % 3], "gender": GENDERS[i // 3]} for i in (1, 3, 8)],
        "placement": [
            {"publisher_platform": p, "placement": q}
            for p, q in (("facebook", "Feed"), ("instagram", "Feed"), ("instagram", "Stories"))
        ],
        "region": [{"region": r} for r in ("Bavaria", "Berlin", "Hamburg")],
        "country": [{"country": c} for c in ("US", "CA")],
    }[breakdown]
    out = []
    for row in rows:
        # Impressions and spend split freely; clicks and results go unit by unit to cells that can take them
        # (a cell never has more link clicks than impressions, nor more clicks than... clicks (all)).
        impressions = _split(row.impressions, len(cells), rng)
        link = _capped(row.link_clicks, impressions, rng)
        extra = _split(row.clicks - row.link_clicks, len(cells), rng)
        results = (
            _capped(row.results, link, rng) if row.objective == "traffic" else _split(row.results, len(cells), rng)
        )
        spend = _split(row.spend, len(cells), rng)
        for i, dims in enumerate(cells):
            cell = Row(
                row.account,
                row.campaign,
                row.adset,
                row.ad,
                row.objective,
                row.day,
                row.start,
                row.end,
                row.attribution,
                dims=dims,
                ident=row.ident,
                spend=spend[i],
                impressions=impressions[i],
                link_clicks=link[i],
                clicks=link[i] + extra[i],
                results=results[i],
                reach=impressions[i] * 3 // 4,
            )
            # Purchases and their value go to one cell, so a cell's value goes with its purchases.
            cell.purchases, cell.value = (row.purchases, row.value) if i == 0 else (0, 0)
            if row.objective == "sales":
                cell.results = cell.purchases
            out.append(cell)
    return out


def _money(cents: int, comma: bool) -> str:
    text = f"{cents / 100:.2f}"
    return text.replace(".", ",") if comma else text


def _write_meta(
    shape: Shape, rows: list[Row], path: Path, breakdown: str, account_folder: str | None, rng: random.Random
) -> FileSpec:
    """One Ads Manager export of `rows`, with the headers, cells and quirks of the shape's UI language."""
    local, values, data = _catalogue(shape.lang)
    comma = bool(data.get("decimal_comma"))
    date_format = {
        "de": "%d.%m.%Y",
        "pl": "%d.%m.%Y",
        "ru": "%d.%m.%Y",
        "tr": "%d.%m.%Y",
        "es": "%d/%m/%Y",
        "fr": "%d/%m/%Y",
        "it": "%d/%m/%Y",
        "pt": "%d/%m/%Y",
    }.get(shape.lang, "%Y-%m-%d")
    group = {"en": ",", "fr": "\u00a0", "pl": "\u00a0", "ru": "\u00a0"}.get(shape.lang, ".")

    def count(n: int) -> str:
        return f"{n:,}".replace(",", group) if shape.thousands else str(n)

    def money(cents: int) -> str:
        text = _money(cents, comma)
        if not shape.thousands:
            return text
        units, decimals = text[:-3], text[-3:]
        return count(int(units)) + decimals

    def h(english: str) -> str:
        if "(<CUR>)" in english:
            return local.get(english, english).replace("<CUR>", shape.currency)
        return local.get(english, english)

    def v(kind: str, english: str) -> str:
        return values.get(kind, {}).get(english, english)

    daily = shape.grain == "daily"
    names = {
        "ad": ("campaign", "adset", "ad"),
        "adset": ("campaign", "adset"),
        "campaign": ("campaign",),
        "account": (),
    }[shape.level]
    entity_header = {
        "campaign": ("Campaigns", "Campaign name", "Campaign ID"),
        "adset": ("Ad sets", "Ad set name", "Ad set ID"),
        "ad": ("Ads", "Ad name", "Ad ID"),
    }
    roles: dict[str, str] = {}
    header: list[str] = []

    def add(role: str, english: str) -> None:
        roles[role] = h(english.replace("(CUR)", "(<CUR>)"))
        header.append(roles[role])

    if len(shape.name) % 2:  # some exports start with the window, others end with it
        add("starts", "Reporting starts")
        add("ends", "Reporting ends")
    if shape.accounts == "column":
        add("account", "Account name")
    for name in names:
        tab, plain, ident = entity_header[name]
        add(name, tab if shape.tabs else plain)
        if shape.ids:
            add(f"{name}_id", ident)
    if daily:
        add("day", "Day")
    for dim in {
        "age_gender": ("Age", "Gender"),
        "placement": ("Platform", "Placement"),
        "region": ("Region",),
        "country": ("Country",),
        "none": (),
    }[breakdown]:
        add(dim.lower().replace("platform", "publisher_platform"), dim)
    add("status", "Delivery status")
    if shape.level != "account":
        add("level", "Delivery level")
    add("attribution", "Attribution setting")
    has_results = shape.objective != "mixed" or shape.level != "account"
    if has_results:
        add("result_type", "Result indicator" if shape.indicator else "Result type")
        add("results", "Results")
        add("cost_per_result", "Cost per results" if shape.indicator else "Cost per result")
    add("spend", "Amount spent (CUR)")
    add("impressions", "Impressions")
    add("reach", "Reach")
    add("clicks", "Clicks (all)")
    add("link_clicks", "Link clicks")
    sales = shape.objective in ("sales", "mixed")
    count_header, value_header = PURCHASE_COLUMNS[shape.family] if sales else (None, None)
    if count_header:
        add("purchases", count_header)
    if value_header:
        add("roas" if shape.family == "roas" else "value", value_header)
    if shape.objective == "traffic":
        pass  # a traffic account exports no purchase column at all
    header.append("* Custom CPL")
    if "starts" not in roles:
        add("starts", "Reporting starts")
        add("ends", "Reporting ends")

    result_types = {}
    lines = []
    for row in rows:
        cells = dict.fromkeys(header, "")
        span = (min(r.start for r in rows), max(r.end for r in rows)) if shape.range_window else (row.start, row.end)
        cells[roles["starts"]] = span[0].strftime(date_format)
        cells[roles["ends"]] = span[1].strftime(date_format)
        if "account" in roles:
            cells[roles["account"]] = row.account
        for name in names:
            cells[roles[name]] = getattr(row, name)
            if shape.ids:
                cells[roles[f"{name}_id"]] = _stable_id(row.account, row.ident, name)
        if daily:
            cells[roles["day"]] = row.day.strftime(date_format)
        for dim, text in row.dims.items():
            cells[roles[dim]] = v("gender", text.title()) if dim == "gender" and shape.lang != "en" else text
        cells[roles["status"]] = "active"
        if "level" in roles:
            cells[roles["level"]] = v("level", {"ad": "ad", "adset": "ad set", "campaign": "campaign"}[shape.level])
        cells[roles["attribution"]] = v("attribution_setting", row.attribution)
        if has_results and row.results:
            english = RESULT_TYPES[row.objective]
            # A result type is written as the UI names that metric (`Prospects` for Leads in French).
            written = (
                INDICATORS[english]
                if shape.indicator
                else values.get("result_type", {}).get(english, local.get(english, english))
            )
            # An indicator's action code reads as the name Ads Manager shows for it (meta_ads.RESULT_ACTIONS).
            result_types[written] = english
            cells[roles["result_type"]] = written
            cells[roles["results"]] = count(row.results)
            cells[roles["cost_per_result"]] = money(round(row.spend / row.results))
        cells[roles["spend"]] = money(row.spend)
        cells[roles["impressions"]] = count(row.impressions)
        cells[roles["reach"]] = count(row.reach)
        cells[roles["clicks"]] = count(row.clicks)
        cells[roles["link_clicks"]] = count(row.link_clicks) if row.link_clicks or shape.zeros else ""
        if "purchases" in roles and (row.purchases or shape.zeros):
            cells[roles["purchases"]] = count(row.purchases)
        if "value" in roles and (row.value or shape.zeros):
            cells[roles["value"]] = money(row.value)
        if "roas" in roles and row.value and row.spend:
            roas = f"{row.value / row.spend:.6f}"
            cells[roles["roas"]] = roas.replace(".", ",") if comma else roas
        cells["* Custom CPL"] = "-"
        lines.append(cells)
    rng.shuffle(lines)
    if shape.totals and lines:
        total = dict.fromkeys(header, "")
        total[roles["starts"]] = min(r.start for r in rows).strftime(date_format)
        total[roles["ends"]] = max(r.end for r in rows).strftime(date_format)
        total[roles["spend"]] = money(sum(r.spend for r in rows))
        total[roles["impressions"]] = count(sum(r.impressions for r in rows))
        total[roles["link_clicks"]] = count(sum(r.link_clicks for r in rows))
        if "purchases" in roles:
            total[roles["purchases"]] = count(sum(r.purchases for r in rows))
        lines.insert(0, total)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if shape.bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, quoting=csv.QUOTE_MINIMAL)
        handle.write(",".join(f'"{name}"' if " " in name or "(" in name else name for name in header) + "\r\n")
        writer.writerows(lines)
    return FileSpec(path, "meta", roles, comma, date_format, account_folder, breakdown, result_types, level=shape.level)


def _stable_id(account: str, ident: str, level: str) -> str:
    """An Ads Manager-like numeric ID for the entity at `level` of the ad at `ident`."""
    text = f"{account}|{ident[: {'campaign': 1, 'adset': 2, 'ad': 3}[level]]}|{level}"
    return str(120200000000000000 + sum(ord(ch) * 31 ** (i % 7) for i, ch in enumerate(text)) % 10**9)


def _write_orders(path: Path, rng: random.Random, currency: str) -> FileSpec:
    """A Shopify orders export: one row per line item, order fields on each order's first row only."""
    header = [
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Fulfillment Status",
        "Currency",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Discount Amount",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Billing Name",
        "Cancelled at",
        "Refunded Amount",
        "Id",
    ]
    lines = []
    for n in range(60):
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        created = f"{day.isoformat()} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 -0400"
        items = [rng.randint(2000, 9000) for _ in range(rng.randint(1, 3))]
        subtotal = sum(items)
        shipping = rng.choice((0, 500))
        total = subtotal + shipping
        status = rng.choice(("paid", "paid", "paid", "partially_refunded", "refunded", "voided"))
        refunded = {"partially_refunded": items[0], "refunded": total}.get(status, 0)
        cancelled = created if status == "voided" or rng.random() < 0.05 else ""
        for i, price in enumerate(items):
            first = i == 0
            lines.append(
                [
                    f"#{1001 + n}",
                    f"c{n % 40}@example.com" if first else "",
                    status if first else "",
                    created if first else "",
                    "fulfilled" if first else "",
                    currency if first else "",
                    _money(subtotal, False) if first else "",
                    _money(shipping, False) if first else "",
                    "0.00" if first else "",
                    _money(total, False) if first else "",
                    "0.00" if first else "",
                    created,
                    "1",
                    f"Item {i}",
                    _money(price, False),
                    f"Name {n}" if first else "",
                    cancelled if first else "",
                    _money(refunded, False) if first else "",
                    str(5000 + n) if first else "",
                ]
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(lines)
    return FileSpec(path, "orders")


def _write_analytics(path: Path, rng: random.Random) -> FileSpec:
    """A Shopify Analytics `Total sales over time` report, daily."""
    header = ["Day", "Orders", "Gross sales", "Discounts", "Returns", "Net sales", "Shipping", "Taxes", "Total sales"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for d in range(DAYS):
            orders = rng.randint(0, 6)
            gross = sum(rng.randint(2000, 9000) for _ in range(orders))
            returns = -rng.choice((0, 0, 1500)) if gross else 0
            writer.writerow(
                [
                    (START + dt.timedelta(days=d)).isoformat(),
                    orders,
                    _money(gross, False),
                    "0.00",
                    _money(returns, False),
                    _money(gross + returns, False),
                    "0.00",
                    "0.00",
                    _money(gross + returns, False),
                ]
            )
    return FileSpec(path, "analytics")


def write_folder(shape: Shape, raw: Path, seed: int = 7) -> list[FileSpec]:
    """Every export of one shape written under `raw` (data/raw/ of a project)."""
    rng = random.Random(seed)
    accounts = ("acme_store", "beta_shop") if shape.accounts in ("folders", "column") else ("acme_store",)
    specs = []
    for n, account in enumerate(accounts):
        folder = raw / account if shape.accounts == "folders" else raw
        days = _ad_days(shape, account, seed * 10 + n)
        suffix = f"_{account}" if shape.accounts == "column" else ""
        windows = WINDOWS if shape.grain == "window" else (None,)
        if shape.nested:
            windows = ((START, START + dt.timedelta(days=DAYS - 1)), WINDOWS[1])
        if not shape.meta:
            windows = ()
        for level in shape.coarser:
            coarse = Shape(**{**shape.__dict__, "level": level, "coarser": (), "breakdowns": ()})
            for w, window in enumerate(WINDOWS if shape.grain == "window" else (None,)):
                specs.append(
                    _write_meta(
                        coarse,
                        _roll(days, level, window),
                        folder / f"Meta-Ads-{level}-level{w}{suffix}.csv",
                        "none",
                        account if shape.accounts == "folders" else None,
                        rng,
                    )
                )
        if shape.account_breakdown:
            whole = Shape(**{**shape.__dict__, "level": "account", "account_breakdown": False})
            for w, window in enumerate(WINDOWS if shape.grain == "window" else (None,)):
                specs.append(
                    _write_meta(
                        whole,
                        _broken_down(_roll(days, "account", window), "age_gender", rng),
                        folder / f"Meta-Ads-account-age-gender{w}{suffix}.csv",
                        "age_gender",
                        account if shape.accounts == "folders" else None,
                        rng,
                    )
                )
        if shape.lifetime:
            lifetime = Shape(**{**shape.__dict__, "grain": "window", "lifetime": False, "totals": True})
            specs.append(
                _write_meta(
                    lifetime,
                    _roll(days, shape.level, (START, START + dt.timedelta(days=DAYS - 1))),
                    folder / f"Meta-Ads-lifetime{suffix}.csv",
                    "none",
                    account if shape.accounts == "folders" else None,
                    rng,
                )
            )
        if shape.overlap:  # days 0-13 exported, then days 7-20 re-exported with late purchases on days 7-13
            first = [r for r in days if r.day <= START + dt.timedelta(days=13)]
            later = [
                _revised(r) if r.day <= START + dt.timedelta(days=13) else r
                for r in days
                if r.day >= START + dt.timedelta(days=7)
            ]
            for part, rows in (("a", first), ("b", later)):
                specs.append(
                    _write_meta(
                        shape,
                        _roll(rows, shape.level, None),
                        folder / f"Meta-Ads-{shape.level}-export-{part}{suffix}.csv",
                        "none",
                        account if shape.accounts == "folders" else None,
                        rng,
                    )
                )
            windows = ()
        if shape.others:
            specs.append(
                _write_google(
                    folder / f"Campaign performance{suffix}.csv",
                    shape,
                    account if shape.accounts == "folders" else None,
                    rng,
                )
            )
            specs.append(
                _write_pinterest(
                    days,
                    folder / f"pinterest_report{suffix}.csv",
                    account if shape.accounts == "folders" else None,
                    rng,
                )
            )
        for w, window in enumerate(windows):
            rows = _roll(days, shape.level, window)
            tag = f"{shape.level}_{shape.grain}{'_w' + str(w) if window else ''}{suffix}"
            if not shape.breakdown_only:
                specs.append(
                    _write_meta(
                        shape,
                        rows,
                        folder / f"Meta-Ads-{tag}.csv",
                        "none",
                        account if shape.accounts == "folders" else None,
                        rng,
                    )
                )
            for breakdown in shape.breakdowns:
                specs.append(
                    _write_meta(
                        shape,
                        _broken_down(rows, breakdown, rng),
                        folder / f"Meta-Ads-{tag}-{breakdown}.csv",
                        breakdown,
                        account if shape.accounts == "folders" else None,
                        rng,
                    )
                )
    if shape.accounts == "column":  # both accounts' rows in each file of one export: merge the pairs
        specs = _merge_account_files(specs)
    if shape.store == "orders":
        specs.append(_write_orders(raw / "orders_export_1.csv", rng, shape.currency))
    elif shape.store == "analytics":
        specs.append(_write_analytics(raw / "Total sales over time - 2026.csv", rng))
    return specs


def _revised(row: Row) -> Row:
    """The row as a later export gives it: one more purchase (late attribution) on rows with link clicks."""
    extra = 1 if row.objective == "sales" and row.link_clicks else 0
    return Row(
        row.account,
        row.campaign,
        row.adset,
        row.ad,
        row.objective,
        row.day,
        row.start,
        row.end,
        row.attribution,
        row.spend,
        row.impressions,
        row.reach,
        row.clicks,
        row.link_clicks,
        row.results + extra,
        row.purchases + extra,
        row.value + 4321 * extra,
        dict(row.dims),
        row.ident,
    )


def _write_google(path: Path, shape: Shape, account: str | None, rng: random.Random) -> FileSpec:
    """A Google Ads campaign report: title lines, `1,790` impressions, `1.61%` CTR, fractional conversions."""
    header = [
        "Campaign type",
        "Campaign",
        "Day",
        "Currency code",
        "Cost",
        "Clicks",
        "Impr.",
        "CTR",
        "Avg. CPC",
        "Conversions",
        "Conv. rate",
        "Conv. value",
        "Cost / conv.",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Campaign performance\n1 October 2026 - 31 October 2026\n")
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(2):
            for d in range(DAYS):
                clicks, impressions = rng.randint(0, 90), rng.randint(900, 7000)
                cost = rng.randint(0, 9000)
                # In hundredths: data-driven attribution splits a conversion's credit.
                conversions = rng.choice((0, 0, 50, 100, 133, 200) if shape.fractional else (0, 0, 100, 200))
                value = conversions * rng.randint(40, 90)
                writer.writerow(
                    [
                        "Search" if n == 0 else "Performance Max",
                        f"G_Campaign_{n}",
                        (START + dt.timedelta(days=d)).isoformat(),
                        shape.currency,
                        _money(cost, False),
                        clicks,
                        f"{impressions:,}",
                        f"{clicks / impressions:.2%}",
                        _money(cost // clicks, False) if clicks else "0",
                        f"{conversions / 100:.2f}",
                        f"{conversions / 100 / clicks:.2%}" if clicks else "0.00%",
                        _money(value, False),
                        _money(round(cost * 100 / conversions), False) if conversions else "0",
                    ]
                )
    roles = {
        "campaign": "Campaign",
        "day": "Day",
        "spend": "Cost",
        "impressions": "Impr.",
        "link_clicks": "Clicks",
        "purchases": "Conversions",
        "value": "Conv. value",
    }
    return FileSpec(path, "google", roles, account=account, skip=2)


def _write_pinterest(days: list[Row], path: Path, account: str | None, rng: random.Random) -> FileSpec:
    """A Pinterest Ads ad-level daily report (checkout conversions are the purchases)."""
    header = [
        "Date",
        "Campaign name",
        "Ad group name",
        "Ad name",
        "Ad entity status",
        "Ad ID",
        "Spend in account currency",
        "Impressions",
        "Reach",
        "Frequency",
        "CPM",
        "Result",
        "Cost per result",
        "Pin clicks",
        "CTR",
        "Outbound clicks",
        "Total conversions (Checkout)",
        "Total order value (Checkout)",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for d in range(DAYS):
            impressions = rng.randint(10, 900)
            reach = impressions * 9 // 10
            outbound = rng.randint(0, 9)
            conversions = rng.choice((0, 0, 0, 1))
            spend = rng.randint(10, 2000)
            writer.writerow(
                [
                    (START + dt.timedelta(days=d)).isoformat(),
                    "Sales Campaign | 2026-10",
                    "Sales Ad group",
                    "Sales Ad | Autumn",
                    "ACTIVE",
                    "PP687311495517",
                    _money(spend, False),
                    impressions,
                    reach,
                    impressions / reach,
                    spend * 10 / impressions,
                    f"[{conversions}]",
                    f"[{spend / 100}]",
                    outbound + 2,
                    (outbound + 2) / impressions,
                    outbound,
                    conversions,
                    f"{conversions * rng.randint(50, 200)}.00",
                ]
            )
    roles = {
        "campaign": "Campaign name",
        "adset": "Ad group name",
        "ad": "Ad name",
        "day": "Date",
        "spend": "Spend in account currency",
        "impressions": "Impressions",
        "link_clicks": "Outbound clicks",
        "purchases": "Total conversions (Checkout)",
        "value": "Total order value (Checkout)",
    }
    return FileSpec(path, "pinterest", roles, account=account)


def _merge_account_files(specs: list[FileSpec]) -> list[FileSpec]:
    """The per-account files of an `Account name` column export appended into one file per view."""
    merged: dict[str, FileSpec] = {}
    for spec in specs:
        name = spec.path.name.replace("_acme_store", "").replace("_beta_shop", "")
        target = spec.path.with_name(name)
        with spec.path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        spec.path.unlink()
        if name not in merged:
            with target.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
            merged[name] = FileSpec(
                target,
                spec.kind,
                spec.roles,
                spec.decimal_comma,
                spec.date_format,
                None,
                spec.breakdown,
                dict(spec.result_types),
            )
        else:
            at = rows[0].index(spec.roles["account"])
            body = [row for row in rows[1:] if row[at]]  # one totals row per file at most
            with target.open("a", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(body)
            merged[name].result_types.update(spec.result_types)
    return list(merged.values())


# ------------------------------------------------------------------ the expected side, csv only


def _body(spec: FileSpec) -> list[dict[str, str]]:
    """The data rows of a file: its totals row (no name; no day in an account-level export) left out."""
    rows = _read(spec.path, spec.skip)
    r = spec.roles
    name_roles = [role for role in ("account", "campaign", "adset", "ad") if role in r]
    if name_roles:
        return [row for row in rows if any(row[r[n]] for n in name_roles)]
    return [row for row in rows if "day" not in r or row[r["day"]]]


def _where(spec: FileSpec, row: dict[str, str]) -> tuple:
    """(platform, account, day or window, campaign) of a row: the grain at which the finest level is chosen."""
    r = spec.roles
    return (
        spec.kind,
        spec.account or row.get(r.get("account", ""), ""),
        *[row[r[k]] for k in ("day", "starts", "ends") if k in r and (k != "starts" or "day" not in r)],
        row.get(r.get("campaign", ""), ""),
    )


def _latest_rows(specs: list[FileSpec]) -> list[tuple[FileSpec, list[dict[str, str]]]]:
    """Each file's rows minus those a file whose reporting window ends later also has (a re-export wins).

    A row's identity: account, day or window, the entity (IDs when exported, else names), breakdown values,
    attribution setting. Rows of one file sharing it are all kept (they are summed).
    """
    bodies = [(spec, _body(spec)) for spec in specs]

    def identity(spec: FileSpec, row: dict[str, str]) -> tuple:
        r = spec.roles
        parts = [spec.kind, spec.account or row.get(r.get("account", ""), "")]
        parts += [row[r[k]] for k in ("day", "starts", "ends") if k in r]
        for level in ("campaign", "adset", "ad"):
            parts.append(row[r[f"{level}_id"]] if f"{level}_id" in r else row.get(r.get(level, ""), ""))
        parts += [
            row[r[k]]
            for k in ("age", "gender", "publisher_platform", "placement", "region", "country", "attribution")
            if k in r
        ]
        return tuple(parts)

    def end(spec: FileSpec, rows: list[dict[str, str]]) -> str:
        key = spec.roles.get("ends") or spec.roles.get("day")
        return max((dt.datetime.strptime(row[key], spec.date_format).date().isoformat() for row in rows), default="")

    owner: dict[tuple, tuple[str, int]] = {}
    for n, (spec, rows) in enumerate(bodies):
        rank = (end(spec, rows), n)
        for row in rows:
            key = identity(spec, row)
            owner[key] = max(owner.get(key, rank), rank)
    return [
        (spec, [row for row in rows if owner[identity(spec, row)] == (end(spec, rows), n)])
        for n, (spec, rows) in enumerate(bodies)
    ]


def _number(text: str, comma: bool) -> Decimal | None:
    text = text.strip()
    if text in ("", "-"):
        return None
    text = text.replace("\u00a0", "").replace(" ", "")
    return Decimal(text.replace(".", "").replace(",", ".") if comma else text.replace(",", ""))


def _read(path: Path, skip: int = 0) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for _ in range(skip):
            handle.readline()
        return list(csv.DictReader(handle))


def expected(specs: list[FileSpec]) -> dict:
    """Sums per (account, period): period = ISO week `YYYY-Www` of daily rows, `start..end` of window rows.

    Totals from one view only: the un-broken-down files where present, else the first breakdown by name
    (they all describe the same spend). Totals rows (no name, no day) are left out. A purchases or value
    column blank in every row is unknown (None), else blanks are 0; no such column is unknown too.
    """
    ads = [s for s in specs if s.kind == "meta"]
    views = sorted({s.breakdown for s in ads}, key=lambda b: "" if b == "none" else b)
    chosen = [s for s in ads if views and s.breakdown == views[0]]
    chosen += [s for s in specs if s.kind in ("google", "pinterest")]
    out: dict = {}
    latest = _latest_rows(chosen)
    # Per (account, day or window, campaign) only the finest level exported counts: an ad-level and a
    # campaign-level export of the same days describe the same spend; an account-level row (no campaign)
    # describes all campaigns, so it counts only when nothing finer was exported for that day.
    rank = {"account": 0, "campaign": 1, "adset": 2, "ad": 3}
    finest: dict[tuple, int] = {}
    for spec, rows in latest:
        for row in rows:
            where = _where(spec, row)
            for key in (where, where[:-1]):
                finest[key] = max(finest.get(key, -1), rank[spec.level])

    def counted(spec: FileSpec, row: dict[str, str]) -> bool:
        where = _where(spec, row)
        return finest[where] == rank[spec.level] and (spec.level != "account" or finest[where[:-1]] == 0)

    for spec, rows in latest:
        r = spec.roles
        body = [row for row in rows if counted(spec, row)]
        # Whether a column holds data is a property of the whole file (re-exported rows included).
        column_known = {
            role: any(_number(row[r[role]], spec.decimal_comma) is not None for row in _body(spec))
            for role in ("purchases", "value", "roas", "results")
            if role in r
        }
        for row in body:
            account = row[r["account"]] if "account" in r else spec.account or "default"
            if "day" in r or row[r["starts"]] == row[r["ends"]]:  # a day (daily exports carry their window too)
                day = dt.datetime.strptime(row[r["day"] if "day" in r else r["starts"]], spec.date_format).date()
                period = "{}-W{:02d}".format(*day.isocalendar()[:2])
            else:
                period = "{}..{}".format(
                    *(dt.datetime.strptime(row[r[k]], spec.date_format).date().isoformat() for k in ("starts", "ends"))
                )
            sums = out.setdefault(
                (account, period),
                {
                    "spend": Decimal(0),
                    "impressions": Decimal(0),
                    "link_clicks": Decimal(0),
                    "purchases": None,
                    "purchase_value": None,
                    "results": {},
                },
            )

            def num(
                role: str, row: dict[str, str] = row, r: dict[str, str] = r, comma: bool = spec.decimal_comma
            ) -> Decimal:
                return _number(row[r[role]], comma) or Decimal(0)

            for role in ("spend", "impressions", "link_clicks"):
                sums[role] += num(role)
            rtype = spec.result_types.get(row[r["result_type"]], row[r["result_type"]]) if "result_type" in r else ""
            if spec.kind == "google":  # `1,790` impressions
                sums["impressions"] += Decimal(row[r["impressions"]].replace(",", "")) - num("impressions")
            if "purchases" in r and column_known["purchases"]:
                sums["purchases"] = (sums["purchases"] or 0) + num("purchases")
            elif "purchases" not in r and rtype and "purchase" in rtype.lower():
                sums["purchases"] = (sums["purchases"] or 0) + num("results")
            if "value" in r and column_known["value"]:
                sums["purchase_value"] = (sums["purchase_value"] or 0) + num("value")
            elif "roas" in r and column_known["roas"]:
                value = (num("roas") * num("spend")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
                sums["purchase_value"] = (sums["purchase_value"] or 0) + value
            if rtype:
                sums["results"][rtype] = sums["results"].get(rtype, 0) + num("results")
    for spec in specs:
        if spec.kind == "orders":
            first = {}
            for row in _read(spec.path):
                if row["Total"] and row["Name"] not in first:
                    first[row["Name"]] = row
            for row in first.values():
                if row["Cancelled at"] or row["Financial Status"] == "voided":
                    continue
                day = dt.date.fromisoformat(row["Created at"][:10])
                store = out.setdefault(
                    ("store", "{}-W{:02d}".format(*day.isocalendar()[:2])), {"orders": 0, "revenue": Decimal(0)}
                )
                store["orders"] += 1
                store["revenue"] += Decimal(row["Total"]) - Decimal(row["Refunded Amount"] or 0)
        elif spec.kind == "analytics":
            for row in _read(spec.path):
                day = dt.date.fromisoformat(row["Day"])
                store = out.setdefault(
                    ("store", "{}-W{:02d}".format(*day.isocalendar()[:2])), {"orders": 0, "revenue": Decimal(0)}
                )
                store["orders"] += int(row["Orders"])
                store["revenue"] += Decimal(row["Total sales"])
    return out


SHAPES = (
    Shape("ad_daily_en_purchases", totals=True, bom=True, ids=True, breakdowns=("age_gender",), store="orders"),
    Shape("adset_daily_website", level="adset", family="website", breakdowns=("placement",)),
    Shape("campaign_daily_roas", level="campaign", family="roas", totals=True),
    Shape("account_daily_meta", level="account", family="meta", store="analytics"),
    Shape("ad_window_inapp", grain="window", family="inapp", totals=True, ids=True),
    Shape("campaign_window_offline", level="campaign", grain="window", family="offline", breakdowns=("region",)),
    Shape("ad_daily_shared_tabs", family="shared", tabs=True, ids=True),
    Shape("ad_daily_results_only", family="results", bom=True),
    Shape("ad_daily_leads", objective="leads", breakdowns=("age_gender", "country"), totals=True),
    Shape("adset_window_messaging", level="adset", grain="window", objective="messaging"),
    Shape("campaign_daily_traffic", level="campaign", objective="traffic", store="orders"),
    Shape("ad_daily_mixed", objective="mixed", ids=True, totals=True),
    Shape("ad_daily_fr", lang="fr", breakdowns=("age_gender",), bom=True),
    Shape("adset_daily_de_leads", level="adset", lang="de", objective="leads", totals=True),
    Shape("ad_window_es", grain="window", lang="es", family="website"),
    Shape("campaign_daily_pt_mixed", level="campaign", lang="pt", objective="mixed"),
    Shape("ad_breakdown_only_age", breakdowns=("age_gender",), breakdown_only=True),
    Shape("account_breakdown_only_country", level="account", breakdowns=("country",), breakdown_only=True),
    Shape("ad_daily_two_folders", accounts="folders", store="orders", totals=True),
    Shape("adset_daily_two_columns", level="adset", accounts="column", ids=True),
    Shape("ad_daily_noday", grain="daily_noday", family="website"),
    Shape("ad_window_two_folders_ids", grain="window", accounts="folders", ids=True, tabs=True),
    Shape("ad_daily_overlap", overlap=True, totals=True, store="orders"),
    Shape("ad_daily_overlap_ids_dupnames", overlap=True, ids=True, dup_names=True),
    Shape("ad_daily_dupnames_no_ids", dup_names=True, breakdowns=("age_gender",)),
    Shape("ad_daily_with_google_pinterest", others=True, store="orders", bom=True),
    Shape("campaign_daily_two_folders_others", level="campaign", accounts="folders", others=True, objective="mixed"),
    Shape("ad_daily_de_overlap_placement", lang="de", overlap=True, ids=True),
    Shape("adset_daily_it", level="adset", lang="it", family="website", breakdowns=("age_gender",), totals=True),
    Shape("ad_daily_nl_leads", lang="nl", objective="leads"),
    Shape("campaign_window_pl", level="campaign", grain="window", lang="pl"),
    Shape("ad_daily_id_idr", lang="id", currency="IDR", family="website"),
    Shape("ad_daily_tr", lang="tr", breakdowns=("country",)),
    Shape("campaign_daily_ru_leads", level="campaign", lang="ru", objective="leads"),
    Shape("campaign_window_en_thousands", level="campaign", grain="window", thousands=True, totals=True),
    Shape("campaign_window_de_thousands", level="campaign", grain="window", lang="de", thousands=True),
    Shape("campaign_window_fr_thousands", level="campaign", grain="window", lang="fr", thousands=True, bom=True),
    Shape("adset_daily_es_thousands", level="adset", lang="es", thousands=True, family="website"),
    Shape("ad_daily_indicator_results_only", indicator=True, family="results", objective="mixed"),
    Shape("ad_window_nested_roas", grain="window", nested=True, family="roas", ids=True),
    Shape("ad_daily_range_window_zeros", range_window=True, zeros=True, totals=True, breakdowns=("placement",)),
    Shape(
        "account_window_breakdown_only_age",
        level="account",
        grain="window",
        breakdowns=("age_gender",),
        breakdown_only=True,
        lang="it",
    ),
    Shape("ad_window_breakdowns_plus_account_age", grain="window", breakdowns=("placement",), account_breakdown=True),
    Shape(
        "adset_daily_two_columns_fr_totals",
        level="adset",
        accounts="column",
        lang="fr",
        ids=True,
        breakdowns=("region",),
    ),
    Shape("ad_daily_id_thousands", lang="id", currency="IDR", thousands=True, totals=True),
    Shape("ad_daily_noday_totals_leads", grain="daily_noday", objective="leads", totals=True, ids=True),
    Shape(
        "campaign_daily_two_folders_column",
        level="campaign",
        accounts="folders",
        coarser=("account",),
        objective="messaging",
    ),
    Shape("ad_daily_fr_leads_messaging_mixed", lang="fr", objective="leads", coarser=("campaign",)),
    Shape("adset_window_ru_messaging", level="adset", grain="window", lang="ru", objective="messaging"),
    Shape("google_and_pinterest_only", meta=False, others=True, store="analytics"),
    Shape("store_only_orders", meta=False, store="orders"),
    Shape("ad_daily_and_lifetime", lifetime=True, store="orders", objective="mixed"),
    Shape("ad_daily_plus_campaign_and_account_level", coarser=("campaign", "account"), ids=True),
    Shape("ad_daily_plus_account_age_gender", account_breakdown=True, store="orders"),
    Shape("ad_window_plus_account_level", grain="window", coarser=("account",), family="website"),
    Shape("adset_daily_plus_campaign_level_fr", level="adset", lang="fr", coarser=("campaign",), totals=True),
    Shape("store_only_analytics", meta=False, store="analytics"),
)


def expected_breakdowns(specs: list[FileSpec]) -> dict[tuple[str, str], dict[str, Decimal]]:
    """Spend and impressions per (breakdown, ISO week or window) of the breakdown files, summed with csv.

    Each breakdown export describes all the spend again, so it is summed on its own, never with another.
    """
    out: dict[tuple[str, str], dict[str, Decimal]] = {}
    for spec in specs:
        if spec.kind != "meta" or spec.breakdown == "none":
            continue
        r = spec.roles
        for row in _body(spec):
            if "day" in r or row[r["starts"]] == row[r["ends"]]:
                day = dt.datetime.strptime(row[r["day"] if "day" in r else r["starts"]], spec.date_format).date()
                period = "{}-W{:02d}".format(*day.isocalendar()[:2])
            else:
                period = "{}..{}".format(
                    *(dt.datetime.strptime(row[r[k]], spec.date_format).date().isoformat() for k in ("starts", "ends"))
                )
            sums = out.setdefault((spec.breakdown, period), {"spend": Decimal(0), "impressions": Decimal(0)})
            for role in sums:
                sums[role] += _number(row[r[role]], spec.decimal_comma) or Decimal(0)
    return out
