"""transforms/timeline.py: counting rules, granularity and lower bounds of the release series;
the stock series."""

import pandas as pd
import pytest

from belthaw.counting import CountingRule
from belthaw.transforms.common import ids_by_frequency, join_unique
from belthaw.transforms.timeline import release_series, stock_series
from synth import make_dataset, release


def counts(frame):
    return dict(zip(frame["event_id"], frame["count"].astype(int), strict=True))


@pytest.mark.parametrize(
    ("kwargs", "event_id", "count", "lower_bound"),
    [
        ({}, "ev-20250911-release", 52, True),  # at_least stays a floor
        ({}, "ev-20260115-release", 0, True),  # no count: kept as 0, flagged
        ({}, "ev-20240703-pardon", 18, False),
        ({"include_released_home": False}, "ev-20240703-pardon", 0, False),  # all home
        ({"include_released_home": False}, "ev-20250911-release", 0, True),  # n_home unknown
        ({"include_released_home": False}, "ev-20251213-release", 123, False),
        ({"include_foreign_nationals": False}, "ev-20250621-release", 11, False),
        ({"include_foreign_nationals": False}, "ev-20251213-release", 123, False),  # unknown -> 0
        ({"count_basis": "lower"}, "ev-20250911-release", 50, True),  # "more than 50"
        ({"count_basis": "upper"}, "ev-20250911-release", 60, False),  # "about 60"
        ({"count_basis": "upper"}, "ev-20250621-release", 14, False),
    ],
)
def test_counting_rules(ds, kwargs, event_id, count, lower_bound):
    s = release_series(ds, CountingRule.from_params(kwargs)).set_index("event_id")
    assert s.loc[event_id, "count"] == count
    assert bool(s.loc[event_id, "is_lower_bound"]) is lower_bound


def test_unknown_foreign_is_flagged(ds):
    s = release_series(ds, CountingRule(include_foreign_nationals=False)).set_index("event_id")
    assert s.loc["ev-20251213-release", "may_include_foreign"]
    assert not s.loc["ev-20250621-release", "may_include_foreign"]


def test_event_granularity_columns_and_cumulative(ds):
    s = release_series(ds)
    for col in [
        "period",
        "event_id",
        "title",
        "count",
        "is_lower_bound",
        "count_precision",
        "destination",
        "n_events",
        "source_ids",
        "cumulative",
        "cumulative_is_lower_bound",
    ]:
        assert col in s.columns
    assert s["count"].dtype == "Int64" and s["cumulative"].dtype == "Int64"
    assert s["period"].is_monotonic_increasing
    assert s["cumulative"].tolist() == [18, 21, 24, 38, 90, 213, 213]
    # A sum containing a lower bound is a lower bound from that row on.
    assert s["cumulative_is_lower_bound"].tolist() == [False] * 4 + [True] * 3
    assert (s["n_events"] == 1).all()


@pytest.mark.parametrize(
    ("granularity", "n_rows", "first", "zeros"),
    [("month", 19, "2024-07-01", 12), ("quarter", 7, "2024-07-01", 1)],
)
def test_period_granularity_fills_gaps(ds, granularity, n_rows, first, zeros):
    s = release_series(ds, granularity=granularity)
    assert len(s) == n_rows
    assert s["period"].iloc[0] == pd.Timestamp(first)
    assert (s["n_events"] == 0).sum() == zeros
    assert s["count"].sum() == 213 and s["cumulative"].iloc[-1] == 213
    assert s["is_lower_bound"].any()
    assert s.loc[s["n_events"] == 0, "source_ids"].eq("").all()


def test_quarter_joins_unique_sources(ds):
    s = release_series(ds, granularity="quarter")
    assert s["source_ids"].iloc[0] == "viasna-1;ap-1;reuters-1"


@pytest.mark.parametrize(
    ("start", "end", "ids"),
    [
        ("2025-06-21", "2025-09-11", ["ev-20250621-release", "ev-20250911-release"]),
        (pd.Timestamp("2025-12-14"), None, ["ev-20260115-release"]),
        (None, "2024-07-03", ["ev-20240703-pardon"]),
        ("2023-01-01", "2023-02-01", []),
    ],
)
def test_start_end_inclusive(ds, start, end, ids):
    s = release_series(ds, start=start, end=end)
    assert s["event_id"].tolist() == ids


def test_cumulative_restarts_within_selection(ds):
    s = release_series(ds, start="2025-09-01")
    assert s["cumulative"].tolist() == [52, 175, 175]


def test_empty_selection_says_why(ds):
    s = release_series(ds, start="2023-01-01", end="2023-02-01")
    assert s.attrs["selection"] == "releases between 2023-01-01 and 2023-02-01"
    assert s.attrs["coverage"] == "the data covers 2024-07-03 to 2026-01-20"
    assert release_series(ds, start="2023-01-01", end="2023-02-01", granularity="month").empty


def test_only_releases_counted():
    ds = make_dataset(
        events=[
            release("ev-20250101-a", "2025-01-01", 5),
            release("ev-20250301-b", "2025-03-01", 7, "at_least"),
        ]
    )
    s = release_series(ds, granularity="month")
    assert s["count"].tolist() == [5, 0, 7]
    assert s["cumulative_is_lower_bound"].tolist() == [False, False, True]


def test_twenty_thousand_releases_aggregate_by_month():
    n = 20_000
    rows = [
        release(
            f"ev-2025{(i % 12) + 1:02d}01-r{i}",
            f"2025-{(i % 12) + 1:02d}-01",
            i % 50,
            "exact",
            "Lithuania;home",
            None,
            None,
        )
        for i in range(n)
    ]
    ds = make_dataset(events=rows, claims=[], exchanges=[])
    s = release_series(
        ds,
        CountingRule(include_released_home=False, include_foreign_nationals=False),
        granularity="month",
    )
    assert s["n_events"].sum() == n


def test_bad_arguments(ds):
    with pytest.raises(ValueError, match="granularity"):
        release_series(ds, granularity="week")
    with pytest.raises(ValueError, match="basis"):
        CountingRule(basis="median")


def test_stock_series(ds):
    st = stock_series(ds.prisoner_counts)
    assert list(st.columns) == ["date", "count", "precision", "counted_by", "source_id"]
    assert st["date"].is_monotonic_increasing and len(st) == 5
    v = stock_series(ds.prisoner_counts, counted_by="viasna", start="2025-01-01")
    assert v["count"].tolist() == [1250, 1140, 1110]


def test_helpers():
    assert join_unique(pd.Series(["a;b", "b;c", "d"]), pd.Series([1, 1, 2])).tolist() == [
        "a;b;c",
        "d",
    ]
    assert ids_by_frequency(["x;y", "y"], ["z;y"]) == ("y", "x", "z")
