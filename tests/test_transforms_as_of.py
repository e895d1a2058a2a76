"""transforms/as_of.py: the data as its sources stood on a past day.

A small dataset whose sources are published on known days (``replay_dataset``); each
test replays it on a day chosen to fall just before or after one publication.
"""

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import belthaw
from belthaw.errors import BelthawError
from belthaw.transforms.as_of import (
    as_of_phrase,
    as_published_by,
    publication_dates,
    revised_count,
    revised_destination,
)
from belthaw.transforms.headline import default_headlines
from belthaw.transforms.timeline import counted_releases, release_series
from synth import make_dataset, release, typed

TABLES = ("events", "sources", "claims", "exchanges", "people", "prisoner_counts", "totals")


def source(sid, published, basis="page"):
    return dict(
        source_id=sid,
        publisher=f"Outlet {sid}",
        title="t",
        published=published,
        published_basis=basis,
        source_type="news",
        corpus="dossier",
        tier="original",
    )


def step(event_id, day, source_ids):
    return dict(
        event_id=event_id,
        date=day,
        date_precision="day",
        kind="diplomatic_contact",
        jurisdiction="US",
        actor="US",
        title="US envoy visits",
        short_label="Envoy visit",
        source_ids=source_ids,
    )


def claim(cid, event_id, source_id, value_num, precision="exact", field="count", value=None):
    return dict(
        claim_id=cid,
        event_id=event_id,
        source_id=source_id,
        field=field,
        value=value if value is not None else str(value_num),
        value_num=value_num,
        precision=precision,
    )


JAN, VISIT, FEB, APR, NOV = (
    "ev-20250105-release",
    "ev-20250210-visit",
    "ev-20250211-release",
    "ev-20250414-release",
    "ev-20251101-release",
)
SOURCES = [
    source("jan", "2025-01-10"),
    source("feb", "2025-02", "inferred"),  # counts from 28 Feb
    source("apr", "2025-04-15"),
    source("jun", "2025-06-30"),
    source("yr", "2025"),  # counts from 31 Dec
]
EVENTS = [
    release(JAN, "2025-01-05", 18, "exact", "home", 18, 0, "jan;apr"),
    step(VISIT, "2025-02-10", "feb"),
    release(FEB, "2025-02-11", 3, "exact", "Lithuania", 0, 1, "feb;jun"),
    release(APR, "2025-04-14", 30, "exact", "home", 30, 0, "apr"),
    release(NOV, "2025-11-01", 5, "exact", "home", 5, 0, "yr"),
]
CLAIMS = [claim("c1", JAN, "jan", 16), claim("c2", JAN, "apr", 18)]
EXCHANGES = [
    dict(
        exchange_id="x1",
        concession_event_id=VISIT,
        release_event_id=FEB,
        link="explicit",
        source_ids="feb;jun",
        rationale="Released the day after the visit.",
    )
]
PEOPLE = [
    dict(person_id="p1", name="A", outcome="released_home", release_event_id=APR, source_ids="apr"),
    dict(person_id="p2", name="B", outcome="released_home", release_event_id=JAN, source_ids="jan"),
]
PRISONER_COUNTS = [
    dict(date="2025-01-01", count=1200, precision="exact", counted_by="Viasna", source_id="jan"),
    dict(date="2025-06-30", count=1100, precision="exact", counted_by="Viasna", source_id="jun"),
]
TOTALS = [
    dict(
        total_id="t1",
        as_of="2025-04-14",
        since="2025-01-01",
        value=51,
        precision="exact",
        scope="all_releases",
        wording="51 freed",
        source_id="apr",
    )
]


def replay_dataset(**tables):
    """The dataset above; ``tables`` swaps rows of a table (as ``make_dataset`` does)."""
    base = dict(
        sources=SOURCES,
        events=EVENTS,
        claims=CLAIMS,
        exchanges=EXCHANGES,
        people=PEOPLE,
        prisoner_counts=PRISONER_COUNTS,
        totals=TOTALS,
    )
    return make_dataset(**{**base, **tables})


def with_link_claims(data, links):
    """``data`` with issue 21's link claims: ``links`` = (exchange_id, source_id, value) rows.

    Every source's origin is its own publisher.
    """
    claims = data.claims.copy()
    rows = typed(
        "claims",
        [
            claim(f"l{k}", FEB, sid, None, field="detail", value=value)
            for k, (_, sid, value) in enumerate(links)
        ],
    )
    rows["field"] = pd.Categorical(["link"] * len(rows), categories=claims["field"].cat.categories)
    rows["exchange_id"] = [x for x, _, _ in links]
    sources = data.sources.assign(origin=data.sources["publisher"])
    both = pd.concat([claims, rows], ignore_index=True)
    return belthaw.data.Dataset(
        **{t: getattr(data, t) for t in TABLES if t not in ("claims", "sources")},
        claims=both,
        sources=sources,
        version=data.version,
        as_of=data.as_of,
        data_dir=data.data_dir,
    )


@pytest.fixture(scope="module")
def data():
    return replay_dataset()


def ids(frame, column="event_id"):
    return set(frame[column])


# -- when a source counts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "basis", "counts_from"),
    [
        ("2025-01-10", "page", "2025-01-10"),
        ("2025-02", "inferred", "2025-02-28"),  # inferred to the month: its last day
        ("2025-02", "page", "2025-02-28"),  # month-only on the page: the same
        ("2024-02", "inferred", "2024-02-29"),  # leap year
        ("2025-03-05", "inferred", "2025-03-31"),  # an inferred day is only a month
        ("2025", "page", "2025-12-31"),  # year-only: 31 December
        ("", "inferred", "2025-11-30"),  # undated: end of the month of what it reports
    ],
)
def test_publication_dates(published, basis, counts_from):
    sources = typed("sources", [source("s", published, basis)])
    events = typed("events", [release("ev-20251105-release", "2025-11-05", 1, source_ids="s")])
    assert publication_dates(sources, events).iloc[0] == pd.Timestamp(counts_from)


def test_undated_source_cited_by_nothing_has_no_date():
    sources = typed("sources", [source("s", "", "inferred")])
    assert publication_dates(sources).isna().all()


# -- what is kept ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "present", "absent"),
    [
        ("2025-04-14", {JAN, VISIT, FEB}, {APR, NOV}),  # APR's only source is of 15 Apr
        ("2025-04-15", {APR}, {NOV}),
        ("2025-02-27", {JAN}, {VISIT, FEB}),  # "2025-02" inferred: not yet on 27 Feb
        ("2025-02-28", {VISIT, FEB}, set()),  # ... but on its last day
        ("2025-12-30", {APR}, {NOV}),  # year-only "2025": from 31 Dec
        ("2025-12-31", {NOV}, set()),
    ],
)
def test_release_appears_once_its_first_source_is_published(data, day, present, absent):
    then = as_published_by(data, day)
    assert present <= ids(then.events)
    assert not absent & ids(then.events)


@pytest.mark.parametrize(("day", "count"), [("2025-02-01", 16), ("2025-04-15", 18)])
def test_count_revised_later_shows_the_figure_known_then(data, day, count):
    then = as_published_by(data, day).events.set_index("event_id")
    assert then.loc[JAN, "count"] == count
    assert then.loc[JAN, "count_precision"] == "exact"


def test_dropped_sources_leave_the_lists_and_the_claims(data):
    then = as_published_by(data, "2025-02-01")
    assert then.events.set_index("event_id").loc[JAN, "source_ids"] == "jan"
    assert ids(then.claims, "claim_id") == {"c1"}
    assert ids(then.sources, "source_id") == {"jan"}


def test_people_counts_and_totals_follow_their_sources(data):
    then = as_published_by(data, "2025-04-14")
    assert ids(then.people, "person_id") == {"p2"}  # p1's release is not yet known
    assert then.prisoner_counts["count"].tolist() == [1200]  # the June count is later
    assert then.totals.empty  # t1 rests on the 15 Apr source


def test_stock_dated_after_the_day_is_dropped_even_when_its_source_is_older():
    early = [dict(PRISONER_COUNTS[0], date="2025-03-01")]
    then = as_published_by(replay_dataset(prisoner_counts=early), "2025-02-01")
    assert then.prisoner_counts.empty


def test_as_of_before_the_first_event_leaves_no_releases(data):
    then = as_published_by(data, "2024-12-31")
    assert then.events.empty and then.exchanges.empty and then.people.empty
    assert counted_releases(then).empty
    assert release_series(then).empty
    assert all(h.value == 0 and h.n_releases == 0 for h in default_headlines(then))
    assert then.as_of == pd.Timestamp("2024-12-31")


@pytest.mark.parametrize("day", ["", None])
def test_empty_as_of_returns_the_data_itself(data, day):
    assert as_published_by(data, day) is data


@pytest.mark.parametrize("day", ["2025-04-15", date(2025, 4, 15), pd.Timestamp("2025-04-15")])
def test_day_given_as_text_date_or_timestamp(data, day):
    then = as_published_by(data, day)
    assert then.as_of == pd.Timestamp("2025-04-15")
    assert APR in ids(then.events)


@pytest.mark.parametrize("day", ["15/12/2025", "2025-13-01", "soon"])
def test_bad_day_is_one_clear_error(data, day):
    with pytest.raises(BelthawError, match=r"as_of must be a day as YYYY-MM-DD.*got"):
        as_published_by(data, day)


def test_replay_after_every_source_is_the_full_data(data):
    last = publication_dates(data.sources, data.events).max()
    then = as_published_by(data, last)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(then, table), getattr(data, table))
    assert then.version == data.version and then.as_of == last


def test_as_of_phrase():
    assert as_of_phrase("2025-12-15") == "as published by 15 Dec 2025"
    assert as_of_phrase("") == ""


# -- links -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exchange_sources", "day", "link"),
    [
        ("feb;jun", "2025-03-01", "explicit"),  # one source out, no link claims: unchanged
        ("jun", "2025-03-01", "inferred"),  # every source of the link later
        ("jun", "2025-06-30", "explicit"),
    ],
)
def test_link_without_link_claims(exchange_sources, day, link):
    x = [dict(EXCHANGES[0], source_ids=exchange_sources)]
    then = as_published_by(replay_dataset(exchanges=x), day)
    assert then.exchanges["link"].astype(str).tolist() == [link]


@pytest.mark.parametrize(
    ("day", "link", "sources"),
    [
        ("2025-03-01", "reported", "feb"),  # the only "in exchange" claim is of 30 Jun
        ("2025-06-30", "explicit", "feb;jun"),
    ],
)
def test_link_from_the_link_claims_published_by_then(data, day, link, sources):
    linked = with_link_claims(
        data, [("x1", "feb", "reported_together"), ("x1", "jun", "stated_trade")]
    )
    then = as_published_by(linked, day)
    assert then.exchanges["link"].astype(str).tolist() == [link]
    assert then.exchanges["source_ids"].tolist() == [sources]
    assert set(then.claims["source_id"]) <= set(sources.split(";")) | {"jan", "apr"}


def test_link_claim_of_unknown_origin_does_not_count(data):
    linked = with_link_claims(data, [("x1", "feb", "stated_trade"), ("x1", "jun", "stated_trade")])
    unknown = linked.sources.assign(
        origin=linked.sources["origin"].where(linked.sources["source_id"] != "feb", "unknown")
    )
    then = as_published_by(replace(linked, sources=unknown), "2025-03-01")
    assert then.exchanges["link"].astype(str).tolist() == ["inferred"]


def test_exchange_dropped_with_its_release(data):
    assert as_published_by(data, "2025-02-27").exchanges.empty


# -- figures rebuilt from the kept claims ------------------------------------------------


def kept_claims(rows):
    """(value_num, precision, published_on) rows as the kept claims of one event."""
    return pd.DataFrame(
        {
            "value_num": [r[0] for r in rows],
            "precision": pd.Categorical([r[1] for r in rows]),
            "published_on": pd.to_datetime([r[2] for r in rows]),
        }
    )


@pytest.mark.parametrize(
    ("rows", "full", "expected"),
    [
        ([(18, "exact", "2025-01-02"), (16, "exact", "2025-01-09")], (18, "exact"), (18, "exact")),
        ([(16, "exact", "2025-01-02"), (17, "exact", "2025-01-09")], (18, "exact"), (17, "exact")),
        ([(17, "exact", "2025-01-02"), (16, "exact", "2025-01-09")], (18, "exact"), (16, "exact")),
        ([(16, "exact", "2025-01-09"), (17, "exact", "2025-01-09")], (18, "exact"), (17, "exact")),
        (
            [(10, "at_least", "2025-01-09"), (8, "at_least", "2025-01-02")],
            (18, "exact"),
            (10, "at_least"),
        ),
        (
            [(20, "at_least", "2025-01-09"), (16, "exact", "2025-01-02")],
            (18, "exact"),
            (16, "exact"),
        ),
        (
            [(60, "approx", "2025-01-09"), (55, "approx", "2025-01-02")],
            (52, "exact"),
            (60, "approx"),
        ),
        ([], (18, "exact"), (pd.NA, "unknown")),
        ([(18, "at_least", "2025-01-09")], (18, "exact"), (18, "at_least")),  # same figure, weaker
    ],
)
def test_revised_count_rule(rows, full, expected):
    count, precision = revised_count(kept_claims(rows), *full)
    assert precision == expected[1]
    assert count is pd.NA if expected[0] is pd.NA else count == expected[0]


@pytest.mark.parametrize(
    ("said", "destination", "expected"),
    [
        (["9 to Vilnius"], "Lithuania;Ukraine", "Lithuania"),
        (["114 to Ukraine", "9 to Lithuania"], "Lithuania;Ukraine", "Lithuania;Ukraine"),
        (["released, whereabouts unclear"], "Lithuania;Ukraine", "Lithuania;Ukraine"),
        (["most stayed in Belarus"], "home;Lithuania", "home"),
    ],
)
def test_revised_destination(said, destination, expected):
    assert revised_destination(pd.DataFrame({"value": said}), destination) == expected


def test_sub_count_known_only_from_a_later_source_is_unknown_then():
    events = [dict(EVENTS[0], n_political=12, political_by="Viasna"), *EVENTS[1:]]
    claims = [*CLAIMS, claim("c3", JAN, "apr", 12, field="n_political")]
    data = replay_dataset(events=events, claims=claims)
    then = as_published_by(data, "2025-02-01").events.set_index("event_id")
    assert pd.isna(then.loc[JAN, "n_political"])
    assert (
        as_published_by(data, "2025-04-15").events.set_index("event_id").loc[JAN, "n_political"]
        == 12
    )


def test_day_precise_date_known_then_only_to_the_month():
    claims = [
        *CLAIMS,
        claim("d1", JAN, "jan", None, precision="month", field="date", value="in January"),
        claim("d2", JAN, "apr", None, precision="day", field="date", value="5 Jan"),
    ]
    data = replay_dataset(claims=claims)
    then = as_published_by(data, "2025-02-01").events.set_index("event_id")
    assert then.loc[JAN, "date"] == pd.Timestamp("2025-01-01")
    assert then.loc[JAN, "date_precision"] == "month"
    later = as_published_by(data, "2025-04-15").events.set_index("event_id")
    assert later.loc[JAN, "date"] == pd.Timestamp("2025-01-05")
    assert later.loc[JAN, "date_precision"] == "day"


def test_confidence_follows_the_sources_kept(data):
    full = counted_releases(data).set_index("event_id")
    then = counted_releases(as_published_by(data, "2025-02-01")).set_index("event_id")
    assert full.loc[JAN, "confidence"] == "high" and then.loc[JAN, "confidence"] == "medium"


# -- properties over every day -----------------------------------------------------------

DATA = replay_dataset()
DAYS = st.dates(min_value=date(2024, 12, 1), max_value=date(2026, 1, 31))


@settings(max_examples=15, deadline=None)
@given(DAYS, DAYS)
def test_replay_only_grows_and_holds_only_what_was_published(first, second):
    data = DATA
    early, late = sorted((first, second))
    a, b = as_published_by(data, early), as_published_by(data, late)
    assert ids(a.events) <= ids(b.events)
    assert ids(a.sources, "source_id") <= ids(b.sources, "source_id")
    assert (publication_dates(a.sources) <= pd.Timestamp(early)).all()
    assert (a.events["date"] <= pd.Timestamp(early)).all()
    kept = ids(a.sources, "source_id")
    cited = a.events["source_ids"].str.split(";").explode()
    assert set(cited) <= kept and set(a.claims["source_id"]) <= kept
    assert set(a.exchanges["release_event_id"]) <= ids(a.events)
    again = as_published_by(a, early)  # a replay replayed on its own day changes nothing
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(again, table), getattr(a, table))


# -- the real data -----------------------------------------------------------------------


def test_real_data_replayed_after_its_newest_source_is_the_full_data():
    data = belthaw.load()
    last = publication_dates(data.sources, data.events).max()
    then = as_published_by(data, last)
    pd.testing.assert_frame_equal(counted_releases(then), counted_releases(data))
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(then, table), getattr(data, table))
    earlier = as_published_by(data, last - pd.Timedelta(days=120))
    assert ids(earlier.events) < ids(data.events)
    assert (publication_dates(earlier.sources, data.events) <= earlier.as_of).all()
