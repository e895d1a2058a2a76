"""Independence of sources and strength of US-release links, as rules over the tables.

Two judgements that used to live in prose are data here (issue 21):

* every source names its ``origin``: who wrote or first issued what the page carries.
  Pages relaying one wire story, one statement or one post share an origin, so they
  count once. ``unknown`` marks an aggregator whose source is not identified; it never
  counts as independent evidence.
* every source that ties a US step to a release has a ``link`` claim in claims.csv
  (``stated_trade`` or ``reported_together``, with the pairing's ``exchange_id``), and
  ``exchanges.link`` must equal the strongest such claim from a known origin.

All functions are pure: DataFrames in (string or typed columns, rows in file order, as
read), values or :class:`~belthaw.errors.Problem` lists out. Line numbers count the
header as line 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from ..errors import Problem

#: Origin of an aggregator page whose source is not identified.
ORIGIN_UNKNOWN = "unknown"
#: What a source may say about a US step and a release, and the link each one supports.
LINK_FROM_CLAIM = {"stated_trade": "explicit", "reported_together": "reported"}
#: Link strengths, weakest first; ``inferred`` is what is left when no source links the two.
LINK_ORDER = ("inferred", "reported", "explicit")
#: The one counter whose recognition ``events.n_political`` counts.
POLITICAL_COUNTER = "Viasna"
#: A publisher string that hides a relay ("AP via KEYT", "Site (Reuters copy)", "citing X").
RELAY_WORDING = re.compile(r"\bvia\b|\bciting\b|\bcopy\b|\bmirror\b", re.IGNORECASE)

SOURCES, CLAIMS, EXCHANGES, EVENTS = "sources.csv", "claims.csv", "exchanges.csv", "events.csv"


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    """A column as stripped text, empty where missing (typed frames hold NA)."""
    if col not in df:
        return pd.Series("", index=df.index, dtype=object)
    return df[col].astype(object).where(df[col].notna(), "").astype(str).str.strip()


def _line(pos: int) -> int:
    """File line of the row at this position: the header is line 1."""
    return pos + 2


def _split_ids(source_ids: str | Iterable[str]) -> list[str]:
    if isinstance(source_ids, str):
        return [s.strip() for s in source_ids.split(";") if s.strip()]
    return [s.strip() for s in source_ids if s and s.strip()]


def origin_map(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> origin ('' where the column or value is missing)."""
    return dict(zip(_text(sources, "source_id"), _text(sources, "origin"), strict=True))


def _emit(out: list[Problem], file: str, col: str, mask: pd.Series, msg) -> None:
    """One Problem per row where ``mask`` holds; ``msg`` is a text or a function of the position."""
    for pos in mask.to_numpy().nonzero()[0]:
        out.append(Problem(file, _line(int(pos)), col, msg(int(pos)) if callable(msg) else msg))


def origin_problems(sources: pd.DataFrame) -> list[Problem]:
    """Rules on ``publisher``, ``origin``, ``tier`` and ``original_publisher``, per row.

    * origin is given; ``unknown`` only on an aggregator;
    * publisher is a plain name: no "X via Y", "(X copy)", "citing X" or "mirror";
    * a republication names an origin other than its publisher (its writer, not the
      copying site); wherever original_publisher is given, origin equals it.
    """
    out: list[Problem] = []
    pub, origin = _text(sources, "publisher"), _text(sources, "origin")
    tier, op = _text(sources, "tier"), _text(sources, "original_publisher")
    _emit(
        out,
        SOURCES,
        "origin",
        origin == "",
        "is empty; name who the page's content comes from (its own publisher if it reported it)",
    )
    _emit(
        out,
        SOURCES,
        "origin",
        (origin == ORIGIN_UNKNOWN) & (tier != "aggregator"),
        lambda k: (
            f"is '{ORIGIN_UNKNOWN}' but tier is {tier.iat[k]!r}; "
            "only an aggregator may have an unknown origin"
        ),
    )
    _emit(
        out,
        SOURCES,
        "publisher",
        pub.str.contains(RELAY_WORDING),
        lambda k: (
            f"{pub.iat[k][:60]!r} hides a relay; put the site in publisher, the writer in origin"
        ),
    )
    _emit(
        out,
        SOURCES,
        "origin",
        (tier == "republication") & ((origin == pub) | (origin == ORIGIN_UNKNOWN)),
        "of a republication must name the outlet that wrote it, not the copying site",
    )
    _emit(
        out,
        SOURCES,
        "original_publisher",
        (op != "") & (origin != "") & (op != origin),
        lambda k: f"is {op.iat[k]!r} but origin is {origin.iat[k]!r}; they must name one outlet",
    )
    return out


def independent_origins(source_ids: str | Iterable[str], sources: pd.DataFrame) -> int:
    """How many distinct known origins stand behind these sources (ids ';'-separated or a list).

    Unknown origins and ids not in ``sources`` do not count: a page we cannot trace is no
    independent confirmation.
    """
    return len(credited_origins(source_ids, sources))


def credited_origins(source_ids: str | Iterable[str], sources: pd.DataFrame) -> list[str]:
    """The distinct known origins of these sources, in the order first cited (for a source line)."""
    omap = origin_map(sources)
    seen: list[str] = []
    for sid in _split_ids(source_ids):
        o = omap.get(sid, "")
        if o and o != ORIGIN_UNKNOWN and o not in seen:
            seen.append(o)
    return seen


def link_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The link claims (exchange_id, event_id, source_id, value), in file order."""
    cols = ("exchange_id", "event_id", "source_id", "value")
    frame = pd.DataFrame({c: _text(claims, c) for c in cols}, index=claims.index)
    return frame[(_text(claims, "field") == "link").to_numpy()]


def derived_link(exchanges: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """exchange_id -> the link its claims support: the strongest claim from a known origin.

    Claims whose source's origin is unknown (or whose value is not a link value) do not
    count; an exchange with no counting claim is ``inferred``.
    """
    omap = origin_map(sources)
    rank = {link: k for k, link in enumerate(LINK_ORDER)}
    best = dict.fromkeys(_text(exchanges, "exchange_id"), 0)
    for row in link_claims(claims).itertuples():
        link = LINK_FROM_CLAIM.get(row.value)
        o = omap.get(row.source_id, "")
        if link and row.exchange_id in best and o and o != ORIGIN_UNKNOWN:
            best[row.exchange_id] = max(best[row.exchange_id], rank[link])
    return pd.Series({x: LINK_ORDER[r] for x, r in best.items()}, name="link", dtype=object)


def _claim_shape_problems(exchanges: pd.DataFrame, claims: pd.DataFrame) -> list[Problem]:
    """A link claim names an existing pairing, its release and one of its sources."""
    out: list[Problem] = []
    ids = _text(exchanges, "exchange_id")
    release = dict(zip(ids, _text(exchanges, "release_event_id"), strict=True))
    cited = dict(zip(ids, _text(exchanges, "source_ids").map(_split_ids), strict=True))
    field, xid = _text(claims, "field"), _text(claims, "exchange_id")
    ev, src, val = _text(claims, "event_id"), _text(claims, "source_id"), _text(claims, "value")
    link = field == "link"
    known = xid.isin(release.keys())
    want_ev = xid.map(release).fillna("")
    listed = pd.Series(
        [s in cited.get(x, ()) for x, s in zip(xid, src, strict=True)], index=claims.index
    )
    _emit(
        out,
        CLAIMS,
        "exchange_id",
        ~link & (xid != ""),
        "is only for claims with field 'link'; leave it empty",
    )
    _emit(
        out,
        CLAIMS,
        "value",
        link & ~val.isin(LINK_FROM_CLAIM.keys()),
        lambda k: (
            f"{val.iat[k][:40]!r} is not a link value; expected " + " or ".join(LINK_FROM_CLAIM)
        ),
    )
    _emit(
        out,
        CLAIMS,
        "exchange_id",
        link & (xid == ""),
        "is required on a link claim: name the pairing in exchanges.csv",
    )
    _emit(
        out,
        CLAIMS,
        "exchange_id",
        link & (xid != "") & ~known,
        lambda k: f"{xid.iat[k]!r} is not in exchanges.csv",
    )
    _emit(
        out,
        CLAIMS,
        "event_id",
        link & known & (ev != want_ev),
        lambda k: f"must be {want_ev.iat[k]!r}, the release of {xid.iat[k]}",
    )
    _emit(
        out,
        CLAIMS,
        "source_id",
        link & known & ~listed,
        lambda k: f"{src.iat[k]!r} is not in the source_ids of {xid.iat[k]}; list it there",
    )
    return out


def link_problems(
    exchanges: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame
) -> list[Problem]:
    """Link claims well formed, and every ``exchanges.link`` equal to what its claims support.

    A link stronger than its claims overstates the evidence; one weaker than its strongest
    claim from a known origin understates it (a source already says "in exchange").
    """
    out = _claim_shape_problems(exchanges, claims)
    rank = {link: k for k, link in enumerate(LINK_ORDER)}
    have = _text(exchanges, "link")
    want = _text(exchanges, "exchange_id").map(derived_link(exchanges, claims, sources))
    r_have, r_want = have.map(rank), want.map(rank)
    # an unknown value is the schema's to report, not this rule's
    _emit(
        out,
        EXCHANGES,
        "link",
        r_have.notna() & (r_have > r_want),
        lambda k: (
            f"is {have.iat[k]!r} but its link claims support only {want.iat[k]!r}; "
            "weaken it or add the claim that says more"
        ),
    )
    _emit(
        out,
        EXCHANGES,
        "link",
        r_have.notna() & (r_have < r_want),
        lambda k: (
            f"is {have.iat[k]!r} but a source of known origin supports {want.iat[k]!r}; "
            "strengthen it"
        ),
    )
    return out


def political_problems(events: pd.DataFrame, claims: pd.DataFrame) -> list[Problem]:
    """``n_political`` counts one counter's recognition, backed by a claim on that release."""
    out: list[Problem] = []
    n, by, eid = (
        _text(events, "n_political"),
        _text(events, "political_by"),
        _text(events, "event_id"),
    )
    backed = eid.isin(_text(claims, "event_id")[_text(claims, "field") == "n_political"])
    _emit(
        out,
        EVENTS,
        "political_by",
        (n != "") & (by != POLITICAL_COUNTER),
        f"must be {POLITICAL_COUNTER!r} wherever n_political is given (one counter for every release)",
    )
    _emit(
        out,
        EVENTS,
        "political_by",
        (n == "") & (by != ""),
        "is given but n_political is empty; clear it or give the count",
    )
    _emit(
        out,
        EVENTS,
        "n_political",
        (n != "") & ~backed,
        "has no n_political claim in claims.csv; add the counter's own figure",
    )
    return out


def problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every rule of this module on the tables present in ``frames`` (keyed by table name)."""
    out: list[Problem] = []
    if "sources" in frames:
        out += origin_problems(frames["sources"])
    if {"exchanges", "claims", "sources"} <= frames.keys():
        out += link_problems(frames["exchanges"], frames["claims"], frames["sources"])
    if {"events", "claims"} <= frames.keys():
        out += political_problems(frames["events"], frames["claims"])
    return out
