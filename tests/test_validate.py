"""Bad input gets a clear error naming file, line and column; nothing is silently dropped."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import belthaw
from belthaw.errors import DataError
from minidata import TABLES, write


def edit(table: str, old: str, new: str) -> dict[str, str]:
    text = TABLES[table]
    assert old in text, f"fixture has no {old!r} in {table}"
    return {table: text.replace(old, new, 1)}


# (case id, replacement tables, file, line, column, words the message must contain)
ERROR_CASES = [
    (
        "missing column",
        {"claims": TABLES["claims"].replace(",note\n", "\n", 1).replace(",\n", "\n")},
        "claims.csv",
        1,
        "note",
        "column is missing",
    ),
    (
        "extra column",
        {
            "totals": TABLES["totals"]
            .replace("notes\n", "notes,extra\n", 1)
            .replace(",ap-1,\n", ",ap-1,,\n")
        },
        "totals.csv",
        1,
        "extra",
        "unexpected column",
    ),
    (
        "unparseable date",
        edit("events", "2025-11-04,,day", "2025-11-31,,day"),
        "events.csv",
        5,
        "date",
        "not a date",
    ),
    (
        "date_end before date",
        edit("events", "2025-12-12,2025-12-13", "2025-12-12,2025-12-10"),
        "events.csv",
        6,
        "date_end",
        "before 'date'",
    ),
    (
        "unknown kind",
        edit("events", "day,release,BY,Belarus,,New", "day,pardon,BY,Belarus,,New"),
        "events.csv",
        7,
        "kind",
        "expected one of",
    ),
    (
        "unknown precision",
        edit("events", "52,exact", "52,roughly"),
        "events.csv",
        3,
        "count_precision",
        "expected one of",
    ),
    (
        "negative count",
        edit("events", "22,exact,home", "-22,exact,home"),
        "events.csv",
        7,
        "count",
        "below the minimum 0",
    ),
    (
        "non-integer count",
        edit("events", "22,exact,home", "22.5,exact,home"),
        "events.csv",
        7,
        "count",
        "not a whole number",
    ),
    (
        "count on a kind without counts",
        edit(
            "events",
            "Envoy visits Minsk,,,,,,,,,,,,,Envoy",
            "Envoy visits Minsk,,,,5,exact,,,,,,,,Envoy",
        ),
        "events.csv",
        2,
        "count",
        "'diplomatic_contact' event",
    ),
    (
        "duplicate event_id",
        edit("events", "ev-20251230-pardon", "ev-20250911-release"),
        "events.csv",
        7,
        "event_id",
        "duplicate value",
    ),
    (
        "unknown source in source_ids",
        edit("events", "ap-1;seed-1", "ap-1;nyt-9"),
        "events.csv",
        3,
        "source_ids",
        "unknown source(s) nyt-9",
    ),
    (
        "exchange release side not a release",
        edit("exchanges", ",ev-20250911-release,", ",ev-20251104-delist,"),
        "exchanges.csv",
        2,
        "release_event_id",
        "must be a release",
    ),
    (
        "claim on unknown event",
        edit("claims", "cl-3,ev-20251230-pardon", "cl-3,ev-20991230-ghost"),
        "claims.csv",
        4,
        "event_id",
        "not a known event_id in events.csv",
    ),
    (
        "trailing whitespace in id",
        edit("sources", "ngo-1,Viasna", "ngo-1 ,Viasna"),
        "sources.csv",
        3,
        "source_id",
        "trailing whitespace",
    ),
    ("empty file", {"people": ""}, "people.csv", None, None, "is empty"),
    ("non-UTF-8 file", {"totals": None}, "totals.csv", 2, None, "not UTF-8"),
    (
        "row with too many fields",
        edit("totals", ",ap-1,\n", ",ap-1,,oops\n"),
        "totals.csv",
        2,
        None,
        "row has 10 cells but the header has 9",
    ),
]


@pytest.mark.parametrize(
    "replace,file,line,column,words", [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES]
)
def test_bad_input_is_named(tmp_path, replace, file, line, column, words):
    if replace == {"totals": None}:  # Latin-1 bytes on the first data row
        d = write(tmp_path)
        (d / "totals.csv").write_bytes(
            TABLES["totals"].replace("since July", "since Julí").encode("latin-1")
        )
    else:
        d = write(tmp_path, **replace)
    report = belthaw.validate(d)
    assert not report.ok
    hits = [p for p in report.errors if p.file == file and p.line == line and p.column == column]
    assert hits, f"no error at {file}:{line}:{column}; got:\n{report}"
    assert any(words in p.message for p in hits), str(report)
    with pytest.raises(DataError) as exc:
        belthaw.load(d)
    assert file in str(exc.value)


def test_every_error_of_a_file_is_reported_at_once(tmp_path):
    bad = (
        TABLES["events"]
        .replace("2025-11-04,,day", "2025-13-04,,day")
        .replace("22,exact,home", "x,exact,home")
    )
    report = belthaw.validate(write(tmp_path, events=bad))
    assert {(p.line, p.column) for p in report.errors} >= {(5, "date"), (7, "count")}


def test_the_cap_on_repeated_problems_summarises_the_rest(tmp_path):
    rows = "".join(f"cl-{i},ev-20991230-ghost,,ap-1,count,1,1,exact,\n" for i in range(10, 60))
    report = belthaw.validate(write(tmp_path, claims=TABLES["claims"] + rows))
    ghost = [p for p in report.errors if p.column == "event_id"]
    assert len(ghost) == 21 and "30 more rows" in ghost[-1].message


WARNING_CASES = [
    (
        "release without claim",
        edit("claims", "cl-3,ev-20251230-pardon,,ngo-1,count,22,22,exact,\n", ""),
        7,
        "event_id",
        "no claim",
    ),
    (
        "single-source release over 50",
        edit("events", "52 freed to Lithuania,ap-1;seed-1", "52 freed to Lithuania,ap-1"),
        3,
        "source_ids",
        "single source",
    ),
    (
        # "Today" is an input (BELTHAW_TODAY): a day before the newest event makes it future.
        "event after today",
        {"__today__": "2025-12-29"},
        7,
        "date",
        "after today",
    ),
]


@pytest.mark.parametrize(
    "replace,line,column,words", [c[1:] for c in WARNING_CASES], ids=[c[0] for c in WARNING_CASES]
)
def test_warnings_do_not_block_loading(tmp_path, monkeypatch, replace, line, column, words):
    replace = dict(replace)
    today = replace.pop("__today__", None)
    if today:
        monkeypatch.setenv("BELTHAW_TODAY", today)
    d = write(tmp_path, **replace)
    report = belthaw.validate(d)
    assert report.ok, str(report)
    assert any(
        p.line == line and p.column == column and words in p.message for p in report.warnings
    ), str(report)
    assert any(words in p.message for p in belthaw.load(d).warnings)


def test_a_spreadsheet_bom_is_accepted_silently(tmp_path):
    report = belthaw.validate(write(tmp_path, claims="\ufeff" + TABLES["claims"]))
    assert report.ok and not report.warnings, str(report)


def test_clean_package_has_no_problems(tmp_path):
    report = belthaw.validate(write(tmp_path))
    assert report.ok and not report.warnings, str(report)
    assert report.rows["events"] == 6


LOAD_TYPES = [
    ("events", "date", "datetime64"),
    ("events", "count", "Int64"),
    ("events", "kind", "category"),
    ("events", "title", "str"),
    ("claims", "value_num", "float64"),
    ("totals", "since", "datetime64"),
]


@pytest.mark.parametrize("table,column,dtype", LOAD_TYPES)
def test_load_gives_typed_frames(tmp_path, table, column, dtype):
    data = belthaw.load(write(tmp_path))
    assert str(data.table(table)[column].dtype).startswith(dtype)


def test_load_metadata(tmp_path):
    data = belthaw.load(write(tmp_path))
    assert data.as_of == pd.Timestamp("2025-12-30")
    # The package's semantic version plus a content hash of every file in the folder.
    semver, digest = data.version.split("+")
    assert semver == json.loads((tmp_path / "datapackage.json").read_text())["version"]
    assert len(digest) == 12 and int(digest, 16) >= 0
    assert data.publishers(["ap-1;seed-1", "ngo-1"]) == ["AP", "Example Analysis", "Viasna"]
    assert list(data.events["kind"].cat.categories)[:2] == ["release", "sanctions_relief"]
    # empty text stays "" (never NaN), empty numbers are NA
    assert data.events.loc[0, "notes"] == "" and pd.isna(data.events.loc[0, "count"])


def test_version_changes_with_the_data(tmp_path):
    a = belthaw.load(write(tmp_path / "a")).version
    b = belthaw.load(
        write(tmp_path / "b", **edit("events", "New Year pardon", "New-Year pardon"))
    ).version
    assert a != b


@pytest.mark.parametrize("name", ["people.csv", "claims.csv", "CHANGELOG.md", "datapackage.json"])
def test_editing_any_data_file_changes_the_version(tmp_path, name):
    """Every file of the folder is in the version, not only the tables a figure reads."""
    folder = write(tmp_path / "a")
    (folder / "CHANGELOG.md").write_text("# Changes\n", encoding="utf-8")
    before = belthaw.validate(folder).version
    with open(folder / name, "ab") as fh:
        fh.write(b"\n")
    assert belthaw.validate(folder).version != before


def _cli(*args):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "belthaw", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_validate_passes_on_a_clean_copy_and_summarises(tmp_path):
    d = write(tmp_path)
    ok = _cli("validate", "--data-dir", str(d))
    assert ok.returncode == 0 and "OK: 0 error(s)" in ok.stdout
    summary = _cli("summary", "--data-dir", str(d))
    assert summary.returncode == 0 and "events" in summary.stdout and "2025" in summary.stdout


def test_cli_validate_fails_on_a_broken_copy_naming_file_line_and_column(tmp_path):
    d = write(tmp_path, **edit("events", "2025-11-04,,day", "2025-11-31,,day"))
    proc = _cli("validate", "--data-dir", str(d))
    assert proc.returncode == 1
    assert "events.csv, line 5, column 'date'" in proc.stdout and "not a date" in proc.stdout
    broken = _cli("summary", "--data-dir", str(d))
    assert broken.returncode == 1 and "events.csv, line 5" in broken.stderr


def test_publishers_in_order_keeps_citation_order(tmp_path):
    data = belthaw.load(write(tmp_path))
    assert data.publishers_in_order(["seed-1;ap-1", "ap-1", "nope", "ngo-1"]) == [
        "Example Analysis",
        "AP",
        "Viasna",
    ]
    assert data.publishers_in_order("ngo-1;ap-1") == ["Viasna", "AP"]
