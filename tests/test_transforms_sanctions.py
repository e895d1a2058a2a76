"""transforms/sanctions.py: lanes, directions, announced vs issued, and the 02 title's counts."""

import pandas as pd
import pytest

from belthaw.transforms.sanctions import (
    COLUMNS,
    count_actions,
    lane_label,
    measures,
    relief_finding,
)
from synth import _step, make_dataset


def test_measure_rows_lanes_and_columns(ds):
    m = measures(ds.events)
    assert list(m.columns) == COLUMNS
    assert m["lane"].tolist() == [
        "US · Belavia",
        "US · Belavia",
        "US · potash",
        "EU · listings/renewals",
        "Lithuania · border",
        "Lithuania · border",
    ]
    assert m["lane_rank"].tolist() == [0, 0, 1, 2, 3, 3]


@pytest.mark.parametrize(
    ("event_id", "direction", "status", "action_status"),
    [
        ("ev-20250911-belavia", "relief", "announced", "issued"),  # its licence came later
        ("ev-20251104-belavia-licence", "relief", "issued", "issued"),
        ("ev-20251213-potash", "relief", "announced", "announced"),  # nothing issued yet
        ("ev-20250224-eu-renewal", "renewal", "issued", "issued"),  # keeps measures in force
        ("ev-20251029-lt-border", "border_closure", "issued", "issued"),  # not a sanction
        ("ev-20251120-lt-border-reopen", "border_reopening", "issued", "issued"),
    ],
)
def test_direction_and_status(ds, event_id, direction, status, action_status):
    row = measures(ds.events).set_index("event_id").loc[event_id]
    assert (row["direction"], row["status"], row["action_status"]) == (
        direction,
        status,
        action_status,
    )


def test_singleton_action_ids_filled(ds):
    m = measures(ds.events).set_index("event_id")
    assert m.loc["ev-20250224-eu-renewal", "action_id"] == "single-ev-20250224-eu-renewal"
    assert m.loc["ev-20251104-belavia-licence", "action_id"] == "us-belavia"


@pytest.mark.parametrize(
    ("kwargs", "ids"),
    [
        ({"jurisdictions": ("US",)}, {"belavia", "belavia-licence", "potash"}),
        # pressure left out: the renewal and the closure go, the reopening stays
        ({"show_tightening": False}, {"belavia", "belavia-licence", "potash", "lt-border-reopen"}),
        ({"start": "2025-11-01", "end": "2025-12-31"}, {"belavia-licence", "lt-border-reopen", "potash"}),
        ({"start": "2023-01-01", "end": "2023-02-01"}, set()),
    ],
)  # fmt: skip
def test_filters(ds, kwargs, ids):
    got = measures(ds.events, **kwargs)["event_id"].str.split("-", n=2).str[2]
    assert set(got) == ids


def test_statements_and_releases_are_not_measures(ds):
    assert not measures(ds.events)["event_id"].str.contains("release|statement|visit").any()


def test_empty_selection_says_what_was_asked(ds):
    m = measures(ds.events, jurisdictions=("PL",), start="2025-01-01")
    assert m.empty and m.attrs["selection"].startswith("sanctions or border measures by PL")


def _measures(*rows):
    return measures(make_dataset(events=list(rows), exchanges=[], claims=[]).events)


def _relief(eid, date, stage, action, instrument="belavia"):
    return _step(eid, date, "sanctions_relief", "US", f"{instrument} {stage}", "state-1",
                 instrument=instrument, action_id=action, stage=stage)  # fmt: skip


def _tight(eid, date, title, jur="EU", kind="sanctions_tightening", instrument="eu-regime"):
    return _step(eid, date, kind, jur, title, "eu-1", instrument=instrument)


#: One row per semantic case of the 02 title's counts.
FINDING_CASES = [
    ("a renewal is not a tightening",
     [_tight("ev-20250224-r", "2025-02-24", "EU prolongs its sanctions to 2026")],
     dict(tightening=0, renewals=1)),
    ("an extension is a renewal",
     [_tight("ev-20260226-r", "2026-02-26", "EU extends Belarus sanctions to 2027")],
     dict(tightening=0, renewals=1)),
    ("a listing is a tightening",
     [_tight("ev-20250328-l", "2025-03-28", "EU lists 25 people")],
     dict(tightening=1, tightened_by=["EU"])),
    ("a border closure is not a sanction",
     [_tight("ev-20251029-b", "2025-10-29", "Lithuania shuts crossings", "LT", "other", "border")],
     dict(tightening=0, border=1)),
    ("relief only announced is counted apart",
     [_relief("ev-20251213-a", "2025-12-13", "announced", "us-potash", "potash")],
     dict(issued=0, announced=1, fronts_announced=["potash"])),
    ("announcement and licence of one action: one action, issued",
     [_relief("ev-20250911-a", "2025-09-11", "announced", "us-belavia"),
      _relief("ev-20250911-l", "2025-09-11", "licence_issued", "us-belavia")],
     dict(issued=1, announced=0, fronts_issued=["Belavia"])),
    ("three stages of one action count once",
     [_relief("ev-20251104-u", "2025-11-04", "list_updated", "us-delist"),
      _relief("ev-20260302-p", "2026-03-02", "published", "us-delist"),
      _relief("ev-20251105-e", "2025-11-05", "effective", "us-delist")],
     dict(issued=1)),
    ("US tightening is counted with the others",
     [_tight("ev-20240809-d", "2024-08-09", "OFAC designates 19 people", "US", instrument="sdn-listing"),
      _tight("ev-20240805-l", "2024-08-05", "EU lists 28 officials")],
     dict(tightening=2, tightened_by=["US", "EU"])),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "rows", "expected"), FINDING_CASES, ids=[c[0] for c in FINDING_CASES]
)
def test_relief_finding(case, rows, expected):
    f = relief_finding(_measures(*rows))
    assert {k: f[k] for k in expected} == expected


def test_count_actions_counts_stages_once(ds):
    m = measures(ds.events)
    assert count_actions(m) == m["action_id"].nunique() == 5
    assert count_actions(m.iloc[:0]) == 0


@pytest.mark.parametrize(
    ("jur", "inst", "lane"),
    [("US", "potash", "US · potash"), ("PL", "rail-freight", "Poland · rail freight"),
     ("US", "sdn-listing", "US · designations"), ("XX", "border", "XX · border")],
)  # fmt: skip
def test_lane_label(jur, inst, lane):
    assert lane_label(pd.Series([jur]), pd.Series([inst])).tolist() == [lane]
