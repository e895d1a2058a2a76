"""Exchange pairs (lag sign, evidence) and candidate links (window, no duplicates)."""

import pytest

from belthaw.transforms.exchanges import PAIR_COLUMNS, exchange_pairs, infer_links
from synth import make_dataset, release


def test_pairs_columns_and_lag(ds):
    p = exchange_pairs(ds)
    assert list(p.columns) == PAIR_COLUMNS
    assert dict(zip(p["exchange_id"], p["lag_days"], strict=True)) == {
        "x-1": 1,  # release the day after the visit: positive
        "x-2": 0,
        "x-3": 0,
        "x-4": 0,
    }
    assert p["lag_days"].dtype == "int64"
    assert p.set_index("exchange_id").loc["x-4", "evidence"] == "AP; Reuters; US State Department"
    assert p.set_index("exchange_id").loc["x-3", "release_count"] == 52


@pytest.mark.parametrize(
    ("strengths", "ids"),
    [(("explicit",), ["x-3", "x-4"]), (("reported", "inferred"), ["x-1", "x-2"]), ((), [])],
)
def test_link_filter(ds, strengths, ids):
    assert exchange_pairs(ds, link_strengths=strengths)["exchange_id"].tolist() == ids


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (0, []),
        (1, [("ev-20251212-coale", "ev-20251213-release", 1)]),
        (
            7,
            [
                ("ev-20251212-coale", "ev-20251213-release", 1),
                ("ev-20260120-appoint", "ev-20260115-release", -5),  # release came first
            ],
        ),
    ],
)
def test_infer_links_window(ds, window, expected):
    c = infer_links(ds, window_days=window)
    got = list(zip(c["concession_event_id"], c["release_event_id"], c["lag_days"], strict=True))
    assert got == expected
    assert (c["link"] == "candidate").all()


def test_infer_links_excludes_recorded_pairs_and_explains(ds):
    c = infer_links(ds, window_days=400)
    recorded = set(
        zip(ds.exchanges["concession_event_id"], ds.exchanges["release_event_id"], strict=True)
    )
    assert not recorded & set(zip(c["concession_event_id"], c["release_event_id"], strict=True))
    row = c[c["lag_days"] == -5].iloc[0]
    assert row["rationale"] == "release 5 days before the US step; not in exchanges.csv"
    assert row["source_ids"] == "state-1;viasna-1"
    assert list(c.columns) == PAIR_COLUMNS


def test_infer_links_many_events_is_fast():
    rows = [
        release(f"ev-2025{m:02d}{d:02d}-r", f"2025-{m:02d}-{d:02d}", 1)
        for m in range(1, 13)
        for d in range(1, 28)
    ]
    from synth import _step

    rows += [
        _step(f"ev-2025{m:02d}15-c", f"2025-{m:02d}-15", "diplomatic_contact", "US", "c", "ap-1")
        for m in range(1, 13)
    ]
    ds = make_dataset(events=rows, exchanges=[])
    c = infer_links(ds, window_days=2)
    assert len(c) == 12 * 5
    assert sorted(c["lag_days"].unique().tolist()) == [-2, -1, 0, 1, 2]
