"""transforms/changes.py: what the sources published after a day changed.

Uses the replay dataset of tests/test_transforms_as_of.py (sources published on known
days; a release whose count a later source revised from 16 to 18).
"""

import pandas as pd
import pytest

import belthaw
from belthaw.transforms.as_of import publication_dates
from belthaw.transforms.changes import changes_since
from belthaw.transforms.timeline import counted_releases
from test_transforms_as_of import (
    APR,
    EVENTS,
    FEB,
    JAN,
    NOV,
    VISIT,
    claim,
    replay_dataset,
    with_link_claims,
)


@pytest.fixture(scope="module")
def data():
    return replay_dataset()


@pytest.fixture(scope="module")
def since_feb(data):
    return changes_since(data, "2025-02-01")


def test_added_events_with_the_sources_that_brought_them(since_feb):
    added = since_feb.added.set_index("event_id")
    assert list(added.index) == [VISIT, FEB, APR, NOV]  # by date
    assert added.loc[FEB, "source_ids"] == "feb;jun"
    assert added.loc[APR, "count"] == 30
    assert added.loc[VISIT, "short_label"] == "Envoy visit"


def test_revised_count_old_to_new_with_the_revising_source(since_feb):
    r = since_feb.revised
    assert r["event_id"].tolist() == [JAN]
    row = r.iloc[0]
    assert (row.old_count, row.old_precision, row.new_count, row.new_precision) == (
        16,
        "exact",
        18,
        "exact",
    )
    assert row.source_ids == "apr"  # the source whose count claim revised it


def test_headlines_before_and_after(since_feb):
    h = since_feb.headlines.set_index("what")
    assert h.loc["people freed", "before"] == 16
    assert h.loc["people freed", "after"] == 18 + 3 + 30 + 5
    assert not h.loc["people freed", "before_lower_bound"]
    # no release carries a recognised split, so that count is 0 and only a floor
    assert h.loc["Viasna-recognised political prisoners freed", "after_lower_bound"]


def test_added_link_has_no_old_strength(since_feb):
    links = since_feb.links
    assert links["exchange_id"].tolist() == ["x1"]
    assert (links.iloc[0].old_link, links.iloc[0].new_link) == ("", "explicit")
    assert links.iloc[0].label == "Envoy visit -> Release 20250211"


def test_link_strengthened_by_a_later_claim(data):
    linked = with_link_claims(
        data, [("x1", "feb", "reported_together"), ("x1", "jun", "stated_trade")]
    )
    links = changes_since(linked, "2025-03-01").links
    assert links[["exchange_id", "old_link", "new_link", "source_ids"]].values.tolist() == [
        ["x1", "reported", "explicit", "jun"]
    ]


def test_markdown_table(since_feb):
    md = since_feb.to_markdown()
    lines = md.splitlines()
    assert lines[0] == "| What changed | As published by 1 Feb 2025 | Now | New sources |"
    assert lines[1] == "|---|---|---|---|"
    assert "| People freed | 16 | 56 |  |" in lines
    assert "| Count revised: Release 20250105 (5 Jan 2025) | 16 | 18 | Outlet apr |" in lines
    assert "| New: Release 20250414 (14 Apr 2025) | none | 30 | Outlet apr |" in lines
    assert (
        "| Link: Envoy visit -> Release 20250211 | none | explicit | Outlet feb, Outlet jun |"
        in lines
    )
    assert all(line.startswith("| ") or line.startswith("|---") for line in lines)


def test_markdown_escapes_pipes_and_words_precision():
    events = [dict(EVENTS[0], short_label="Wave | one", count=52, count_precision="at_least")]
    claims = [claim("c1", JAN, "jan", 40, "approx"), claim("c2", JAN, "apr", 52, "at_least")]
    md = changes_since(replay_dataset(events=events, claims=claims), "2025-02-01").to_markdown()
    assert (
        "| Count revised: Wave \\| one (5 Jan 2025) | about 40 | at least 52 | Outlet apr |" in md
    )


def test_nothing_changed_after_every_source(data):
    last = publication_dates(data.sources, data.events).max()
    changes = changes_since(data, last)
    assert changes.empty
    assert len(changes.to_markdown().splitlines()) == 2 + len(changes.headlines)


@pytest.mark.parametrize("day", ["", None])
def test_changes_need_a_day(data, day):
    with pytest.raises(ValueError, match="needs a day"):
        changes_since(data, day)


def test_real_data_changes_add_up_to_the_headlines():
    """Every person the headline gained since the day is in an added release or a revision."""
    data = belthaw.load()
    last = publication_dates(data.sources, data.events).max()
    changes = changes_since(data, last - pd.Timedelta(days=120))
    freed = changes.headlines.set_index("what").loc["people freed"]
    added = changes.added[changes.added["kind"].astype(str) == "release"]
    counted = set(counted_releases(data)["event_id"])
    gained = added[added["event_id"].isin(counted)]["count"].fillna(0).sum()
    revised = changes.revised[changes.revised["event_id"].isin(counted)]
    gained += (revised["new_count"].fillna(0) - revised["old_count"].fillna(0)).sum()
    assert freed["after"] - freed["before"] == gained
