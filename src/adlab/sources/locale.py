"""Exports written in the user's interface language: header names, values and number/date conventions.

Ads Manager writes its headers (and a few values: gender, delivery level, result type) in the
language of the user's interface. The catalogue (`catalogue/meta_ads/<lang>.json`, package data)
maps each localized header to its English twin; `localize` renames a table's header before its
kind is detected, so a localized export reads into exactly the same tables as the English one.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypedDict

import polars as pl

from adlab.io import RawTable
from adlab.sources.common import normalise_header, parsed_column

CATALOGUE = ("catalogue", "meta_ads")
CURRENCY = "(<CUR>)"
# Fields whose values the catalogue translates (the `values` sections), by `ad_insights` column name.
VALUE_FIELDS = {
    "gender": "gender",
    "level": "level",
    "result_type": "result_type",
    "attribution_setting": "attribution_setting",
    "age": "age",
}
# A header seen fewer times than this in a language is not enough to call the file localized.
MIN_MATCHES = 2
# `dedupe_names` numbers repeated headers: `Nombre del anuncio (2)`.
REPEAT = re.compile(r"^(.*) \((\d+)\)$")


@dataclass(frozen=True)
class Language:
    """One language's catalogue, ready to match normalised headers."""

    code: str
    headers: dict[str, str]  # normalised localized header -> English header
    currency_headers: tuple[tuple[re.Pattern[str], str], ...]  # `importe gastado \((...)\)` -> `Amount spent ({})`
    values: dict[str, dict[str, str]]  # field -> normalised localized value -> English value
    decimal_comma: bool
    day_first: bool


class Conventions(TypedDict):
    """`with_parsed` keywords: how a table writes its numbers and dates."""

    decimal_comma: bool
    day_first: bool | None  # None: the data decides


def _key(text: str) -> str:
    """Header or value text compared case-, spacing- and apostrophe-insensitively."""
    return normalise_header(text).replace("\u2019", "'")


def _language(data: dict[str, Any]) -> Language:
    """A `Language` from one catalogue file's content."""
    headers, currency = {}, []
    for localized, english in data["headers"].items():
        if localized.endswith(CURRENCY):
            stem, english_stem = localized.removesuffix(CURRENCY).strip(), english.removesuffix(CURRENCY).strip()
            pattern = re.compile(rf"^{re.escape(_key(stem))} \(([a-z]{{3}})\)$")
            currency.append((pattern, english_stem + " ({})"))
            headers[_key(stem)] = english_stem  # the same header without its currency
        else:
            headers[_key(localized)] = english
    values = {field: {_key(k): v for k, v in data["values"].get(field, {}).items()} for field in VALUE_FIELDS}
    # A result type is the name of the metric it counts (`Link clicks`), so it reads as that header does.
    values["result_type"] = {**headers, **values["result_type"]}
    # The age bucket Ads Manager cannot tell is the word for an unknown gender, capitalised in English.
    values["age"] = {**{k: "Unknown" for k, v in values["gender"].items() if v == "unknown"}, **values["age"]}
    return Language(data["language"], headers, tuple(currency), values, data["decimal_comma"], data["day_first"])


@cache
def languages() -> dict[str, Language]:
    """Every catalogued language by code, in a fixed order (ties in detection go to the first)."""
    folder = resources.files("adlab.sources").joinpath(*CATALOGUE)
    files = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".json")), key=lambda e: e.name)
    found = [_language(json.loads(entry.read_text(encoding="utf-8"))) for entry in files]
    return {language.code: language for language in found}


@cache
def english_headers() -> frozenset[str]:
    """The normalised English headers the catalogues translate to (currency headers by their stem)."""
    return frozenset(
        _key(english.removesuffix(" ({})"))
        for language in languages().values()
        for english in [*language.headers.values(), *(template for _, template in language.currency_headers)]
    )


def translate_header(name: str, language: Language) -> str | None:
    """The English header for one localized header, None when the catalogue does not know it."""
    key = _key(name)
    if key in language.headers:
        return language.headers[key]
    for pattern, template in language.currency_headers:
        match = pattern.match(key)
        if match:
            return template.format(match.group(1).upper())
    repeat = REPEAT.match(name)
    if repeat:
        english = translate_header(repeat.group(1), language)
        return f"{english} ({repeat.group(2)})" if english else None
    return None


def detect_language(header: list[str]) -> Language | None:
    """The language whose catalogue translates the most headers; None for English or unknown headers.

    Only headers whose localized text differs from the English count (`Platform` is the same in
    several languages); English wins a tie.
    """
    english = english_headers()
    english_count = sum(_key(name) in english for name in header)
    best, best_count = None, 0
    for language in languages().values():
        count = sum(
            (english_name := translate_header(name, language)) is not None and _key(english_name) != _key(name)
            for name in header
        )
        if count > best_count:
            best, best_count = language, count
    if best_count < MIN_MATCHES or best_count <= english_count:
        return None
    return best


def localize(raw: RawTable) -> RawTable:
    """`raw` with its header in English and `language` set when it is written in a catalogued language.

    Rows are untouched (values are translated by the parser, see `english_values`); a deferred table
    keeps reading its columns from the file under the English names, and quarantined rows keep the
    header as written (`RawTable.written`). A header the catalogue does not know keeps its text, and
    so does one whose English name the table already has.
    """
    language = detect_language(raw.header)
    if language is None:
        return raw
    header, taken = [], set(raw.header)
    for name in raw.header:
        english = translate_header(name, language)
        if english is None or english == name or english in taken:
            header.append(name)
            continue
        taken.discard(name)
        taken.add(english)
        header.append(english)
    renames = {old: new for old, new in zip(raw.header, header, strict=True) if old != new}
    return dataclasses.replace(
        raw,
        header=header,
        loaded=raw.loaded.rename(renames, strict=False) if raw.loaded is not None else None,
        source=dataclasses.replace(raw.source, names=tuple(header)) if raw.source is not None else None,
        fetched=raw.fetched.rename(renames, strict=False) if raw.fetched is not None else None,
        language=language.code,
        written=tuple(raw.header),
    )


def conventions(raw: RawTable) -> Conventions:
    """`with_parsed` keywords for a table's numbers and dates (English/unknown: the data decides).

    A workbook's numbers are typed cells, read as `1234.5` in any language: there `1.234` is one
    and a quarter (a ROAS), never a thousand, so only the date order comes from the language.
    """
    language = languages().get(raw.language)
    if language is None:
        return {"decimal_comma": False, "day_first": None}
    return {"decimal_comma": language.decimal_comma and raw.encoding != "xlsx", "day_first": language.day_first}


def english_values(frame: pl.DataFrame, columns: dict[str, str], code: str) -> pl.DataFrame:
    """`frame` with the localized values of `columns` (field -> column) replaced by their English text.

    Fields are those of `VALUE_FIELDS`; the column and its cleaned text beside it (`with_parsed`) are
    both translated. A value the catalogue does not know is kept as written.
    """
    language = languages().get(code)
    if language is None:
        return frame
    replaced = {}
    for field, source in columns.items():
        mapping = language.values.get(field)
        for column in (source, parsed_column(source, "text")):
            if not mapping or column not in frame.columns:
                continue
            key = pl.col(column).str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
            key = key.str.replace_all("\u2019", "'", literal=True)
            replaced[column] = pl.when(key.is_in(list(mapping))).then(key.replace(mapping)).otherwise(pl.col(column))
    return frame.with_columns(**replaced) if replaced else frame
