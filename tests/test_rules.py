"""Cross-cell and cross-table rules: each broken on a copy of the shipped data, located exactly.

The shipped package passes every rule; each case below breaks one row and states the
file, line and column the report must name.
"""

from __future__ import annotations

import json

import pytest

from belthaw import paths
from belthaw.data import validate
from test_bad_input import fresh, read_rows, set_cell, write_rows


def where(**match):
    return lambda r: all(r[k] == v for k, v in match.items())


def release(r):
    return r["kind"] == "release" and r["count"] != ""


def event_date_in_id(d):
    line = set_cell(d, "events", "date", "2024-07-04", where(event_id="ev-20240703-release-18"))
    return f"events.csv, line {line}, column 'event_id': holds the date 20240703, but 'date'"


def since_missing(d):
    line = set_cell(d, "totals", "since", "")
    return f"totals.csv, line {line}, column 'since': is required"


def since_after_as_of(d):
    line = set_cell(d, "totals", "since", "2030-01-01")
    return f"totals.csv, line {line}, column 'since': is after as_of"


def published(value):
    def case(d):
        line = set_cell(d, "sources", "published", value)
        return f"sources.csv, line {line}, column 'published': '{value}' is not a real date"

    return case


def url(value):
    def case(d):
        line = set_cell(d, "sources", "url", value)
        return f"sources.csv, line {line}, column 'url': '{value}' is not a web address"

    return case


def dangling_other_event(d):
    line = set_cell(
        d, "people", "other_event_ids", "ev-20990101-nothing", where(person_id="donald-trump")
    )
    return f"people.csv, line {line}, column 'other_event_ids': names unknown event(s) ev-20990101"


def part_over_count(col, words):
    def case(d):
        rows = read_rows(d, "events")
        h = rows[0]
        k = next(i for i in range(1, len(rows)) if release(dict(zip(h, rows[i], strict=True))))
        rows[k][h.index(col)] = str(int(rows[k][h.index("count")]) + 1)
        if col == "n_political":
            rows[k][h.index("political_by")] = "Viasna"
        write_rows(d, "events", rows)
        return f"events.csv, line {k + 1}, column '{col}': {words} exceed the event's count"

    return case


def freed_over_pardoned(d):
    line = set_cell(d, "events", "n_pardoned", "1", where(event_id="ev-20240703-release-18"))
    return f"events.csv, line {line}, column 'count': more people freed than pardoned or announced"


def political_by_missing(d):
    line = set_cell(d, "events", "n_political", "5", where(event_id="ev-20240703-release-18"))
    return f"events.csv, line {line}, column 'political_by': is required when n_political is set"


def part_without_count(d):
    line = set_cell(d, "events", "n_home", "3", where(event_id="ev-20220201-lt-potash-transit-ban"))
    return f"events.csv, line {line}, column 'n_home': is set but the event has no count"


def release_type_missing(d):
    line = set_cell(d, "events", "release_type", "", release)
    return f"events.csv, line {line}, column 'release_type': is required on a release"


def release_type_on_other(d):
    line = set_cell(
        d, "events", "release_type", "pardon", where(event_id="ev-20220201-lt-potash-transit-ban")
    )
    return (
        f"events.csv, line {line}, column 'release_type': is set on an event that is not a release"
    )


def unbacked_figure(d):
    line = set_cell(d, "events", "n_foreign", "1", where(event_id="ev-20240703-release-18"))
    return f"events.csv, line {line}, column 'n_foreign': has no claim in claims.csv"


def aggregator_only(d):
    rows = read_rows(d, "sources")
    h = rows[0]
    agg = next(r[0] for r in rows[1:] if r[h.index("tier")] == "aggregator")
    line = set_cell(d, "events", "source_ids", agg, release)
    return f"events.csv, line {line}, column 'source_ids': rests only on aggregator-tier sources"


def republication_without_original(d):
    line = set_cell(d, "sources", "original_publisher", "", where(tier="republication"))
    return f"sources.csv, line {line}, column 'original_publisher': is required for a republication"


def release_points_elsewhere(d):
    line = set_cell(
        d,
        "people",
        "release_event_id",
        "ev-20220201-lt-potash-transit-ban",
        where(person_id="ihar-karnei"),
    )
    return f"people.csv, line {line}, column 'release_event_id': points to a 'other' event"


def person_freed_twice(d):
    rows = read_rows(d, "people")
    h = rows[0]
    src = next(r for r in rows[1:] if r[h.index("person_id")] == "ihar-karnei")
    copy = list(src)
    copy[h.index("person_id")] = "igor-karney"
    copy[h.index("name")] = "Igor Karney"  # a listed variant of Ihar Karnei
    copy[h.index("variants")] = ""
    copy[h.index("release_event_id")] = "ev-20250212-release-3"
    rows.append(copy)
    write_rows(d, "people", rows)
    return (
        f"people.csv, line {len(rows)}, column 'name': is also a spelling of 'ihar-karnei': "
        "the same person, freed twice?"
    )


def release_also_in_others(d):
    line = set_cell(
        d, "people", "other_event_ids", "ev-20250621-release-14", where(person_id="ihar-karnei")
    )
    return f"people.csv, line {line}, column 'other_event_ids': repeats the release_event_id"


def held_but_released(d):
    line = set_cell(d, "people", "outcome", "still_held", where(person_id="ihar-karnei"))
    return f"people.csv, line {line}, column 'release_event_id': is set but the outcome is 'still_held'"


def freed_without_release(d):
    line = set_cell(d, "people", "release_event_id", "", where(person_id="ihar-karnei"))
    return f"people.csv, line {line}, column 'release_event_id': is empty but the outcome is"


def named_over_count(d):
    rows = read_rows(d, "people")
    h = rows[0]
    named = [r for r in rows[1:] if r[h.index("release_event_id")] == "ev-20250212-release-3"]
    assert len(named) >= 2
    set_cell(d, "events", "count", "1", where(event_id="ev-20250212-release-3"))
    set_cell(d, "events", "n_pardoned", "1", where(event_id="ev-20250212-release-3"))
    line = 1 + next(
        i for i, r in enumerate(rows) if r[h.index("release_event_id")] == "ev-20250212-release-3"
    )
    return (
        f"people.csv, line {line}, column 'release_event_id': {len(named)} people in "
        "people.csv name ev-20250212-release-3, more than its exact count 1"
    )


CASES = {
    "event_id date differs from date": event_date_in_id,
    "totals.since missing": since_missing,
    "totals.since after as_of": since_after_as_of,
    "published month 13": published("2025-13"),
    "published 30 February": published("2025-02-30"),
    "url not a URL": url("see the AP story"),
    "url not http": url("ftp://example.org/a"),
    "dangling other_event_ids": dangling_other_event,
    "n_home over count": part_over_count("n_home", "people who stayed home"),
    "n_foreign over count": part_over_count("n_foreign", "foreign nationals"),
    "n_political over count": part_over_count("n_political", "recognised political prisoners"),
    "freed over pardoned": freed_over_pardoned,
    "political_by missing": political_by_missing,
    "part without a count": part_without_count,
    "release_type missing": release_type_missing,
    "release_type on a non-release": release_type_on_other,
    "figure without a claim": unbacked_figure,
    "aggregator-only event": aggregator_only,
    "republication without original": republication_without_original,
    "person's release is not a release": release_points_elsewhere,
    "person freed twice under two ids": person_freed_twice,
    "release repeated in other_event_ids": release_also_in_others,
    "still held but released": held_but_released,
    "freed without a release": freed_without_release,
    "named people over exact count": named_over_count,
}


def test_shipped_data_passes_every_rule():
    report = validate(paths.ROOT / "data")
    assert report.ok, str(report)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_is_located(tmp_path, name):
    d = fresh(tmp_path)
    expected = CASES[name](d)
    report = validate(d)
    assert not report.ok
    assert expected in str(report), str(report)


def test_rules_on_new_columns_apply_only_when_the_column_exists(tmp_path):
    d = fresh(tmp_path)
    pkg = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    ev = next(r for r in pkg["resources"] if r["name"] == "events")
    drop = {"n_pardoned", "n_political", "political_by", "release_type"}
    ev["schema"]["fields"] = [f for f in ev["schema"]["fields"] if f["name"] not in drop]
    (d / "datapackage.json").write_text(json.dumps(pkg, indent=2), encoding="utf-8")
    rows = read_rows(d, "events")
    keep = [i for i, c in enumerate(rows[0]) if c not in drop]
    write_rows(d, "events", [[r[i] for i in keep] for r in rows])
    report = validate(d)
    assert report.ok, str(report)
