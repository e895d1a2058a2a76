"""Lanes, directions and action timelines of sanctions and border measures."""

import pytest

from belthaw.transforms.sanctions import action_timeline, lane_label, measures


def test_measure_rows_and_lanes(ds):
    m = measures(ds.events)
    assert m["lane"].tolist() == [
        "US · Belavia",
        "US · Belavia",
        "US · potash",
        "EU · listings/renewals",
        "Lithuania · border",
        "Lithuania · border",
    ]
    assert m["lane_rank"].tolist() == [0, 0, 1, 2, 3, 3]
    for col in [
        "lane",
        "direction",
        "action_id",
        "action_stage",
        "date",
        "title",
        "jurisdiction",
        "instrument",
        "source_ids",
    ]:
        assert col in m


@pytest.mark.parametrize(
    ("event_id", "direction"),
    [
        ("ev-20250911-belavia", "relief"),
        ("ev-20250224-eu-renewal", "tightening"),
        ("ev-20251029-lt-border", "tightening"),
        ("ev-20251120-lt-border-reopen", "easing"),
    ],
)
def test_direction(ds, event_id, direction):
    m = measures(ds.events).set_index("event_id")
    assert m.loc[event_id, "direction"] == direction


def test_singleton_action_ids_filled(ds):
    m = measures(ds.events).set_index("event_id")
    assert m.loc["ev-20250224-eu-renewal", "action_id"] == "single-ev-20250224-eu-renewal"
    assert m.loc["ev-20251104-belavia-licence", "action_id"] == "us-belavia"


@pytest.mark.parametrize(
    ("kwargs", "n"),
    [
        ({}, 6),
        ({"jurisdictions": ("US",)}, 3),
        ({"show_tightening": False}, 4),
        ({"start": "2025-11-01", "end": "2025-12-31"}, 3),
        ({"start": "2023-01-01", "end": "2023-02-01"}, 0),
    ],
)
def test_filters(ds, kwargs, n):
    assert len(measures(ds.events, **kwargs)) == n


def test_statements_and_releases_are_not_measures(ds):
    m = measures(ds.events)
    assert not m["event_id"].str.contains("release|statement|visit").any()


def test_action_timeline(ds):
    a = action_timeline(measures(ds.events)).set_index("action_id")
    assert a.loc["us-belavia", "n_stages"] == 2
    assert a.loc["us-belavia", "stages"] == ["announced", "licence_issued"]
    assert a.loc["us-belavia", "span_days"] == 54
    assert a.loc["single-ev-20250224-eu-renewal", "span_days"] == 0
    assert a.loc["single-ev-20250224-eu-renewal", "stages"] == []


def test_lane_label_unknown_instrument():
    import pandas as pd

    assert lane_label(pd.Series(["PL"]), pd.Series(["rail-freight"])).tolist() == [
        "Poland · rail freight"
    ]
