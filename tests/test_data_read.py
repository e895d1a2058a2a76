"""belthaw.data.read: each CSV read as text and checked against its Table Schema field.

Every case breaks one cell, row or file of the mini package (tests/minidata.py) and names
the exact file, line, column and words the report must hold.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from belthaw.data import load, validate
from belthaw.data.problems import MAX_ROWS_PER_CHECK
from belthaw.data.read import INT_CEILING, MAX_FILE_BYTES, parse
from belthaw.errors import DataError
from minidata import TABLES, edit, write


def at(report, file, line, column):
    return [p for p in report.problems if (p.file, p.line, p.column) == (file, line, column)]


TOTALS_ROW = (
    "t-1,2025-12-12,2024-07-01,430,at_least,all_releases,more than 430 since July 2024,ap-1,,"
)

# (case, tables replaced, file, line, column, words in the message)
ERRORS = [
    ("not a date", edit("events", "2025-11-04,,day", "2025-11-31,,day"), "events.csv", 5, "date", "is not a date; expected YYYY-MM-DD"),
    ("date reformatted D/M/Y", edit("events", "2025-11-04,,day", "04/11/2025,,day"), "events.csv", 5, "date", "a spreadsheet probably reformatted it"),
    ("date with a time", edit("events", "2025-11-04,,day", "2025-11-04 00:00:00,,day"), "events.csv", 5, "date", "a spreadsheet probably reformatted it"),
    ("date as Excel writes months", edit("totals", "2025-12-12,2024", "12-Dec-25,2024"), "totals.csv", 2, "as_of", "a spreadsheet probably reformatted it"),
    ("enum", edit("events", "day,release,BY,Belarus,,New", "day,pardon,BY,Belarus,,New"), "events.csv", 7, "kind", "'pardon' is not allowed; expected one of: release, sanctions_relief"),
    ("enum re-cased", edit("claims", "52,52,exact", "52,52,Exact"), "claims.csv", 2, "precision", "'Exact' is not allowed"),
    ("minimum", edit("events", "22,exact,home", "-22,exact,home"), "events.csv", 7, "count", "-22 is below the minimum 0"),
    ("not a whole number", edit("events", "22,exact,home", "22.5,exact,home"), "events.csv", 7, "count", "'22.5' is not a whole number"),
    ("thousands separator", edit("events", "22,exact,home", '"1,400",exact,home'), "events.csv", 7, "count", "'1,400' is not a whole number"),
    ("other digits", edit("events", "22,exact,home", "٢٢,exact,home"), "events.csv", 7, "count", "uses digits other than 0-9"),
    ("integer over the ceiling", edit("events", "22,exact,home", f"{INT_CEILING + 1},exact,home"), "events.csv", 7, "count", "is too large"),
    ("integer beyond 64 bits", edit("totals", ",430,", ",123456789012345678901234567890,"), "totals.csv", 2, "value", "is too large"),
    ("number inf", edit("claims", "52,52,exact", "52,inf,exact"), "claims.csv", 2, "value_num", "'inf' is not a number"),
    ("number nan", edit("claims", "52,52,exact", "52,nan,exact"), "claims.csv", 2, "value_num", "'nan' is not a number"),
    ("number 1e400", edit("claims", "52,52,exact", "52,1e400,exact"), "claims.csv", 2, "value_num", "1e400 is too large"),
    ("required", edit("events", "Envoy visits Minsk", ""), "events.csv", 2, "title", "is required but empty"),
    ("pattern", edit("events", "belavia,us-belavia,licence", "Belavia!,us-belavia,licence"), "events.csv", 4, "instrument", "does not match the expected form ^[a-z0-9-]+$"),
    ("maxLength", edit("events", ",Envoy visit to Minsk,", "," + "x" * 41 + ","), "events.csv", 2, "short_label", "is longer than 40 characters"),
    ("unique", edit("events", "ev-20251230-pardon", "ev-20250911-release"), "events.csv", 7, "event_id", "duplicate value 'ev-20250911-release'"),
    ("edge spaces", edit("sources", "ngo-1,Viasna", "ngo-1 ,Viasna"), "sources.csv", 3, "source_id", "leading or trailing whitespace"),
    ("composite key", {"prisoner_counts": TABLES["prisoner_counts"] + "2025-09-30,1200,exact,Viasna,ngo-1,\n"}, "prisoner_counts.csv", 4, "date+counted_by+source_id", "duplicate primary key"),
    ("short row", edit("totals", TOTALS_ROW, TOTALS_ROW[:-1]), "totals.csv", 2, None, "row has 9 cells but the header has 10: a cell is missing"),
    ("long row", edit("totals", TOTALS_ROW, TOTALS_ROW + ",oops"), "totals.csv", 2, None, "row has 11 cells but the header has 10: a cell holds an unquoted comma"),
    ("missing column", {"claims": TABLES["claims"].replace(",note\n", "\n", 1).replace(",\n", "\n")}, "claims.csv", 1, "note", "column is missing"),
    ("unexpected column", {"totals": TABLES["totals"].replace("notes\n", "notes,extra\n").replace("ap-1,,\n", "ap-1,,,\n")}, "totals.csv", 1, "extra", "unexpected column"),
    ("column twice", edit("totals", "source_id,excludes,notes", "source_id,wording,notes"), "totals.csv", 1, "wording", "column appears twice"),
    ("semicolons", {"totals": TABLES["totals"].replace(",", ";")}, "totals.csv", 1, None, "uses ';' as separator; save it as CSV with commas"),
    ("tabs", {"totals": TABLES["totals"].replace(",", "\t")}, "totals.csv", 1, None, "uses tabs as separator"),
    ("unclosed quote", edit("totals", ",more than", ',"more than'), "totals.csv", 2, "wording", "is never closed"),
    ("text after a quote", edit("totals", ",more than 430", ',"more" than 430'), "totals.csv", 2, "wording", "is not well-formed CSV"),
    ("empty file", {"people": ""}, "people.csv", None, None, "is empty"),
    ("header only", {"people": TABLES["people"].split("\n")[0] + "\n"}, "people.csv", 1, None, "has a header but no data rows"),
    # line numbers count blank lines (and cells spanning lines: see below)
    ("after a blank line", {"totals": TABLES["totals"].replace("\n", "\n\n", 1).replace(",430,", ",many,")}, "totals.csv", 3, "value", "'many' is not a whole number"),
]  # fmt: skip


@pytest.mark.parametrize(("replace", "file", "line", "column", "words"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])  # fmt: skip
def test_bad_cell_row_or_file_is_located(tmp_path, replace, file, line, column, words):
    d = write(tmp_path, **replace)
    report = validate(d)
    assert not report.ok
    assert any(words in p.message for p in at(report, file, line, column)), str(report)


@pytest.mark.parametrize("case", ["not a date", "short row", "semicolons", "empty file"])
def test_load_refuses_what_validate_refuses_naming_the_file(tmp_path, case):
    replace, file = next(c[1:3] for c in ERRORS if c[0] == case)
    with pytest.raises(DataError, match=file.replace(".", r"\.")):
        load(write(tmp_path, **replace))


def test_a_cell_spanning_lines_moves_the_next_rows_lines(tmp_path):
    text = TABLES["events"].replace("ap-1;seed-1,\n", 'ap-1;seed-1,"two\nlines"\n', 1)
    text = text.replace("2025-11-04,,day", "2025-11-31,,day", 1)
    report = validate(write(tmp_path, events=text))
    assert at(report, "events.csv", 6, "date"), str(report)  # line 5 without the two-line cell
    rows, lines, _ = parse(text)
    assert lines[:5] == [1, 2, 3, 5, 6] and rows[2][-1] == "two\nlines"


def _bytes_cases():
    raw = TABLES["totals"].replace("since July", "since Zürich")
    return {
        "Windows-1252": (raw.encode("cp1252"), 2, "is not UTF-8: byte 0xfc (probably 'ü' in Windows-1252"),
        "UTF-16": (raw.encode("utf-16"), 1, "is saved as UTF-16"),
        "xlsx": (b"PK\x03\x04" + b"\x00" * 50, 1, "is an Excel workbook, not a CSV file"),
        "NUL": (raw.encode() + b"\x00\n", 3, "contains a NUL byte"),
    }  # fmt: skip


@pytest.mark.parametrize("case", ["Windows-1252", "UTF-16", "xlsx", "NUL"])
def test_a_file_that_is_not_utf8_text_is_named(tmp_path, case):
    d = write(tmp_path)
    blob, line, words = _bytes_cases()[case]
    (d / "totals.csv").write_bytes(blob)
    report = validate(d)
    assert any(words in p.message for p in at(report, "totals.csv", line, None)), str(report)


@pytest.mark.parametrize("case", ["missing", "FIFO", "folder", "oversized"])
def test_a_table_that_is_not_a_readable_file_is_named(tmp_path, case):
    d = write(tmp_path)
    target = d / "people.csv"
    target.unlink()
    if case == "FIFO":
        os.mkfifo(target)  # opening it would block forever
    elif case == "folder":
        target.mkdir()
    elif case == "oversized":
        with open(target, "wb") as fh:
            fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    words = {"missing": "not found in", "FIFO": "is not a regular file", "folder": "is not a regular file", "oversized": "MB; the limit is"}[case]  # fmt: skip
    report = validate(d)
    assert any(words in p.message for p in at(report, "people.csv", None, None)), str(report)


def test_trailing_empty_cells_are_named_as_such_and_the_row_kept(tmp_path):
    d = write(tmp_path, **edit("totals", TOTALS_ROW, TOTALS_ROW + ",,"))
    report = validate(d)
    assert report.ok, str(report)
    [p] = at(report, "totals.csv", 2, None)
    assert (
        p.severity == "warning" and "ends with 2 empty cell(s) after the last column" in p.message
    )
    assert "no data rows" not in str(report) and "unquoted comma" not in str(report)
    assert load(d).totals["value"].tolist() == [430]


def test_trailing_empty_header_cells_are_a_warning(tmp_path):
    text = TABLES["totals"].replace("notes\n", "notes,,\n").replace("ap-1,,\n", "ap-1,,,,\n")
    report = validate(write(tmp_path, totals=text))
    assert report.ok, str(report)
    assert any("header ends with empty cells" in p.message for p in at(report, "totals.csv", 1, None))  # fmt: skip


ACCEPTED = {
    "BOM": lambda t: b"\xef\xbb\xbf" + t.encode(),
    "Windows line endings": lambda t: t.replace("\n", "\r\n").encode(),
    "old Mac line endings": lambda t: t.replace("\n", "\r").encode(),
    "blank lines at the end": lambda t: (t + "\n\n").encode(),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_harmless_spreadsheet_habits_load_the_same_values(tmp_path, case):
    clean = load(write(tmp_path / "a")).claims
    d = write(tmp_path / "b")
    (d / "claims.csv").write_bytes(ACCEPTED[case](TABLES["claims"]))
    report = validate(d)
    assert report.ok and not report.warnings, str(report)
    pd.testing.assert_frame_equal(load(d).claims, clean)


def test_spaces_around_a_header_are_stripped_with_a_warning(tmp_path):
    d = write(tmp_path, **edit("events", ",kind,", ", kind ,"))
    report = validate(d)
    assert report.ok
    assert any("header ' kind ' has spaces around it" in p.message for p in at(report, "events.csv", 1, "kind"))  # fmt: skip
    assert load(d).events["kind"].iloc[1] == "release"


def test_a_row_of_empty_cells_is_ignored_with_a_warning(tmp_path):
    d = write(tmp_path, totals=TABLES["totals"] + ",,,,,,,,,\n")
    report = validate(d)
    assert report.ok and at(report, "totals.csv", 3, None)[0].severity == "warning"
    assert len(load(d).totals) == 1


def test_every_error_of_a_file_is_reported_at_once(tmp_path):
    bad = TABLES["events"].replace("2025-11-04,,day", "2025-13-04,,day").replace("22,exact,home", "x,exact,home")  # fmt: skip
    report = validate(write(tmp_path, events=bad))
    assert {(5, "date"), (7, "count")} <= {(p.line, p.column) for p in report.errors}


def test_a_check_broken_on_many_rows_lists_the_first_and_counts_the_rest(tmp_path):
    rows = "".join(f"cl-{i},ev-20251230-pardon,,ngo-1,count,22,22,Exact,\n" for i in range(10, 60))
    report = validate(write(tmp_path, claims=TABLES["claims"] + rows))
    found = [p for p in report.errors if p.column == "precision"]
    assert len(found) == MAX_ROWS_PER_CHECK + 1
    first = 7 + MAX_ROWS_PER_CHECK  # header, five fixture claims, then the added rows
    assert found[-1].line == first
    assert f"the same problem on {50 - MAX_ROWS_PER_CHECK} more rows (from line {first} on" in found[-1].message  # fmt: skip


def test_counts_stay_exact_up_to_the_ceiling(tmp_path):
    d = write(tmp_path, **edit("prisoner_counts", "2025-09-30,1201", f"2025-09-30,{INT_CEILING}"))
    assert load(d).prisoner_counts["count"].iloc[0] == INT_CEILING


def test_columns_in_another_order_are_read_by_their_header(tmp_path):
    text = TABLES["totals"].replace("wording,source_id", "source_id,wording")
    text = text.replace("more than 430 since July 2024,ap-1", "ap-1,more than 430 since July 2024")
    d = write(tmp_path, totals=text)
    assert validate(d).ok
    totals = load(d).totals
    assert (totals["source_id"].iloc[0], totals["wording"].iloc[0]) == ("ap-1", "more than 430 since July 2024")  # fmt: skip
    assert list(totals.columns) == list(load(write(tmp_path / "b")).totals.columns)
