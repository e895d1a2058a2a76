"""belthaw.data.rules: the rules that span cells and tables, and ``validate``.

The mini package (tests/minidata.py) passes every rule; each case breaks one row and
states the file, line and column the report must name.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from belthaw.data import validate
from minidata import TABLES, edit, write

PERSON = TABLES["people"].splitlines()[1]
TWO_ON_PARDON = PERSON.replace("ev-20250911-release,released_abroad", "ev-20251230-pardon,released_home")  # fmt: skip


def people(*rows: str) -> dict[str, str]:
    return {"people": TABLES["people"].splitlines()[0] + "\n" + "".join(r + "\n" for r in rows)}


# (case, tables replaced, file, line, column, words)
RULES = [
    ("date_end before date", edit("events", "2025-12-12,2025-12-13", "2025-12-12,2025-12-10"), "events.csv", 6, "date_end", "is before 'date'"),
    ("range without an end", edit("events", "2025-12-12,2025-12-13,range", "2025-12-12,,range"), "events.csv", 6, "date_end", "is required when date_precision is 'range'"),
    ("an end on a day", edit("events", "2025-12-13,range", "2025-12-13,day"), "events.csv", 6, "date_end", "is set but date_precision is 'day'"),
    ("date in the id", edit("events", "ev-20251104-delist,2025-11-04", "ev-20251104-delist,2025-11-05"), "events.csv", 5, "event_id", "holds the date 20251104, but 'date' is another day"),
    ("one action, two jurisdictions", edit("events", "sanctions_relief,US,OFAC,Belavia,Airline taken", "sanctions_relief,EU,OFAC,Belavia,Airline taken"), "events.csv", 4, "jurisdiction", "differs between events sharing this action_id"),
    ("count on a visit", edit("events", "Envoy visits Minsk,,,,,", "Envoy visits Minsk,,,,5,exact"), "events.csv", 2, "count", "is set on a 'diplomatic_contact' event"),
    ("count without precision", edit("events", "52,exact", "52,"), "events.csv", 3, "count_precision", "is required when count is set"),
    ("part over the count", edit("events", "Lithuania,0,14,", "Lithuania,0,60,"), "events.csv", 3, "n_foreign", "foreign nationals exceed the event's count"),
    ("part without a count", edit("events", "ev-20251230-pardon,2025-12-30,,day,release,BY,Belarus,,New Year pardon,,,,22,exact,home,22", "ev-20251230-pardon,2025-12-30,,day,release,BY,Belarus,,New Year pardon,,,,,,home,22"), "events.csv", 7, "n_home", "is set but the event has no count"),
    ("freed over pardoned", edit("events", "Lithuania,0,14,,", "Lithuania,0,14,40,"), "events.csv", 3, "count", "more people freed than pardoned or announced (40)"),
    ("political_by missing", edit("events", "Lithuania,0,14,,,", "Lithuania,0,14,,5,"), "events.csv", 3, "political_by", "is required when n_political is set"),
    ("release_type missing", edit("events", ",us_deal,", ",,"), "events.csv", 3, "release_type", "is required on a release"),
    ("release_type on a visit", edit("events", "Envoy visits Minsk,,,,,,,,,,,,,Envoy", "Envoy visits Minsk,,,,,,,,,,,,pardon,Envoy"), "events.csv", 2, "release_type", "is set on an event that is not a release"),
    ("figure without a claim", edit("claims", "cl-4,ev-20250911-release,,ap-1,n_foreign,14 foreigners,14,exact,\n", ""), "events.csv", 3, "n_foreign", "has no claim in claims.csv (field 'n_foreign')"),
    ("unknown source in a list", edit("events", "ap-1;seed-1", "ap-1;nyt-9"), "events.csv", 3, "source_ids", "names unknown source(s) nyt-9"),
    ("aggregator only", edit("sources", "ngo,en,dossier,original", "ngo,en,dossier,aggregator"), "events.csv", 7, "source_ids", "rests only on aggregator-tier sources"),
    ("foreign key", edit("claims", "cl-3,ev-20251230-pardon", "cl-3,ev-20991230-ghost"), "claims.csv", 4, "event_id", "'ev-20991230-ghost' is not a known event_id in events.csv"),
    ("exchange release side", edit("exchanges", ",ev-20250911-release,", ",ev-20251104-delist,"), "exchanges.csv", 2, "release_event_id", "points to a 'sanctions_relief' event; the release side must be a release"),
    ("exchange concession side", edit("exchanges", "x-1,ev-20250911-gl11", "x-1,ev-20251230-pardon"), "exchanges.csv", 2, "concession_event_id", "points to a release"),
    ("person freed by a visit", edit("people", "ev-20250911-release,released_abroad", "ev-20250911-visit,released_abroad"), "people.csv", 2, "release_event_id", "points to a 'diplomatic_contact' event, not a release"),
    ("unknown other event", edit("people", "released_abroad,,", "released_abroad,ev-20990101-x,"), "people.csv", 2, "other_event_ids", "names unknown event(s) ev-20990101-x"),
    ("release repeated", edit("people", "released_abroad,,", "released_abroad,ev-20250911-release,"), "people.csv", 2, "other_event_ids", "repeats the release_event_id"),
    ("freed without a release", edit("people", "ev-20250911-release,released_abroad", ",released_abroad"), "people.csv", 2, "release_event_id", "is empty but the outcome is 'released_abroad'"),
    ("held but released", edit("people", "released_abroad", "still_held"), "people.csv", 2, "release_event_id", "is set but the outcome is 'still_held' (not freed)"),
    ("one person, two ids", people(PERSON, TWO_ON_PARDON.replace("maria-kalesnikava,Maria Kalesnikava,Maria Kolesnikova;Maryja Kalesnikawa", "m-k,Maria Kolesnikova,")), "people.csv", 3, "name", "is also a spelling of 'maria-kalesnikava'"),
    ("named over the exact count", people(PERSON, TWO_ON_PARDON.replace("maria-kalesnikava,Maria Kalesnikava,Maria Kolesnikova;Maryja Kalesnikawa", "a-b,Ales B,"), TWO_ON_PARDON.replace("maria-kalesnikava,Maria Kalesnikava,Maria Kolesnikova;Maryja Kalesnikawa", "c-d,Cary D,")) | edit("events", "New Year pardon,,,,22,exact,home,22", "New Year pardon,,,,1,exact,home,1"), "people.csv", 3, "release_event_id", "2 people in people.csv name ev-20251230-pardon, more than its exact count 1"),
    ("published month 13", edit("sources", "2025-12,page", "2025-13,page"), "sources.csv", 3, "published", "'2025-13' is not a real date"),
    ("published 30 February", edit("sources", "2025-09-11,page", "2025-02-30,page"), "sources.csv", 2, "published", "is not a real date"),
    ("url not a web address", edit("sources", "https://example.org/a", "see the AP story"), "sources.csv", 2, "url", "'see the AP story' is not a web address"),
    ("url not http", edit("sources", "https://example.org/a", "ftp://example.org/a"), "sources.csv", 2, "url", "is not a web address"),
    ("republication without original", edit("sources", "news,en,dossier,original", "news,en,dossier,republication"), "sources.csv", 2, "original_publisher", "is required for a republication"),
    ("total since after as_of", edit("totals", "2025-12-12,2024-07-01", "2025-12-12,2026-01-01"), "totals.csv", 2, "since", "is after as_of"),
]  # fmt: skip


@pytest.mark.parametrize(("replace", "file", "line", "column", "words"), [c[1:] for c in RULES], ids=[c[0] for c in RULES])  # fmt: skip
def test_rule_is_located(tmp_path, replace, file, line, column, words):
    report = validate(write(tmp_path, **replace))
    hits = [p for p in report.errors if (p.file, p.line, p.column) == (file, line, column)]
    assert any(words in p.message for p in hits), str(report)


WARNINGS = [
    ("release without a claim", edit("claims", "cl-3,ev-20251230-pardon,,ngo-1,count,22,22,exact,\n", ""), 7, "event_id", "no claim in claims.csv"),
    ("large release, one source", edit("events", "52 freed to Lithuania,ap-1;seed-1", "52 freed to Lithuania,ap-1"), 3, "source_ids", "rests on a single source"),
    ("event after today", {"__today__": "2025-12-29"}, 7, "date", "is after today"),
]  # fmt: skip


@pytest.mark.parametrize(("replace", "line", "column", "words"), [c[1:] for c in WARNINGS], ids=[c[0] for c in WARNINGS])  # fmt: skip
def test_warnings_do_not_block(tmp_path, monkeypatch, replace, line, column, words):
    replace = dict(replace)
    if "__today__" in replace:  # "today" is an input (BELTHAW_TODAY)
        monkeypatch.setenv("BELTHAW_TODAY", replace.pop("__today__"))
    report = validate(write(tmp_path, **replace))
    assert report.ok, str(report)
    assert any((p.line, p.column) == (line, column) and words in p.message for p in report.warnings), str(report)  # fmt: skip


def test_the_mini_package_passes_every_rule_and_reports_its_tables(tmp_path):
    report = validate(write(tmp_path))
    assert report.ok and not report.warnings, str(report)
    assert report.rows == {"sources": 3, "events": 6, "claims": 5, "exchanges": 1, "people": 1, "prisoner_counts": 2, "totals": 1}  # fmt: skip
    assert str(report).endswith("OK: 0 error(s), 0 warning(s)")


def test_cell_and_cross_table_errors_come_in_one_pass(tmp_path):
    replace = edit("events", "22,exact,home", "lots,exact,home") | edit("claims", "cl-3,ev-20251230-pardon", "cl-3,ev-20991230-ghost")  # fmt: skip
    text = str(validate(write(tmp_path, **replace)))
    assert "events.csv, line 7, column 'count': 'lots' is not a whole number" in text
    assert "claims.csv, line 4, column 'event_id': 'ev-20991230-ghost' is not a known" in text


def test_rules_on_optional_columns_apply_only_when_the_column_exists(tmp_path):
    d = write(tmp_path)
    pkg = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    ev = next(r for r in pkg["resources"] if r["name"] == "events")
    drop = {"n_pardoned", "n_political", "political_by", "release_type"}
    keep = [i for i, f in enumerate(ev["schema"]["fields"]) if f["name"] not in drop]
    ev["schema"]["fields"] = [ev["schema"]["fields"][i] for i in keep]
    (d / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    rows = list(csv.reader(io.StringIO(TABLES["events"], newline="")))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
    (d / "events.csv").write_text(buf.getvalue(), encoding="utf-8")
    report = validate(d)
    assert report.ok, str(report)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "belthaw", *args], capture_output=True, text=True, timeout=120)  # fmt: skip


def test_belthaw_validate_prints_the_tables_and_ok(tmp_path):
    proc = cli("validate", "--data-dir", str(write(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    first, last = proc.stdout.strip().splitlines()
    assert first.startswith("tables: sources 3, events 6, claims 5,") and "(data version " in first
    assert last == "OK: 0 error(s), 0 warning(s)"


def test_belthaw_validate_fails_naming_file_line_and_column(tmp_path):
    d = write(tmp_path, **edit("events", "2025-11-04,,day", "2025-11-31,,day"))
    proc = cli("validate", "--data-dir", str(d))
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert "ERROR   events.csv, line 5, column 'date': '2025-11-31' is not a date" in proc.stdout
    assert proc.stdout.strip().endswith("FAILED: 1 error(s), 0 warning(s)")
