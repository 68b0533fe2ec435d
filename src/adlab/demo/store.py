"""The demo store: its time zone, product catalogue and customers (fake names, e-mails, US addresses, phones)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from adlab.demo.money import USD, Currency

STORE_TZ = "America/New_York"

# The catalogue: (title, SKU code, price, compare-at price or 0, vendor, sized apparel?, colours, popularity).
BRAND = "Linden & Loom"
PRODUCTS: tuple[tuple[str, str, float, float, str, bool, tuple[str, ...], float], ...] = (
    ("Linen Button-Down Shirt", "LBS", 68, 0, BRAND, True, ("White", "Sky Blue", "Olive"), 1.4),
    ("Linen Wrap Dress", "LWD", 98, 0, BRAND, True, ("Sand", "Black", "Terracotta"), 1.1),
    ("Merino Crew Sweater", "MCS", 88, 0, BRAND, True, ("Oatmeal", "Navy", "Charcoal"), 1.0),
    ("Wool Overshirt", "WOS", 128, 0, BRAND, True, ("Camel", "Forest"), 0.4),
    ("Organic Cotton Tee", "OCT", 32, 0, BRAND, True, ("White", "Black", "Heather Grey", "Sage"), 2.2),
    ("Relaxed Chino", "RCH", 78, 0, BRAND, True, ("Khaki", "Navy", "Stone"), 0.9),
    ("High-Rise Straight Jean", "HSJ", 98, 0, BRAND, True, ("Indigo", "Washed Black"), 0.8),
    ("Cashmere Blend Beanie", "CBB", 38, 0, BRAND, False, ("Oatmeal", "Rust", "Black"), 1.0),
    ("Ribbed Wool Socks (3-Pack)", "RWS", 24, 0, BRAND, False, (), 1.3),
    ("Canvas Market Tote", "CMT", 42, 0, BRAND, False, ("Natural", "Black"), 0.8),
    ("Leather Card Holder", "LCH", 45, 0, "Harbor Leather Co.", False, ("Tan", "Black"), 0.6),
    ("Linen Drawstring Pant", "LDP", 72, 96, BRAND, True, ("Sand", "Black"), 0.9),
    ("Summer Linen Shorts", "SLS", 39, 58, BRAND, True, ("Olive", "Sand", "Navy"), 0.9),
    ("Cotton Poplin Midi Skirt", "CPS", 64, 0, BRAND, True, ("Ivory", "Black"), 0.6),
    ("Chunky Knit Cardigan", "CKC", 118, 0, BRAND, True, ("Cream", "Moss"), 0.6),
    ("Quilted Vest", "QVE", 86, 0, BRAND, True, ("Black", "Olive"), 0.5),
    ('Silk Scarf "Meadow"', "SSM", 58, 0, BRAND, False, (), 0.4),
    ("Waffle Knit Henley", "WKH", 54, 0, BRAND, True, ("Bone", "Navy"), 0.9),
    ("Everyday Hoodie", "EHO", 74, 0, BRAND, True, ("Heather Grey", "Black", "Sage"), 1.0),
    ("Recycled Puffer Jacket", "RPJ", 168, 0, BRAND, True, ("Black", "Olive"), 0.4),
    ("Corduroy Bucket Hat", "CBH", 34, 0, BRAND, False, ("Chocolate", "Sage"), 0.6),
    ("Leather Belt", "LBT", 52, 0, "Harbor Leather Co.", True, ("Tan", "Black"), 0.5),
    ("Bamboo Lounge Set", "BLS", 92, 0, BRAND, True, ("Sand", "Slate"), 0.5),
    ("Linen Camp Collar Shirt", "LCC", 62, 78, BRAND, True, ("Rust", "Ivory"), 0.6),
    ("Terry Cloth Polo", "TCP", 48, 64, BRAND, True, ("Cream", "Cobalt"), 0.5),
    ("Alpaca Blend Scarf", "ABS", 48, 0, BRAND, False, ("Camel", "Grey"), 0.6),
    ("Sherpa Fleece Pullover", "SFP", 96, 0, BRAND, True, ("Cream", "Charcoal"), 0.6),
    ("Trail Runner Sock Bundle", "TRS", 18, 0, "Terra Sock Co.", False, (), 0.8),
    ("Wide-Leg Trouser", "WLT", 84, 0, BRAND, True, ("Black", "Stone"), 0.5),
    ("Merino Turtleneck", "MTN", 94, 0, BRAND, True, ("Black", "Oatmeal"), 0.5),
    ("Canvas Weekender Bag", "CWB", 128, 0, BRAND, False, ("Natural",), 0.2),
)
SIZES = ("XS", "S", "M", "L", "XL")
SIZE_WEIGHTS = (0.08, 0.25, 0.32, 0.25, 0.10)

PLAIN_FIRST_NAMES = (
    "Olivia",
    "Emma",
    "Charlotte",
    "Amelia",
    "Sophia",
    "Isabella",
    "Ava",
    "Mia",
    "Evelyn",
    "Harper",
    "Luna",
    "Camila",
    "Gianna",
    "Elizabeth",
    "Eleanor",
    "Ella",
    "Abigail",
    "Sofia",
    "Avery",
    "Scarlett",
    "Emily",
    "Aria",
    "Penelope",
    "Chloe",
    "Layla",
    "Mila",
    "Nora",
    "Hazel",
    "Madison",
    "Ellie",
    "Lily",
    "Nova",
    "Grace",
    "Violet",
    "Aurora",
    "Riley",
    "Zoey",
    "Willow",
    "Emilia",
    "Stella",
    "Hannah",
    "Natalie",
    "Leah",
    "Maya",
    "Claire",
    "Sarah",
    "Jessica",
    "Ashley",
    "Lauren",
    "Megan",
    "Rachel",
    "Priya",
    "Aisha",
    "Mei",
    "Fatima",
    "Ana",
    "Liam",
    "Noah",
    "Oliver",
    "James",
    "Elijah",
    "William",
    "Henry",
    "Lucas",
    "Benjamin",
    "Theodore",
    "Mateo",
    "Levi",
    "Sebastian",
    "Daniel",
    "Jack",
    "Michael",
    "Alexander",
    "Owen",
    "Asher",
    "Samuel",
    "Ethan",
    "Leo",
    "Jackson",
    "Mason",
    "Ezra",
    "John",
    "Hudson",
    "Luca",
    "Aiden",
    "Joseph",
    "David",
    "Jacob",
    "Logan",
    "Ryan",
    "Nathan",
    "Marcus",
    "Andre",
    "Kenji",
    "Omar",
    "Diego",
    "Raj",
    "Tyler",
    "Brandon",
    "Kevin",
)
# Customer names as written, and as they appear in e-mail addresses.
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    *((name, name.lower()) for name in PLAIN_FIRST_NAMES),
    ("Zoë", "zoe"),
    ("José", "jose"),
    ("Chloé", "chloe"),
    ("Renée", "renee"),
)
PLAIN_LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Patel",
    "Shah",
    "Chen",
    "Wang",
    "Nakamura",
    "Sullivan",
    "Russell",
    "Foster",
    "Bryant",
    "Hayes",
    "Myers",
)
LAST_NAMES: tuple[tuple[str, str], ...] = (
    *((name, name.lower()) for name in PLAIN_LAST_NAMES),
    ("O'Connor", "oconnor"),
    ("Muñoz", "munoz"),
    ("Van der Berg", "vanderberg"),
    ("Smith-Jones", "smithjones"),
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
STREET_NAMES = (
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Main",
    "Highland",
    "Sunset",
    "Jefferson",
    "Lincoln",
    "Franklin",
    "Madison",
    "Willow",
    "Chestnut",
    "Walnut",
    "Spring",
    "Ridge",
    "Church",
    "Mill",
    "River",
    "Prospect",
    "Union",
    "Grove",
    "Meadow",
    "Bay",
    "Harbor",
    "Orchard",
    "Forest",
    "Valley",
    "Summit",
    "Broad",
    "Market",
    "Water",
    "Liberty",
    "Cherry",
    "Magnolia",
)
STREET_SUFFIXES = ("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Pl", "Way", "Terrace")
UNITS = ("Apt 2B", "Apt 4", "Apt 12C", "Unit 5", "Unit 210", "Suite 300", "Apt 3F", "#7", "Apt 1A", "Floor 2")
COMPANIES = ("Bluebird Design Studio", "Hartwell & Co", "Northpoint Consulting", "Saguaro Dental", "Kite Labs Inc.")
# (state code, state name, state tax %, [(city, zip prefix, area code, local tax name, local tax %)], weight)
STATES: tuple[tuple[str, str, float, tuple[tuple[str, str, str, str, float], ...], float], ...] = (
    (
        "NY",
        "New York",
        4.0,
        (
            ("New York", "100", "212", "New York City Tax", 4.5),
            ("Brooklyn", "112", "718", "New York City Tax", 4.5),
            ("Buffalo", "142", "716", "Erie County Tax", 4.75),
        ),
        0.11,
    ),
    (
        "CA",
        "California",
        6.0,
        (
            ("Los Angeles", "900", "213", "Los Angeles County Tax", 3.5),
            ("San Francisco", "941", "415", "San Francisco County Tax", 2.625),
            ("San Diego", "921", "619", "San Diego County Tax", 1.75),
            ("Oakland", "946", "510", "Alameda County Tax", 4.25),
        ),
        0.16,
    ),
    (
        "IL",
        "Illinois",
        6.25,
        (("Chicago", "606", "312", "Chicago City Tax", 4.0), ("Evanston", "602", "847", "Cook County Tax", 3.75)),
        0.05,
    ),
    (
        "TX",
        "Texas",
        6.25,
        (
            ("Houston", "770", "713", "Houston City Tax", 2.0),
            ("Austin", "787", "512", "Austin City Tax", 2.0),
            ("Dallas", "752", "214", "Dallas City Tax", 2.0),
        ),
        0.09,
    ),
    (
        "FL",
        "Florida",
        6.0,
        (
            ("Miami", "331", "305", "Miami-Dade County Tax", 1.0),
            ("Orlando", "328", "407", "Orange County Tax", 0.5),
            ("Tampa", "336", "813", "Hillsborough County Tax", 1.5),
        ),
        0.08,
    ),
    (
        "WA",
        "Washington",
        6.5,
        (("Seattle", "981", "206", "Seattle City Tax", 3.85), ("Spokane", "992", "509", "Spokane City Tax", 2.5)),
        0.04,
    ),
    ("OR", "Oregon", 0.0, (("Portland", "972", "503", "", 0.0),), 0.03),
    ("MA", "Massachusetts", 6.25, (("Boston", "021", "617", "", 0.0), ("Cambridge", "021", "617", "", 0.0)), 0.04),
    (
        "CO",
        "Colorado",
        2.9,
        (("Denver", "802", "303", "Denver City Tax", 5.91), ("Boulder", "803", "303", "Boulder City Tax", 4.985)),
        0.03,
    ),
    ("GA", "Georgia", 4.0, (("Atlanta", "303", "404", "Fulton County Tax", 4.9),), 0.03),
    (
        "PA",
        "Pennsylvania",
        6.0,
        (
            ("Philadelphia", "191", "215", "Philadelphia City Tax", 2.0),
            ("Pittsburgh", "152", "412", "Allegheny County Tax", 1.0),
        ),
        0.04,
    ),
    ("AZ", "Arizona", 5.6, (("Phoenix", "850", "602", "Phoenix City Tax", 3.0),), 0.02),
    ("MN", "Minnesota", 6.875, (("Minneapolis", "554", "612", "Minneapolis City Tax", 1.15),), 0.02),
    ("TN", "Tennessee", 7.0, (("Nashville", "372", "615", "Davidson County Tax", 2.25),), 0.02),
    (
        "NC",
        "North Carolina",
        4.75,
        (("Charlotte", "282", "704", "Mecklenburg County Tax", 2.5), ("Raleigh", "276", "919", "Wake County Tax", 2.5)),
        0.03,
    ),
    ("OH", "Ohio", 5.75, (("Columbus", "432", "614", "Franklin County Tax", 1.75),), 0.03),
    ("MI", "Michigan", 6.0, (("Detroit", "482", "313", "", 0.0), ("Ann Arbor", "481", "734", "", 0.0)), 0.03),
    ("WI", "Wisconsin", 5.0, (("Madison", "537", "608", "Dane County Tax", 0.5),), 0.02),
    ("UT", "Utah", 4.85, (("Salt Lake City", "841", "801", "Salt Lake County Tax", 2.9),), 0.02),
    ("MD", "Maryland", 6.0, (("Baltimore", "212", "410", "", 0.0),), 0.02),
    (
        "VA",
        "Virginia",
        4.3,
        (
            ("Richmond", "232", "804", "Richmond City Tax", 1.0),
            ("Arlington", "222", "703", "Arlington County Tax", 1.0),
        ),
        0.03,
    ),
    ("NJ", "New Jersey", 6.625, (("Jersey City", "073", "201", "", 0.0), ("Hoboken", "070", "201", "", 0.0)), 0.04),
    ("DC", "District of Columbia", 6.0, (("Washington", "200", "202", "", 0.0),), 0.02),
)


def variant_catalog(currency: Currency = USD) -> dict[str, np.ndarray]:
    """Every sellable variant: product index, line item name, SKU, price and compare-at (minor units), weight.

    Prices are whole amounts of `currency`, about the USD list price at the rough rate.
    """
    product, names, skus, price, compare, vendor, weight = [], [], [], [], [], [], []
    for index, (title, code, unit, was, brand, sized, colours, _popularity) in enumerate(PRODUCTS):
        sizes = SIZES if sized else (("S", "M", "L") if code == "LBT" else ("",))
        size_weights = SIZE_WEIGHTS if sized else ((0.3, 0.45, 0.25) if code == "LBT" else (1.0,))
        for colour in colours or ("",):
            for size, size_weight in zip(sizes, size_weights, strict=True):
                variant = " / ".join(part for part in (colour, size) if part)
                product.append(index)
                names.append(f"{title} - {variant}" if variant else title)
                skus.append("-".join(part for part in ("LL", code, colour[:3].upper(), size) if part))
                price.append(round(unit * currency.per_usd) * currency.minor)
                compare.append(round(was * currency.per_usd) * currency.minor)
                vendor.append(brand)
                weight.append(size_weight / max(len(colours), 1))
    return {
        "product": np.array(product),
        "name": np.array(names, dtype=object),
        "sku": np.array(skus, dtype=object),
        "price": np.array(price, dtype=np.int64),
        "compare": np.array(compare, dtype=np.int64),
        "vendor": np.array(vendor, dtype=object),
        "weight": np.array(weight),
    }


def pick_variants(rng: np.random.Generator, catalog: dict[str, np.ndarray], products: np.ndarray) -> np.ndarray:
    """One variant of each given product, sizes and colours weighted."""
    n_products = len(PRODUCTS)
    cumulative = np.zeros_like(catalog["weight"])
    for p in range(n_products):
        mask = catalog["product"] == p
        cumulative[mask] = p + np.cumsum(catalog["weight"][mask]) / catalog["weight"][mask].sum()
    target = products + rng.uniform(0.0, 1.0, len(products)) * (1 - 1e-9)
    return np.searchsorted(cumulative, target, side="left")


def simulate_customers(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Fake but realistic customers: names, unique e-mails, US addresses and phones."""
    cities = [(s, *city) for s, state in enumerate(STATES) for city in state[3]]
    weights = np.array([STATES[s][4] / len(STATES[s][3]) for s, *_ in cities])
    city = rng.choice(len(cities), n, p=weights / weights.sum())
    state = np.array([s for s, *_ in cities])[city]
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)

    def column(values: Sequence[str], index: np.ndarray) -> pl.Series:
        return pick(tuple(values), index)

    frame = pl.DataFrame(
        {
            "customer": np.arange(n, dtype=np.int64),
            "first": column([f for f, _ in FIRST_NAMES], first),
            "last": column([f for f, _ in LAST_NAMES], last),
            "first_ascii": column([a for _, a in FIRST_NAMES], first),
            "last_ascii": column([a for _, a in LAST_NAMES], last),
            "pattern": rng.integers(0, 5, n),
            "n2": rng.integers(1, 99, n),
            "n4": rng.integers(1960, 2006, n),
            "domain": column(EMAIL_DOMAINS, rng.choice(3, n, p=[0.7, 0.18, 0.12])),
            "street_no": rng.integers(2, 9800, n),
            "street": column(STREET_NAMES, rng.integers(0, len(STREET_NAMES), n)),
            "suffix": column(STREET_SUFFIXES, rng.integers(0, len(STREET_SUFFIXES), n)),
            "unit": column(UNITS, np.where(rng.uniform(0, 1, n) < 0.25, rng.integers(0, len(UNITS), n), -1)),
            "company": column(COMPANIES, np.where(rng.uniform(0, 1, n) < 0.04, rng.integers(0, len(COMPANIES), n), -1)),
            "state": column([s[0] for s in STATES], state),
            "state_name": column([s[1] for s in STATES], state),
            "state_rate": np.array([s[2] for s in STATES])[state],
            "city": column([c[1] for c in cities], city),
            "zip3": column([c[2] for c in cities], city),
            "area": column([c[3] for c in cities], city),
            "local_tax": column([c[4] for c in cities], city),
            "local_rate": np.array([c[5] for c in cities])[city],
            "zip2": rng.integers(1, 99, n),
            "line": rng.integers(100, 9999, n),
            "has_phone": rng.uniform(0, 1, n) < 0.4,
            "accepts_marketing": rng.uniform(0, 1, n) < 0.42,
            "vip": rng.uniform(0, 1, n) < 0.06,
        }
    )
    f, l_ = pl.col("first_ascii"), pl.col("last_ascii")
    local = (
        pl.when(pl.col("pattern") <= 1)
        .then(f + "." + l_)
        .when(pl.col("pattern") == 2)
        .then(f + l_ + pl.col("n2").cast(pl.String))
        .when(pl.col("pattern") == 3)
        .then(f.str.slice(0, 1) + l_)
        .otherwise(f + "_" + l_ + pl.col("n4").cast(pl.String))
    )
    frame = frame.with_columns(local.alias("local"))
    # Two customers never share an e-mail: later namesakes get a number.
    duplicate = ~(pl.col("local") + "@" + pl.col("domain")).is_first_distinct()
    email_local = pl.when(duplicate).then(pl.col("local") + pl.col("customer").cast(pl.String)).otherwise("local")
    return frame.with_columns(
        (email_local + "@" + pl.col("domain")).alias("email"),
        (pl.col("first") + " " + pl.col("last")).alias("name"),
        (pl.col("street_no").cast(pl.String) + " " + pl.col("street") + " " + pl.col("suffix")).alias("address1"),
        ("'" + pl.col("zip3") + pl.col("zip2").cast(pl.String).str.zfill(2)).alias("zip"),
        pl.when(pl.col("has_phone"))
        .then("+1" + pl.col("area") + "555" + pl.col("line").cast(pl.String).str.zfill(4))
        .alias("phone"),
    )


def pick(choices: tuple[str, ...], index: np.ndarray) -> pl.Series:
    """choices[index] as a String series, null where index is negative."""
    values = pl.Series(choices, dtype=pl.String).gather(pl.Series(np.where(index >= 0, index, 0).astype(np.uint32)))
    return pl.select(pl.when(pl.Series(index >= 0)).then(values)).to_series()
