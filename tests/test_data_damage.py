"""belthaw.data.damage: what a spreadsheet round trip does to text is named, cell by cell."""

from __future__ import annotations

import pytest

from belthaw.data import load, validate
from minidata import edit, write

# (case, tables replaced, file, line, column, severity, words)
DAMAGE = [
    ("mojibake of an accent", edit("sources", "Headline one", "NotÃ\xadcias one"), "sources.csv", 2, "title", "error", "looks mis-decoded (probably 'Notícias one')"),
    ("mojibake of a dash", edit("totals", "more than 430 since", "more than 430 â€“ since"), "totals.csv", 2, "wording", "error", "read the UTF-8 file as Windows-1252"),
    ("mojibake of Cyrillic", edit("people", "Opposition figure", "Ð‘ÐµÐ»Ð°Ñ€ÑƒÑÑŒ"), "people.csv", 2, "role", "error", "looks mis-decoded"),
    ("C1 control", edit("claims", "14 foreigners", "14\x85foreigners"), "claims.csv", 5, "value", "error", "invisible control character (U+0085 at character 3)"),
    ("C0 control", edit("events", "Envoy visits Minsk", "Envoy\x07 visits Minsk"), "events.csv", 2, "title", "error", "(U+0007 at character 6)"),
    ("DEL", edit("sources", "Seed piece", "Seed\x7f piece"), "sources.csv", 4, "title", "error", "U+007F"),
    ("date made of wording", edit("claims", "more than 50", "08/15/26"), "claims.csv", 3, "value", "warning", "looks like a date a spreadsheet made of text"),
    ("date made of a total's wording", edit("totals", "more than 430 since July 2024", "7/1/2024"), "totals.csv", 2, "wording", "warning", "'7/1/2024' looks like a date"),
]  # fmt: skip


@pytest.mark.parametrize(("replace", "file", "line", "column", "severity", "words"), [c[1:] for c in DAMAGE], ids=[c[0] for c in DAMAGE])  # fmt: skip
def test_spreadsheet_damage_is_located_with_how_to_resave(tmp_path, replace, file, line, column, severity, words):  # fmt: skip
    report = validate(write(tmp_path, **replace))
    hits = [p for p in report.problems if (p.file, p.line, p.column) == (file, line, column)]
    assert any(words in p.message and p.severity == severity for p in hits), str(report)
    assert all(p.file == file for p in report.problems), str(report)  # nothing else is blamed


def test_the_message_says_how_to_open_the_file(tmp_path):
    report = validate(write(tmp_path, **DAMAGE[0][1]))
    assert "open the CSV as UTF-8 with every column as text" in str(report)


@pytest.mark.parametrize(
    "text",
    [
        "Łukašenka",
        "Беларусь",
        "中文标题",
        "عنوان",
        "freed 😀",
        "naïve – “quoted”",
        "15 Aug",
        "a\ttab",
    ],
)
def test_text_in_any_script_is_accepted_and_kept_as_written(tmp_path, text):
    d = write(tmp_path, **edit("sources", "Headline one", text))
    report = validate(d)
    assert report.ok and not report.warnings, str(report)
    assert load(d).sources["title"].iloc[0] == text


def test_a_cell_spanning_lines_is_not_a_control_character(tmp_path):
    d = write(tmp_path, **edit("events", "ap-1;seed-1,\n", 'ap-1;seed-1,"first\r\nsecond"\n'))
    assert validate(d).ok
    assert load(d).events["notes"].iloc[1] == "first\r\nsecond"


def test_text_wording_is_never_coerced(tmp_path):
    """A source's wording that looks like a number stays the text it is."""
    d = write(tmp_path, **edit("claims", "more than 50", '"1,400"'))
    assert load(d).claims["value"].iloc[1] == "1,400"


def test_a_date_in_an_id_or_choice_column_is_left_to_the_schema(tmp_path):
    report = validate(write(tmp_path, **edit("claims", "52,52,exact", "52,52,1/2/25")))
    [p] = [p for p in report.problems if p.column == "precision"]
    assert "is not allowed" in p.message and p.severity == "error"
