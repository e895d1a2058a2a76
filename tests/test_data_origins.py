"""belthaw.data.origins: independence by origin and link strength from claims.

Each table below is one semantic case per row, on frames of a few hand-made rows; the
last test runs every rule on the shipped data package.
"""

from __future__ import annotations

import pandas as pd
import pytest

from belthaw import paths
from belthaw.data import origins
from belthaw.data.read import read_all
from belthaw.errors import Problem

SOURCE_COLS = ("source_id", "publisher", "origin", "tier", "original_publisher")


def sources(*rows: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(SOURCE_COLS), dtype=object)


def found(problems: list[Problem]) -> set[tuple[str, str | None]]:
    return {(p.file, p.column) for p in problems}


# ------------------------------------------------------------------ origin_problems

ORIGIN_CASES = [
    # (case, publisher, origin, tier, original_publisher, expected {column: message part})
    ("own reporting", "Kyiv Independent", "Kyiv Independent", "original", "", {}),
    ("origin missing", "Kyiv Independent", "", "original", "", {"origin": "is empty"}),
    (
        "unknown origin on an original",
        "Babel",
        "unknown",
        "original",
        "",
        {"origin": "only an aggregator"},
    ),
    ("unknown origin on an aggregator", "TopGab", "unknown", "aggregator", "", {}),
    ("aggregator relaying a known wire", "Gaya One", "Reuters", "aggregator", "Reuters", {}),
    (
        "'X via Y' publisher",
        "AP via KEYT",
        "The Associated Press",
        "republication",
        "The Associated Press",
        {"publisher": "hides a relay"},
    ),
    (
        "'(X copy)' publisher",
        "Some site (Reuters copy)",
        "Reuters",
        "republication",
        "Reuters",
        {"publisher": "hides a relay"},
    ),
    (
        "republication credited to the copying site",
        "KEYT",
        "KEYT",
        "republication",
        "",
        {"origin": "not the copying site"},
    ),
    (
        "republication of an unknown writer",
        "KEYT",
        "unknown",
        "republication",
        "",
        {"origin": "only an aggregator"},
    ),
    (
        "republication naming its writer",
        "KEYT",
        "The Associated Press",
        "republication",
        "The Associated Press",
        {},
    ),
    (
        "origin and original_publisher disagree",
        "KEYT",
        "Reuters",
        "republication",
        "The Associated Press",
        {"original_publisher": "one outlet"},
    ),
    (
        "original restating one post",
        "Ukrainska Pravda",
        "Donald Trump (Truth Social post)",
        "original",
        "",
        {},
    ),
]


@pytest.mark.parametrize(
    "publisher, origin, tier, original, expected",
    [c[1:] for c in ORIGIN_CASES],
    ids=[c[0] for c in ORIGIN_CASES],
)
def test_origin_problems(publisher, origin, tier, original, expected):
    frame = sources(
        ("ok-1", "Viasna", "Viasna", "original", ""), ("s-1", publisher, origin, tier, original)
    )
    got = origins.origin_problems(frame)
    assert {(p.line, p.column) for p in got} >= {(3, col) for col in expected}
    assert all(p.file == "sources.csv" and p.line == 3 for p in got), (
        "the good first row is not blamed"
    )
    for col, part in expected.items():
        assert any(p.column == col and part in p.message for p in got), (col, part, got)
    if not expected:
        assert got == []


def test_origin_problems_reads_typed_frames_with_missing_values():
    frame = sources(("s-1", "Babel", pd.NA, "original", pd.NA))
    (problem,) = origins.origin_problems(frame)
    assert (problem.file, problem.line, problem.column) == ("sources.csv", 2, "origin")
    assert "sources.csv, line 2, column 'origin'" in str(problem)


# ------------------------------------------------------------------ derived_link

LINK_SOURCES = sources(
    ("known-a", "Al Jazeera", "Al Jazeera", "original", ""),
    ("known-b", "Kyiv Independent", "Kyiv Independent", "original", ""),
    ("untraced", "TopGab", "unknown", "aggregator", ""),
)


def exchanges(link: str = "inferred", source_ids: str = "known-a;known-b;untraced") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "exchange_id": "x-1",
                "release_event_id": "ev-rel",
                "link": link,
                "source_ids": source_ids,
            },
            {
                "exchange_id": "x-2",
                "release_event_id": "ev-other",
                "link": "inferred",
                "source_ids": "known-a",
            },
        ]
    )


def claims(*rows: tuple[str, str, str, str, str]) -> pd.DataFrame:
    """Rows of (exchange_id, event_id, source_id, field, value)."""
    cols = ["exchange_id", "event_id", "source_id", "field", "value"]
    return pd.DataFrame(list(rows), columns=cols, dtype=object)


DERIVED_CASES = [
    ("no claim: inferred", [], "inferred"),
    ("reported together", [("x-1", "ev-rel", "known-a", "link", "reported_together")], "reported"),
    ("a stated trade", [("x-1", "ev-rel", "known-a", "link", "stated_trade")], "explicit"),
    (
        "the strongest of several",
        [
            ("x-1", "ev-rel", "known-a", "link", "reported_together"),
            ("x-1", "ev-rel", "known-b", "link", "stated_trade"),
        ],
        "explicit",
    ),
    (
        "an untraced aggregator's trade does not count",
        [
            ("x-1", "ev-rel", "untraced", "link", "stated_trade"),
            ("x-1", "ev-rel", "known-a", "link", "reported_together"),
        ],
        "reported",
    ),
    (
        "only an untraced aggregator: inferred",
        [("x-1", "ev-rel", "untraced", "link", "stated_trade")],
        "inferred",
    ),
    (
        "a value that is no link value is ignored",
        [("x-1", "ev-rel", "known-a", "link", "deal")],
        "inferred",
    ),
    (
        "a claim on another pairing does not count",
        [("x-2", "ev-other", "known-a", "link", "stated_trade")],
        "inferred",
    ),
    (
        "a count claim is no link claim",
        [("", "ev-rel", "known-a", "count", "stated_trade")],
        "inferred",
    ),
]


@pytest.mark.parametrize(
    "rows, expected", [c[1:] for c in DERIVED_CASES], ids=[c[0] for c in DERIVED_CASES]
)
def test_derived_link(rows, expected):
    got = origins.derived_link(exchanges(), claims(*rows), LINK_SOURCES)
    assert got["x-1"] == expected
    assert set(got.index) == {"x-1", "x-2"}


# ------------------------------------------------------------------ link_problems

TRADE = ("x-1", "ev-rel", "known-a", "link", "stated_trade")
TOGETHER = ("x-1", "ev-rel", "known-a", "link", "reported_together")

LINK_PROBLEM_CASES = [
    # (case, exchanges.link of x-1, claim rows, expected (file, line, column, message part) or None)
    ("link matches its claims", "explicit", [TRADE], None),
    ("inferred with no claim", "inferred", [], None),
    (
        "stronger than its claims",
        "explicit",
        [TOGETHER],
        ("exchanges.csv", 2, "link", "support only 'reported'"),
    ),
    (
        "explicit with no claim at all",
        "explicit",
        [],
        ("exchanges.csv", 2, "link", "support only 'inferred'"),
    ),
    (
        "a source says trade but link is reported",
        "reported",
        [TRADE],
        ("exchanges.csv", 2, "link", "strengthen"),
    ),
    (
        "a source links them but link is inferred",
        "inferred",
        [TOGETHER],
        ("exchanges.csv", 2, "link", "strengthen"),
    ),
    (
        "claim on the wrong release",
        "explicit",
        [("x-1", "ev-other", "known-a", "link", "stated_trade")],
        ("claims.csv", 2, "event_id", "'ev-rel'"),
    ),
    (
        "claim source not cited by the pairing",
        "explicit",
        [("x-1", "ev-rel", "known-b", "link", "stated_trade")],
        ("claims.csv", 2, "source_id", "list it there"),
    ),
    (
        "link claim without its pairing",
        "inferred",
        [("", "ev-rel", "known-a", "link", "stated_trade")],
        ("claims.csv", 2, "exchange_id", "is required"),
    ),
    (
        "link claim on an unknown pairing",
        "inferred",
        [("x-9", "ev-rel", "known-a", "link", "stated_trade")],
        ("claims.csv", 2, "exchange_id", "not in exchanges.csv"),
    ),
    (
        "pairing named on a count claim",
        "inferred",
        [("x-1", "ev-rel", "known-a", "count", "52")],
        ("claims.csv", 2, "exchange_id", "only for claims with field 'link'"),
    ),
    (
        "a value that is no link value",
        "inferred",
        [("x-1", "ev-rel", "known-a", "link", "in exchange")],
        ("claims.csv", 2, "value", "not a link value"),
    ),
]


@pytest.mark.parametrize(
    "link, rows, expected",
    [c[1:] for c in LINK_PROBLEM_CASES],
    ids=[c[0] for c in LINK_PROBLEM_CASES],
)
def test_link_problems(link, rows, expected):
    ex = exchanges(link, source_ids="known-a")
    got = origins.link_problems(ex, claims(*rows), LINK_SOURCES)
    if expected is None:
        assert got == []
        return
    file, line, column, part = expected
    assert [(p.file, p.line, p.column) for p in got] == [(file, line, column)], got
    assert part in got[0].message


# ------------------------------------------------------------------ political_problems

EVENT_COLS = ["event_id", "n_political", "political_by"]

POLITICAL_CASES = [
    ("Viasna's count, backed", ("ev-1", "39", "Viasna"), True, None),
    ("no count, no counter", ("ev-1", "", ""), False, None),
    ("another counter", ("ev-1", "15", "Pozirk"), True, ("political_by", "must be 'Viasna'")),
    (
        "counter without a count",
        ("ev-1", "", "Viasna"),
        False,
        ("political_by", "n_political is empty"),
    ),
    (
        "count without a claim",
        ("ev-1", "22", "Viasna"),
        False,
        ("n_political", "no n_political claim"),
    ),
]


@pytest.mark.parametrize(
    "event, backed, expected", [c[1:] for c in POLITICAL_CASES], ids=[c[0] for c in POLITICAL_CASES]
)
def test_political_problems(event, backed, expected):
    ev = pd.DataFrame([event], columns=EVENT_COLS, dtype=object)
    rows = (
        [("", "ev-1", "ngo", "n_political", event[1])]
        if backed
        else [("", "ev-1", "ngo", "count", "5")]
    )
    got = origins.political_problems(ev, claims(*rows))
    if expected is None:
        assert got == []
        return
    assert [(p.file, p.line, p.column) for p in got] == [("events.csv", 2, expected[0])]
    assert expected[1] in got[0].message


# ------------------------------------------------------------------ the shipped package


def test_shipped_data_has_no_origin_or_link_problems():
    tables, _schema, _version = read_all(paths.DATA_DIR)
    frames = {name: t.typed for name, t in tables.items() if t.typed is not None}
    assert {"sources", "claims", "exchanges", "events"} <= frames.keys()
    assert origins.problems(frames) == []
