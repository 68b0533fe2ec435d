"""The Shopify admin products export of the demo store: one row per variant with its `Cost per item`.

The classic 48-column export, as Shopify writes it: a product's first row carries its title, description,
vendor and first image; its later variant rows leave them empty and share its `Handle`; a second image of a
product follows on a row of its own. Most variants have a cost (28-42% of the price by product); a few products
have none, as in stores that never filled the field in, so their sales are costed at the margin setting.
"""

from __future__ import annotations

import re

import polars as pl

from adlab.demo.money import USD, Currency
from adlab.demo.store import PRODUCTS, variant_catalog
from adlab.demo.text import money

PRODUCTS_FILE = "products_export.csv"

SHOPIFY_PRODUCTS_HEADER: tuple[str, ...] = (
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Gift Card",
    "SEO Title",
    "SEO Description",
    "Google Shopping / Google Product Category",
    "Google Shopping / Gender",
    "Google Shopping / Age Group",
    "Google Shopping / MPN",
    "Google Shopping / AdWords Grouping",
    "Google Shopping / AdWords Labels",
    "Google Shopping / Condition",
    "Google Shopping / Custom Product",
    "Google Shopping / Custom Label 0",
    "Google Shopping / Custom Label 1",
    "Google Shopping / Custom Label 2",
    "Google Shopping / Custom Label 3",
    "Google Shopping / Custom Label 4",
    "Variant Image",
    "Variant Weight Unit",
    "Variant Tax Code",
    "Cost per item",
    "Status",
)
# Products whose `Cost per item` was never filled in (their SKU codes).
NO_COST = ("SSM", "TRS", "CWB")
# Products shown with a second image on a row of its own.
SECOND_IMAGE = ("LWD", "WOS", "RPJ")
CDN = "https://cdn.shopify.com/s/files/1/0000/0001/products"


def unit_cost_share(index: int) -> float:
    """The demo's cost of goods as a share of a product's price: 28% to 42%, by product."""
    return 0.28 + 0.02 * (index % 8)


def _handle(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def products_export_rows(currency: Currency = USD) -> pl.DataFrame:
    """The products export as text columns in `SHOPIFY_PRODUCTS_HEADER` order, one row per variant (and a row
    per extra image), prices and costs in `currency`."""
    catalog = variant_catalog(currency)
    rows: list[dict[str, str | int | None]] = []
    for index, (title, code, _unit, _was, brand, sized, colours, _popularity) in enumerate(PRODUCTS):
        handle = _handle(title)
        variants = [i for i, product in enumerate(catalog["product"]) if product == index]
        for position, variant in enumerate(variants):
            sku = str(catalog["sku"][variant])
            parts = sku.split("-")[2:]  # LL-<code>-<colour>-<size>
            colour = next((c for c in colours if c[:3].upper() == parts[0]), None) if colours else None
            size = parts[-1] if (sized or code == "LBT") and parts else None
            options = [(name, value) for name, value in (("Color", colour), ("Size", size)) if value]
            if not options:
                options = [("Title", "Default Title")]
            price = int(catalog["price"][variant])
            compare = int(catalog["compare"][variant])
            first = position == 0
            row: dict[str, str | int | None] = dict.fromkeys(SHOPIFY_PRODUCTS_HEADER)
            row.update(
                {
                    "Handle": handle,
                    "Variant SKU": sku,
                    "Variant Grams": "0",
                    "Variant Inventory Tracker": "shopify",
                    "Variant Inventory Qty": str(10 + (index * 7 + position * 3) % 40),
                    "Variant Inventory Policy": "deny",
                    "Variant Fulfillment Service": "manual",
                    "Variant Price": price,
                    "Variant Compare At Price": compare if compare > 0 else None,
                    "Variant Requires Shipping": "true",
                    "Variant Taxable": "true",
                    "Variant Weight Unit": "kg",
                    "Cost per item": None if code in NO_COST else round(price * unit_cost_share(index)),
                }
            )
            for number, (name, value) in enumerate(options, start=1):
                row[f"Option{number} Name"] = name if first else None
                row[f"Option{number} Value"] = value
            if first:
                row.update(
                    {
                        "Title": title,
                        "Body (HTML)": f"<p>{title} by {brand}.</p>",
                        "Vendor": brand,
                        "Type": "Accessories" if not sized else "Apparel",
                        "Tags": code.lower(),
                        "Published": "true",
                        "Image Src": f"{CDN}/{handle}-1.jpg",
                        "Image Position": "1",
                        "Gift Card": "false",
                        "Status": "active",
                    }
                )
            rows.append(row)
        if code in SECOND_IMAGE:
            image: dict[str, str | int | None] = dict.fromkeys(SHOPIFY_PRODUCTS_HEADER)
            image.update({"Handle": handle, "Image Src": f"{CDN}/{handle}-2.jpg", "Image Position": "2"})
            rows.append(image)
    amounts = ("Variant Price", "Variant Compare At Price", "Cost per item")
    schema = {name: pl.Int64 if name in amounts else pl.String for name in SHOPIFY_PRODUCTS_HEADER}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(money(pl.col(name), currency.decimals) for name in amounts)
