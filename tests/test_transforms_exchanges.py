"""transforms/exchanges.py: pairs (lag sign, evidence, window), candidate links, the chart's
rows (grouping, order, labels, lag words), the title's counts and the pairs table."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from belthaw.transforms import exchanges as tx
from belthaw.transforms.exchanges import (
    PAIR_COLUMNS,
    ROW_COLUMNS,
    exchange_finding,
    exchange_pairs,
    exchange_rows,
    infer_links,
    lag_words,
    pairs_table,
)
from ladder_data import ladder_dataset
from synth import _step, make_dataset, release


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
    ("kwargs", "ids"),
    [
        ({"link_strengths": ("explicit",)}, ["x-3", "x-4"]),
        ({"link_strengths": ("reported", "inferred")}, ["x-1", "x-2"]),
        ({"link_strengths": ()}, []),
        ({"start": "2025-06-01"}, ["x-2", "x-3", "x-4"]),  # by the release's date
        ({"end": "2025-09-11"}, ["x-1", "x-2", "x-3"]),
    ],
)
def test_pair_filters(ds, kwargs, ids):
    assert exchange_pairs(ds, **kwargs)["exchange_id"].tolist() == ids


def test_empty_pairs_say_what_was_asked(ds):
    p = exchange_pairs(ds, link_strengths=("explicit",), start="2024-01-01", end="2024-02-01")
    assert p.empty
    assert p.attrs["selection"] == (
        "exchanges with link strength explicit between 2024-01-01 and 2024-02-01"
    )
    assert exchange_rows(p, ds.events).attrs["selection"] == p.attrs["selection"]


@pytest.mark.parametrize(
    ("window", "start", "expected"),
    [
        (0, None, []),
        (1, None, [("ev-20251212-coale", "ev-20251213-release", 1)]),
        (7, None, [("ev-20251212-coale", "ev-20251213-release", 1),
                   ("ev-20260120-appoint", "ev-20260115-release", -5)]),  # release came first
        (7, "2026-01-01", [("ev-20260120-appoint", "ev-20260115-release", -5)]),
    ],
)  # fmt: skip
def test_infer_links_window(ds, window, start, expected):
    c = infer_links(ds, window_days=window, start=start)
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


def test_infer_links_on_a_year_of_daily_releases():
    rows = [
        release(f"ev-2025{m:02d}{d:02d}-r", f"2025-{m:02d}-{d:02d}", 1)
        for m in range(1, 13)
        for d in range(1, 28)
    ]
    rows += [
        _step(f"ev-2025{m:02d}15-c", f"2025-{m:02d}-15", "diplomatic_contact", "US", "c", "ap-1")
        for m in range(1, 13)
    ]
    c = infer_links(make_dataset(events=rows, exchanges=[]), window_days=2)
    assert len(c) == 12 * 5  # each contact pairs with the 5 releases within 2 days
    assert sorted(c["lag_days"].unique().tolist()) == [-2, -1, 0, 1, 2]


# -- rows ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ladder():
    return ladder_dataset()


def _rows(data, **kw):
    return exchange_rows(exchange_pairs(data, **kw), data.events)


def test_steps_answered_by_one_release_on_nearby_days_are_one_row(ladder):
    rows = _rows(ladder)
    assert len(rows) == 3 and list(rows.columns[: len(ROW_COLUMNS)]) == ROW_COLUMNS
    group = rows[rows["release"] == "52 freed to Lithuania"].iloc[0]
    assert group["n_steps"] == 3
    # relief first (what the US gave), the firmest link first among relief steps
    assert group["us_step"] == "Belavia partial relief (OFAC GL 11) + More airline relief + Coale visit"  # fmt: skip
    assert group["link"] == "explicit"  # the firmest link of the group
    assert group["lag_words"] == "same day"  # its closest step


def test_rows_ordered_by_their_earlier_date_with_lag_relative_to_the_us_step(ladder):
    rows = _rows(ladder)
    assert rows["release"].tolist() == ["16 pardoned", "52 freed to Lithuania", "31 freed to Ukraine"]  # fmt: skip
    assert rows["lag_words"].tolist() == [
        "release 44 days before the US step",
        "same day",
        "release 13 days after the US step",
    ]
    assert rows["row"].tolist() == [1, 2, 3]


def test_candidates_are_never_grouped_with_recorded_pairs(ladder):
    cands = infer_links(ladder, window_days=7)
    rows = exchange_rows(exchange_pairs(ladder), ladder.events, cands)
    assert rows["link"].tolist().count("candidate") == len(cands) == 1
    assert rows.loc[rows["link"] == "candidate", "n_steps"].tolist() == [1]


def test_labels_fall_back_to_title_and_count_when_short_label_is_blank():
    rows = _rows(ladder_dataset(short_labels=False))
    assert "52 freed to Lithuania" in rows["release"].tolist()  # count + destination
    assert "16 freed, stay in Belarus" in rows["release"].tolist()
    assert "First Trump-Lukashenko phone call" in rows["us_step"].tolist()
    # a long title is cut at a word, never mid-word
    assert "Trump names John Coale special…" in " + ".join(rows["us_step"])


@pytest.mark.parametrize(
    ("lag", "months", "words"),
    [(0, None, "same day"), (1, None, "release 1 day after the US step"),
     (-44, None, "release 44 days before the US step"), (29, 0, "same month"),
     (40, 1, "release about 1 month after the US step"),
     (-70, -2, "release about 2 months before the US step")],
)  # fmt: skip
def test_lag_words(lag, months, words):
    assert lag_words(lag, months) == words


@given(st.integers(-400, 400).filter(lambda n: n != 0))
def test_lag_words_say_relative_to_the_us_step(lag):
    words = lag_words(lag)
    assert words.endswith("the US step") and str(abs(lag)) in words
    assert ("before" in words) == (lag < 0) and ("after" in words) == (lag > 0)


#: The 03 title's counts, one row per semantic case: (case, link strengths, expected).
FINDING_CASES = [
    ("all rows", ("explicit", "reported", "inferred"),
     dict(rows=3, pairs=5, same_day=1, release_first=1, stated=1, inferred=1)),
    ("a grouped row counts once, by its firmest link", ("explicit", "reported"),
     dict(rows=2, pairs=4, stated=1, reported=1)),
    ("release first only when the closest step came after it", ("reported",),
     dict(rows=2, release_first=1, same_day=1)),
    ("no stated trade", ("inferred",), dict(rows=1, stated=0, same_day=0)),
]  # fmt: skip


@pytest.mark.parametrize(("case", "links", "expected"), FINDING_CASES, ids=[c[0] for c in FINDING_CASES])  # fmt: skip
def test_exchange_finding(ladder, case, links, expected):
    f = exchange_finding(_rows(ladder, link_strengths=links))
    assert {k: f[k] for k in expected} == expected


def test_finding_leaves_candidates_out(ladder):
    cands = infer_links(ladder, window_days=7)
    rows = exchange_rows(exchange_pairs(ladder), ladder.events, cands)
    assert exchange_finding(rows) == exchange_finding(_rows(ladder))


def test_pairs_table_one_row_per_pair_with_its_chart_row(ladder):
    pairs, cands = exchange_pairs(ladder), infer_links(ladder, window_days=7)
    t = pairs_table(pairs, ladder.events, cands)
    assert len(t) == len(pairs) + len(cands)
    x2 = t.set_index("exchange_id").loc["x-2"]
    assert (x2["us_step"], x2["release"], x2["row"]) == ("Belavia partial relief (OFAC GL 11)", "52 freed to Lithuania", 2)  # fmt: skip
    assert t.set_index("exchange_id").loc["x-3", "lag_words"] == "release 2 days before the US step"
    rows = exchange_rows(pairs, ladder.events, cands)
    assert set(t["row"]) == set(rows["row"])  # every pair on a drawn row, every row from a pair
    assert t["concession_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()


def test_first_words_cuts_at_a_word():
    assert tx.first_words("One two three four", 9) == "One two…"
    assert tx.first_words("Short", 9) == "Short"
