"""Ads Manager exports in the user's interface language read into the same tables as their English twins."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from adlab import io
from adlab.errors import AdlabError
from adlab.ingest import ingest
from adlab.sources.common import parse_date, parse_number, parsed_column, with_parsed
from adlab.sources.locale import localize

# ------------------------------------------------------------------ the twins

ADS_COLUMNS = (
    "Day",
    "Campaign name",
    "Ad set name",
    "Ad name",
    "Ad ID",
    "Delivery level",
    "Result type",
    "Results",
    "Amount spent",
    "Impressions",
    "Reach",
    "Clicks (all)",
    "Link clicks",
    "Adds to cart",
    "Purchases",
    "Purchases conversion value",
)
# (day, ad, ad id, results, spend, impressions, reach, clicks, link clicks, adds to cart, purchases, value)
ADS_ROWS = (
    (dt.date(2024, 3, 1), "Red dress", "101", 3, "1234.56", 12345, 9876, 456, 321, 12, 3, "2345.67"),
    (dt.date(2024, 3, 1), "Blue dress", "102", 0, "87.50", 2100, 1900, 40, 25, 1, 0, "0"),
    (dt.date(2024, 3, 2), "Red dress", "101", 1, "1010.10", 11000, 9000, 400, 300, 10, 1, "1500"),
    (dt.date(2024, 3, 2), "Blue dress", "102", 2, "95.25", 980, 900, 38, 22, 2, 2, "210.90"),
)
BREAKDOWN_COLUMNS = (
    "Day",
    "Campaign name",
    "Ad set name",
    "Ad name",
    "Ad ID",
    "Age",
    "Gender",
    "Amount spent",
    "Impressions",
    "Purchases",
    "Purchases conversion value",
)
# (age, gender, spend, impressions, purchases, value), all for the Red dress on 1 March
BREAKDOWN_ROWS = (
    ("25-34", "female", "800.00", 8000, 2, "1500.00"),
    ("25-34", "male", "300.00", 3000, 1, "845.67"),
    ("35-44", "unknown", "134.56", 1345, 0, "0"),
)
MONEY = ("Amount spent", "Purchases conversion value")

# How each language writes the twin: headers and values as Ads Manager spells them in that interface
# language (typed here, not taken from the catalogue), and the language's own number and date formats.
# The dates (1 and 2 March) are ambiguous: read month first they would be in January and February.
LANGUAGES = {
    "es": {
        "currency": "EUR",
        "date": "%d/%m/%Y",
        "thousands": ".",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "Día",
            "Campaign name": "Nombre de la campaña",
            "Ad set name": "Nombre del conjunto de anuncios",
            "Ad name": "Nombre del anuncio",
            "Ad ID": "Identificador del anuncio",
            "Delivery level": "Nivel de entrega",
            "Result type": "Tipo de resultado",
            "Results": "Resultados",
            "Amount spent": "Importe gastado",
            "Impressions": "Impresiones",
            "Reach": "Alcance",
            "Clicks (all)": "Clics (todos)",
            "Link clicks": "Clics en el enlace",
            "Adds to cart": "Artículos agregados al carrito",
            "Purchases": "Compras",
            "Purchases conversion value": "Valor de conversión de compras",
            "Age": "Edad",
            "Gender": "Sexo",
        },
        "values": {
            "ad": "Anuncio",
            "Website purchases": "Compras en el sitio web",
            "female": "Mujeres",
            "male": "Hombres",
            "unknown": "Desconocido",
        },
    },
    "pt": {
        "currency": "BRL",
        "date": "%d/%m/%Y",
        "thousands": ".",
        "decimal": ",",
        "prefix": "R$ ",
        "scale": 1,
        "headers": {
            "Day": "Dia",
            "Campaign name": "Nome da campanha",
            "Ad set name": "Nome do conjunto de anúncios",
            "Ad name": "Nome do anúncio",
            "Ad ID": "Identificação do anúncio",
            "Delivery level": "Nível de veiculação",
            "Result type": "Tipo de resultado",
            "Results": "Resultados",
            "Amount spent": "Valor usado",
            "Impressions": "Impressões",
            "Reach": "Alcance",
            "Clicks (all)": "Cliques (todos)",
            "Link clicks": "Cliques no link",
            "Adds to cart": "Adições ao carrinho",
            "Purchases": "Compras",
            "Purchases conversion value": "Valor de conversão da compra",
            "Age": "Idade",
            "Gender": "Gênero",
        },
        "values": {
            "ad": "Anúncio",
            "Website purchases": "Compras no site",
            "female": "Feminino",
            "male": "Masculino",
            "unknown": "Desconhecido",
        },
    },
    "fr": {
        "currency": "EUR",
        "date": "%d/%m/%Y",
        "thousands": "\u202f",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "Jour",
            "Campaign name": "Nom de la campagne",
            "Ad set name": "Nom de l’ensemble de publicités",
            "Ad name": "Nom de la publicité",
            "Ad ID": "Identifiant de la publicité",
            "Delivery level": "Niveau de diffusion",
            "Result type": "Type de résultat",
            "Results": "Résultats",
            "Amount spent": "Montant dépensé",
            "Impressions": "Impressions",
            "Reach": "Couverture",
            "Clicks (all)": "Clics (tous)",
            "Link clicks": "Clics sur un lien",
            "Adds to cart": "Ajouts au panier",
            "Purchases": "Achats",
            "Purchases conversion value": "Valeur de conversion des achats",
            "Age": "Âge",
            "Gender": "Sexe",
        },
        "values": {
            "ad": "Publicité",
            "Website purchases": "Achats sur le site web",
            "female": "Femmes",
            "male": "Hommes",
            "unknown": "Inconnu",
        },
    },
    "de": {
        "currency": "EUR",
        "date": "%d.%m.%Y",
        "thousands": ".",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "Tag",
            "Campaign name": "Kampagnenname",
            "Ad set name": "Name der Anzeigengruppe",
            "Ad name": "Anzeigenname",
            "Ad ID": "Anzeigen-ID",
            "Delivery level": "Auslieferungsebene",
            "Result type": "Ergebnistyp",
            "Results": "Ergebnisse",
            "Amount spent": "Ausgegebener Betrag",
            "Impressions": "Impressionen",
            "Reach": "Reichweite",
            "Clicks (all)": "Klicks (alle)",
            "Link clicks": "Link-Klicks",
            "Adds to cart": "Hinzufügungen zum Warenkorb",
            "Purchases": "Käufe",
            "Purchases conversion value": "Conversion-Wert der Käufe",
            "Age": "Alter",
            "Gender": "Geschlecht",
        },
        "values": {
            "ad": "Anzeige",
            "Website purchases": "Website-Käufe",
            "female": "Frauen",
            "male": "Männer",
            "unknown": "Unbekannt",
        },
    },
    "it": {
        "currency": "EUR",
        "date": "%d/%m/%Y",
        "thousands": ".",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "Giorno",
            "Campaign name": "Nome della campagna",
            "Ad set name": "Nome del gruppo di inserzioni",
            "Ad name": "Nome dell'inserzione",
            "Ad ID": "ID dell'inserzione",
            "Delivery level": "Livello di pubblicazione",
            "Result type": "Tipo di risultato",
            "Results": "Risultati",
            "Amount spent": "Importo speso",
            "Impressions": "Impression",
            "Reach": "Copertura",
            "Clicks (all)": "Clic (tutti)",
            "Link clicks": "Clic sul link",
            "Adds to cart": "Aggiunte al carrello",
            "Purchases": "Acquisti",
            "Purchases conversion value": "Valore di conversione degli acquisti",
            "Age": "Età",
            "Gender": "Sesso",
        },
        "values": {
            "ad": "Inserzione",
            "Website purchases": "Acquisti sul sito web",
            "female": "Donne",
            "male": "Uomini",
            "unknown": "Sconosciuto",
        },
    },
    "id": {
        # Rupiah amounts have no decimals and dots for thousands: Rp 1.234.560.
        "currency": "IDR",
        "date": "%d/%m/%Y",
        "thousands": ".",
        "decimal": ",",
        "prefix": "Rp ",
        "scale": 1000,
        "headers": {
            "Day": "Hari",
            "Campaign name": "Nama kampanye",
            "Ad set name": "Nama set iklan",
            "Ad name": "Nama iklan",
            "Ad ID": "ID iklan",
            "Delivery level": "Level penayangan",
            "Result type": "Jenis hasil",
            "Results": "Hasil",
            "Amount spent": "Jumlah yang dibelanjakan",
            "Impressions": "Impresi",
            "Reach": "Jangkauan",
            "Clicks (all)": "Klik (semua)",
            "Link clicks": "Klik tautan",
            "Adds to cart": "Penambahan ke keranjang",
            "Purchases": "Pembelian",
            "Purchases conversion value": "Nilai konversi pembelian",
            "Age": "Usia",
            "Gender": "Jenis kelamin",
        },
        "values": {
            "ad": "Iklan",
            "Website purchases": "Pembelian di situs web",
            "female": "Perempuan",
            "male": "Laki-laki",
            "unknown": "Tidak diketahui",
        },
    },
    "nl": {
        "currency": "EUR",
        "date": "%d-%m-%Y",
        "thousands": ".",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "Dag",
            "Campaign name": "Campagnenaam",
            "Ad set name": "Naam advertentieset",
            "Ad name": "Advertentienaam",
            "Ad ID": "Advertentie-ID",
            "Delivery level": "Weergaveniveau",
            "Result type": "Resultaattype",
            "Results": "Resultaten",
            "Amount spent": "Besteed bedrag",
            "Impressions": "Weergaven",
            "Reach": "Bereik",
            "Clicks (all)": "Klikken (alle)",
            "Link clicks": "Klikken op links",
            "Adds to cart": "Toevoegingen aan winkelwagen",
            "Purchases": "Aankopen",
            "Purchases conversion value": "Conversiewaarde aankopen",
            "Age": "Leeftijd",
            "Gender": "Geslacht",
        },
        "values": {
            "ad": "Advertentie",
            "Website purchases": "Aankopen op website",
            "female": "Vrouwen",
            "male": "Mannen",
            "unknown": "Onbekend",
        },
    },
    "pl": {
        "currency": "PLN",
        "date": "%d.%m.%Y",
        "thousands": "\u00a0",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "Dzień",
            "Campaign name": "Nazwa kampanii",
            "Ad set name": "Nazwa zestawu reklam",
            "Ad name": "Nazwa reklamy",
            "Ad ID": "Identyfikator reklamy",
            "Delivery level": "Poziom publikacji",
            "Result type": "Typ wyniku",
            "Results": "Wyniki",
            "Amount spent": "Wydana kwota",
            "Impressions": "Wyświetlenia",
            "Reach": "Zasięg",
            "Clicks (all)": "Kliknięcia (wszystkie)",
            "Link clicks": "Kliknięcia linku",
            "Adds to cart": "Dodanie do koszyka",
            "Purchases": "Zakupy",
            "Purchases conversion value": "Wartość konwersji zakupów",
            "Age": "Wiek",
            "Gender": "Płeć",
        },
        "values": {
            "ad": "Reklama",
            "Website purchases": "Zakupy w witrynie",
            "female": "Kobiety",
            "male": "Mężczyźni",
            "unknown": "Nieznana",
        },
    },
    "tr": {
        "currency": "TRY",
        "date": "%d.%m.%Y",
        "thousands": ".",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "Gün",
            "Campaign name": "Kampanya Adı",
            "Ad set name": "Reklam seti adı",
            "Ad name": "Reklam adı",
            "Ad ID": "Reklam kimliği",
            "Delivery level": "Yayın Düzeyi",
            "Result type": "Sonuç Türü",
            "Results": "Sonuçlar",
            "Amount spent": "Harcanan Tutar",
            "Impressions": "Gösterim",
            "Reach": "Erişim",
            "Clicks (all)": "Tıklamalar (Tümü)",
            "Link clicks": "Bağlantı Tıklamaları",
            "Adds to cart": "Sepete eklemeler",
            "Purchases": "Alışverişler",
            "Purchases conversion value": "Alışveriş dönüşüm değeri",
            "Age": "Yaş",
            "Gender": "Cinsiyet",
        },
        "values": {
            "ad": "Reklam",
            "Website purchases": "Web sitesi alışverişleri",
            "female": "Kadın",
            "male": "Erkek",
            "unknown": "Bilinmiyor",
        },
    },
    "ru": {
        "currency": "RUB",
        "date": "%d.%m.%Y",
        "thousands": " ",
        "decimal": ",",
        "prefix": "",
        "scale": 1,
        "headers": {
            "Day": "День",
            "Campaign name": "Название кампании",
            "Ad set name": "Название группы объявлений",
            "Ad name": "Название объявления",
            "Ad ID": "ID объявления",
            "Delivery level": "Уровень показа",
            "Result type": "Тип результата",
            "Results": "Результаты",
            "Amount spent": "Потраченная сумма",
            "Impressions": "Показы",
            "Reach": "Охват",
            "Clicks (all)": "Клики (все)",
            "Link clicks": "Клики по ссылке",
            "Adds to cart": "Добавления в корзину",
            "Purchases": "Покупки",
            "Purchases conversion value": "Ценность конверсии покупок",
            "Age": "Возраст",
            "Gender": "Пол",
        },
        "values": {
            "ad": "Объявление",
            "Website purchases": "Покупки на сайте",
            "female": "Женщины",
            "male": "Мужчины",
            "unknown": "Неизвестно",
        },
    },
}


def english_number(value: object, scale: int) -> str:
    """A cell as the English export writes it: `1234.56`, `12345`."""
    return str(Decimal(value) * scale) if isinstance(value, str) else str(value)


def localized_number(value: object, lang: dict) -> str:
    """A cell as the localized export writes it: `1.234,56`, `12 345`, `R$ 87,50`, `Rp 1.234.560`."""
    money = isinstance(value, str)
    amount = Decimal(value) * lang["scale"] if money else Decimal(value)
    decimals = 2 if money and lang["scale"] == 1 else 0
    grouped = f"{amount:,.{decimals}f}".replace(",", "\x00").replace(".", lang["decimal"])
    return (lang["prefix"] if money else "") + grouped.replace("\x00", lang["thousands"])


def csv_line(cells: list[str]) -> str:
    return ",".join(f'"{cell}"' if "," in cell else cell for cell in cells)


def write_twins(folder: Path, code: str) -> tuple[list[Path], list[Path]]:
    """The English ad x day export and its age x gender breakdown, and their twins in language `code`."""
    lang = LANGUAGES[code]
    currency, headers, values = lang["currency"], lang["headers"], lang["values"]

    def english_header(column: str) -> str:
        return f"{column} ({currency})" if column == "Amount spent" else column

    def localized_header(column: str) -> str:
        return f"{headers[column]} ({currency})" if column == "Amount spent" else headers[column]

    ads = [
        (day, "Spring", "Women 25-44", ad, ad_id, "ad", "Website purchases", *numbers)
        for day, ad, ad_id, *numbers in ADS_ROWS
    ]
    breakdown = [
        (dt.date(2024, 3, 1), "Spring", "Women 25-44", "Red dress", "101", age, gender, *numbers)
        for age, gender, *numbers in BREAKDOWN_ROWS
    ]
    english, localized = folder / "en", folder / code
    english.mkdir()
    localized.mkdir()
    for name, columns, rows in (("ads.csv", ADS_COLUMNS, ads), ("ads_age_gender.csv", BREAKDOWN_COLUMNS, breakdown)):
        text_columns = [c for c in columns if c not in MONEY and c not in ("Day",)]
        en_lines, loc_lines = (
            [csv_line([english_header(c) for c in columns])],
            [csv_line([localized_header(c) for c in columns])],
        )
        for row in rows:
            en_cells, loc_cells = [], []
            for column, cell in zip(columns, row, strict=True):
                if column == "Day":
                    en_cells.append(cell.isoformat())
                    loc_cells.append(cell.strftime(lang["date"]))
                elif column in text_columns and isinstance(cell, str):
                    en_cells.append(cell)
                    loc_cells.append(values.get(cell, cell))
                else:
                    en_cells.append(english_number(cell, lang["scale"]))
                    loc_cells.append(localized_number(cell, lang))
            en_lines.append(csv_line(en_cells))
            loc_lines.append(csv_line(loc_cells))
        (english / name).write_text("\n".join(en_lines) + "\n", encoding="utf-8")
        (localized / name).write_text("\n".join(loc_lines) + "\n", encoding="utf-8")
    return sorted(english.iterdir()), sorted(localized.iterdir())


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_ingest_localized_export_gives_the_same_ad_insights_as_its_english_twin(tmp_path, code):
    english_files, localized_files = write_twins(tmp_path, code)
    english = ingest(english_files, tmp_path, "salt")
    localized = ingest(localized_files, tmp_path, "salt")

    assert localized.ledger["quarantined"].to_list() == [0, 0]
    assert_frame_equal(
        localized.tables["ad_insights"].drop("source_file"), english.tables["ad_insights"].drop("source_file")
    )
    # The English twin itself, worked out by hand: the localized one is equal to it, so right too.
    scale = LANGUAGES[code]["scale"]
    rows = english.tables["ad_insights"]
    red_first = rows.filter((pl.col("ad") == "Red dress") & (pl.col("breakdown") == "none")).row(0, named=True)
    assert (red_first["date"], red_first["spend"], red_first["impressions"], red_first["reach"]) == (
        dt.date(2024, 3, 1),
        1234.56 * scale,
        12345,
        9876,
    )
    assert (red_first["level"], red_first["result_type"], red_first["currency"]) == (
        "ad",
        "Website purchases",
        LANGUAGES[code]["currency"],
    )
    genders = rows.filter(pl.col("breakdown") == "age_gender").sort("age", "gender")
    assert genders.select("age", "gender", "impressions").rows() == [
        ("25-34", "female", 8000),
        ("25-34", "male", 3000),
        ("35-44", "unknown", 1345),
    ]
    assert rows["date"].unique().sort().to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]


def test_localize_renames_the_header_and_keeps_it_as_written(tmp_path):
    path = tmp_path / "es.csv"
    path.write_text(
        "Día,Nombre del anuncio,Nombre del anuncio,Importe gastado (MXN),Impresiones,Nota\n"
        '2024-03-01,A,A,"10,5",100,x\n'
    )
    [raw] = io.read_tables(path)
    localized = localize(raw)
    # A repeated header keeps its number; a header the catalogue does not know keeps its text.
    assert localized.header == ["Day", "Ad name", "Ad name (2)", "Amount spent (MXN)", "Impressions", "Nota"]
    assert localized.written == (
        "Día",
        "Nombre del anuncio",
        "Nombre del anuncio (2)",
        "Importe gastado (MXN)",
        "Impresiones",
        "Nota",
    )
    assert localized.language == "es"
    assert localized.cells.columns == localized.header


def test_localize_leaves_an_english_header_untouched(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text("Day,Ad name,Amount spent (USD),Impressions,Objetivo,Alcance\n2024-03-01,A,10.5,100,x,5\n")
    [raw] = io.read_tables(path)
    assert localize(raw) is raw


@pytest.mark.parametrize("defer_bytes", [10**12, 0])
def test_ingest_localized_export_quarantines_rows_under_the_header_as_written(tmp_path, monkeypatch, defer_bytes):
    # Deferred (0) and whole-file reads give the same rows, read by English names from the file.
    monkeypatch.setattr(io, "DEFER_BYTES", defer_bytes)
    path = tmp_path / "de.csv"
    path.write_text(
        "Tag,Anzeigenname,Ausgegebener Betrag (EUR),Impressionen,Notiz\n"
        '01.03.2024,A,"1.234,50",1.200,erste\n'
        "02.03.2024,A,zwölf,900,zweite\n"
    )
    result = ingest([path], tmp_path, "salt")
    assert result.tables["ad_insights"].select("date", "spend", "impressions").rows() == [
        (dt.date(2024, 3, 1), 1234.5, 1200)
    ]
    quarantine = result.quarantine["ad_insights"]
    assert quarantine.columns[:5] == ["Tag", "Anzeigenname", "Ausgegebener Betrag (EUR)", "Impressionen", "Notiz"]
    assert quarantine.select("Ausgegebener Betrag (EUR)", "Notiz", "source_row", "reason").rows() == [
        ("zwölf", "zweite", "3", "`Ausgegebener Betrag (EUR)` is not a number")
    ]


def test_ingest_localized_totals_row_reconciles_with_its_rows(tmp_path):
    # Alone, the totals row's `15.000` reads as fifteen: it takes its column's reading (thousands here).
    path = tmp_path / "de.csv"
    path.write_text(
        "Tag,Anzeigenname,Ausgegebener Betrag (EUR),Impressionen\n"
        ',,"2.000,00",15.000\n'
        '01.03.2024,A,"1.234,50",1.200\n'
        '01.03.2024,B,"765,50",13.800\n'
    )
    result = ingest([path], tmp_path, "salt")
    assert result.ledger.select("totals", "kept").row(0) == (1, 2)
    # 1234.50 + 765.50 = 2000.00 and 1200 + 13800 = 15000: the totals row agrees, no warning.
    assert result.warnings.filter(pl.col("check") == "totals_row").height == 0


def test_ingest_localized_attribution_and_result_type_match_the_english_reexport(tmp_path):
    # The attribution setting is part of the row key: written in Portuguese it must still meet its
    # English re-export, or the same day would be kept twice. A result type names its metric.
    (tmp_path / "a_pt.csv").write_text(
        "Dia,Nome do anúncio,Valor usado (BRL),Impressões,Configuração de atribuição,Tipo de resultado,Resultados\n"
        '01/03/2024,A,"10,50",100,Clique de 7 dias ou visualização de 1 dia,Cliques no link,4\n'
    )
    (tmp_path / "b_en.csv").write_text(
        "Day,Ad name,Amount spent (BRL),Impressions,Attribution setting,Result type,Results\n"
        "2024-03-01,A,11.00,110,7-day click or 1-day view,Link clicks,5\n"
    )
    result = ingest(sorted(tmp_path.glob("*.csv")), tmp_path, "salt")
    rows = result.tables["ad_insights"]
    # Same key, same window end: the later path (the English file) wins, the Portuguese row is replaced.
    assert rows.select("attribution_setting", "result_type", "results", "spend", "source_file").rows() == [
        ("7-day click or 1-day view", "Link clicks", 5.0, 11.0, "b_en.csv")
    ]
    assert result.ledger.select("source_file", "kept", "replaced").rows() == [("a_pt.csv", 0, 1), ("b_en.csv", 1, 0)]


def test_ingest_localized_unknown_age_and_gender_read_as_the_english_export_writes_them(tmp_path):
    path = tmp_path / "es.csv"
    path.write_text(
        "Día,Nombre del anuncio,Edad,Sexo,Importe gastado (EUR),Impresiones\n"
        '01/03/2024,A,Desconocido,Desconocido,"1,50",10\n'
        '01/03/2024,A,25-34,Mujeres,"2,50",20\n'
    )
    rows = ingest([path], tmp_path, "salt").tables["ad_insights"].sort("impressions")
    # As in English exports (monfrere_us): age `Unknown`, gender `unknown`.
    assert rows.select("age", "gender", "spend").rows() == [("Unknown", "unknown", 1.5), ("25-34", "female", 2.5)]


def test_ingest_localized_workbook_reads_typed_numbers_as_written(tmp_path):
    # Workbook cells are typed: a German export's ROAS of 2.345 is read `2.345`, never a thousand.
    path = tmp_path / "de.xlsx"
    pl.DataFrame(
        {
            "Tag": ["2024-03-01", "2024-03-02"],
            "Anzeigenname": ["A", "B"],
            "Ausgegebener Betrag (EUR)": [1234.5, 12.0],
            "Impressionen": [1200, 900],
            "ROAS (Käufe)": [2.345, 1.125],
        }
    ).write_excel(path)
    rows = ingest([path], tmp_path, "salt").tables["ad_insights"]
    # Value = ROAS x spend: 2.345 x 1234.50 = 2894.90 (2894.9025 to the cent) and 1.125 x 12.00 = 13.50.
    assert rows.select("spend", "impressions", "purchase_value").rows() == [(1234.5, 1200, 2894.9), (12.0, 900, 13.5)]


def test_ingest_unknown_language_header_is_a_one_line_not_a_known_export_error(tmp_path):
    path = tmp_path / "fi.csv"
    path.write_text('Päivä,Mainoksen nimi,Käytetty summa (EUR),Näyttökerrat\n2024-03-01,A,"10,5",100\n')
    with pytest.raises(AdlabError) as error:
        ingest([path], tmp_path, "salt")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("fi.csv: not a known export; the closest kind is meta_ads")


# ------------------------------------------------------------------ the catalogue

# Every English Ads Manager header adlab reads or will read (issue 11, point 8).
ENGLISH_HEADERS = (
    "Day",
    "Reporting starts",
    "Reporting ends",
    "Account name",
    "Account ID",
    "Campaign name",
    "Campaigns",
    "Campaign ID",
    "Ad set name",
    "Ad sets",
    "Ad set ID",
    "Ad name",
    "Ads",
    "Ad ID",
    "Delivery status",
    "Delivery level",
    "Result type",
    "Results",
    "Cost per result",
    "Amount spent (<CUR>)",
    "Impressions",
    "Reach",
    "Frequency",
    "Clicks (all)",
    "Link clicks",
    "CTR (link click-through rate)",
    "CPM (cost per 1,000 impressions) (<CUR>)",
    "Landing page views",
    "Adds to cart",
    "Checkouts initiated",
    "Purchases",
    "Website purchases",
    "Purchases conversion value",
    "Website purchases conversion value",
    "Purchase ROAS (return on ad spend)",
    "Meta purchases",
    "In-app purchases",
    "Offline purchases",
    "Leads",
    "Messaging conversations started",
    "3-second video plays",
    "ThruPlays",
    "Video plays at 25%",
    "Video plays at 50%",
    "Video plays at 75%",
    "Video plays at 100%",
    "Attribution setting",
    "Objective",
    "Age",
    "Gender",
    "Region",
    "Country",
    "Platform",
    "Placement",
    "Impression device",
    "Currency",
)
CATALOGUE = resources.files("adlab.sources").joinpath("catalogue", "meta_ads")


def catalogue(code: str) -> dict:
    return json.loads(CATALOGUE.joinpath(f"{code}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_catalogue_translates_every_english_header_and_value(code):
    data = catalogue(code)
    assert data["language"] == code
    assert set(ENGLISH_HEADERS) - set(data["headers"].values()) == set()
    assert set(data["seen_in_public_exports"]) - set(data["headers"]) == set()
    # The currency placeholder survives translation.
    assert all(k.endswith(" (<CUR>)") == v.endswith(" (<CUR>)") for k, v in data["headers"].items())
    assert set(data["values"]["gender"].values()) == {"female", "male", "unknown"}
    assert set(data["values"]["level"].values()) == {"ad", "ad set", "campaign", "account"}
    assert "Website purchases" in data["values"]["result_type"].values()


# ------------------------------------------------------------------ numbers and dates


@pytest.mark.parametrize(
    ("cells", "decimal_comma", "expected"),
    [
        (["1.234,56", "1 234,56", "1\u00a0234,56", "1\u202f234,56"], False, [1234.56] * 4),
        (["12,5 %", "0,5%"], False, [0.125, 0.005]),
        (["R$ 1.234,56", "R$ 87,50"], False, [1234.56, 87.5]),
        (["Rp 1.234.567", "Rp 980"], False, [1234567.0, 980.0]),
        (["1.234.567", "12"], False, [1234567.0, 12.0]),  # two dot groups can only be thousands
        (["1.234", "980"], True, [1234.0, 980.0]),  # ambiguous: the language writes decimal commas
        (["1.234", "980"], False, [1.234, 980.0]),  # ambiguous, English: a point decimal, as before
        (["1,790", "23"], True, [1.79, 23.0]),
        (["1,790", "23"], False, [1790.0, 23.0]),
        (["26.36", "1.234"], True, [26.36, 1.234]),  # `26.36` is a point decimal: so is the column
        (["1.234,5", "2.000"], True, [1234.5, 2000.0]),
        (["1.234,50 zł", "12,50 TL", "1 234,50 руб."], False, [1234.5, 12.5, 1234.5]),
    ],
)
def test_parse_number_reads_localized_number_formats(cells, decimal_comma, expected):
    frame = pl.DataFrame({"x": cells}, schema={"x": pl.String})
    assert frame.select(parse_number("x", decimal_comma)).to_series().to_list() == expected


@pytest.mark.parametrize(
    ("cells", "day_first", "expected"),
    [
        (["31/12/2024", "01/02/2024"], None, [(2024, 12, 31), (2024, 2, 1)]),  # 31 > 12: day first
        (["12/31/2024", "01/02/2024"], None, [(2024, 12, 31), (2024, 1, 2)]),  # 31 second: month first
        (["12/31/2024", "01/02/2024"], True, [(2024, 12, 31), (2024, 1, 2)]),  # the data beats the language
        (["01/02/2024"], None, [(2024, 1, 2)]),  # ambiguous, unknown language: US month first, as before
        (["01/02/2024"], True, [(2024, 2, 1)]),  # ambiguous: the language's day first
        (["01-02-2024", "31.12.2024", "31-12-2024"], None, [(2024, 2, 1), (2024, 12, 31), (2024, 12, 31)]),
        (["1.3.2024", "02/03/2024 10:15"], True, [(2024, 3, 1), (2024, 3, 2)]),
        (["31/02/2024", "31/12/24"], True, [None, None]),  # no 31 February; two-digit years are not read
    ],
)
def test_parse_date_reads_day_first_and_month_first_dates(cells, day_first, expected):
    frame = pl.DataFrame({"d": cells}, schema={"d": pl.String})
    out = frame.select(parse_date("d", day_first)).to_series().to_list()
    assert out == [dt.date(*ymd) if ymd else None for ymd in expected]


def test_with_parsed_reads_dot_thousands_where_the_language_writes_decimal_commas():
    # `1.234` casts plainly to 1.234: the fast path must not take it when the language says thousands.
    frame = pl.DataFrame({"n": ["1.234", "12"], "d": ["01/03/2024", "02/03/2024"]})
    parsed, _ = with_parsed(frame, ["n"], ["d"], decimal_comma=True, day_first=True)
    assert parsed[parsed_column("n", "number")].to_list() == [1234.0, 12.0]
    assert parsed[parsed_column("d", "date")].to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    plain, _ = with_parsed(frame, ["n"])
    assert plain[parsed_column("n", "number")].to_list() == [1.234, 12.0]


def test_with_parsed_reads_every_date_column_of_a_table_in_one_order():
    # Alone, `01/03/2024` reads month first (3 January); `31/03/2024` beside it says the table is day first.
    frame = pl.DataFrame({"start": ["01/03/2024", "01/03/2024"], "end": ["31/03/2024", "02/03/2024"]})
    parsed, _ = with_parsed(frame, dates=["start", "end"])
    assert parsed[parsed_column("start", "date")].to_list() == [dt.date(2024, 3, 1)] * 2
    assert parsed[parsed_column("end", "date")].to_list() == [dt.date(2024, 3, 31), dt.date(2024, 3, 2)]
    alone, _ = with_parsed(frame.select("start"), dates=["start"])
    assert alone[parsed_column("start", "date")].to_list() == [dt.date(2024, 1, 3)] * 2
