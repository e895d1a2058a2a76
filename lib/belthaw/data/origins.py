"""Independence of sources and strength of US-release links, as rules over the tables.

Two judgements that used to live in prose are data here (issue 21):

* every source names its ``origin``: who wrote or first issued what the page carries.
  Pages relaying one wire story, one statement or one post share an origin, so they
  count once. ``unknown`` marks an aggregator whose source is not identified; it never
  counts as independent evidence.
* every source that ties a US step to a release has a ``link`` claim in claims.csv
  (``stated_trade`` or ``reported_together``, with the pairing's ``exchange_id``), and
  ``exchanges.link`` must equal the strongest such claim from a known origin.

All functions are pure: DataFrames in (string or typed columns), values or
:class:`~belthaw.errors.Problem` lists out. ``where`` gives each table's file and row
lines (by default one line per row after the header, line 1).
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import Problem
from .problems import Where, flagger

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


def _text(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Columns as stripped text, empty where missing (typed frames hold NA)."""
    out = pd.DataFrame({c: df[c] if c in df else "" for c in cols}, index=df.index).astype(object)
    return out.where(out.notna(), "").astype(str).apply(lambda s: s.str.strip())


def _flag(out: list[Problem], where: dict[str, Where] | None, table: str):
    return flagger(out, (where or {}).get(table) or Where(f"{table}.csv"))


def origin_problems(sources: pd.DataFrame, where: dict[str, Where] | None = None) -> list[Problem]:
    """Rules on ``publisher``, ``origin``, ``tier`` and ``original_publisher``, per row.

    * origin is given; ``unknown`` only on an aggregator;
    * publisher is a plain name: no "X via Y", "(X copy)", "citing X" or "mirror";
    * a republication names an origin other than its publisher (its writer, not the
      copying site); wherever original_publisher is given, origin equals it.
    """
    out: list[Problem] = []
    flag = _flag(out, where, "sources")
    s = _text(sources, "publisher", "origin", "tier", "original_publisher")
    pub, origin, tier, op = s["publisher"], s["origin"], s["tier"], s["original_publisher"]
    msg = "is empty; name who the page's content comes from (its own publisher if it reported it)"
    flag("origin", origin == "", msg)
    msg = f"is '{ORIGIN_UNKNOWN}' but tier is {{v!r}}; only an aggregator may have an unknown "
    flag("origin", (origin == ORIGIN_UNKNOWN) & (tier != "aggregator"), msg + "origin", values=tier)
    msg = "{v!r} hides a relay; put the site in publisher, the writer in origin"
    flag("publisher", pub.str.contains(RELAY_WORDING), msg, values=pub)
    msg = "of a republication must name the outlet that wrote it, not the copying site"
    flag("origin", (tier == "republication") & ((origin == pub) | (origin == ORIGIN_UNKNOWN)), msg)
    msg = "is {original_publisher!r} but origin is {origin!r}; they must name one outlet"
    flag("original_publisher", (op != "") & (origin != "") & (op != origin), msg, values=s)
    return out


def derived_link(exchanges: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """exchange_id -> the link its claims support: the strongest claim from a known origin.

    Claims whose source's origin is unknown (or whose value is not a link value) do not
    count; an exchange with no counting claim is ``inferred``.
    """
    src = _text(sources, "source_id", "origin").drop_duplicates("source_id")
    c = _text(claims, "field", "exchange_id", "source_id", "value")
    origin = c["source_id"].map(src.set_index("source_id")["origin"]).fillna("")
    rank = c["value"].map(LINK_FROM_CLAIM).map({k: i for i, k in enumerate(LINK_ORDER)})
    ok = (c["field"] == "link") & ~origin.isin(["", ORIGIN_UNKNOWN]) & rank.notna()
    best = rank[ok].groupby(c["exchange_id"][ok]).max()
    ids = _text(exchanges, "exchange_id")["exchange_id"].drop_duplicates()
    return pd.Series([LINK_ORDER[int(best.get(x, 0))] for x in ids], index=ids, name="link")


def link_problems(
    exchanges: pd.DataFrame,
    claims: pd.DataFrame,
    sources: pd.DataFrame,
    where: dict[str, Where] | None = None,
) -> list[Problem]:
    """Link claims well formed, and every ``exchanges.link`` equal to what its claims support.

    A link claim names an existing pairing, its release and one of its sources. A link
    stronger than its claims overstates the evidence; one weaker than its strongest claim
    from a known origin understates it (a source already says "in exchange").
    """
    out: list[Problem] = []
    flag = _flag(out, where, "claims")
    ex = _text(exchanges, "exchange_id", "release_event_id", "source_ids", "link")
    c = _text(claims, "field", "exchange_id", "event_id", "source_id", "value")
    pairing = ex.drop_duplicates("exchange_id").set_index("exchange_id")
    link, xid, known = c["field"] == "link", c["exchange_id"], c["exchange_id"].isin(pairing.index)
    c["release"] = xid.map(pairing["release_event_id"]).fillna("")
    cited = pairing["source_ids"].str.split(r"\s*;\s*", regex=True).to_dict()
    listed = [s in cited.get(x, ()) for x, s in zip(xid, c["source_id"], strict=True)]
    listed = pd.Series(listed, c.index, dtype=bool)
    flag("exchange_id", ~link & (xid != ""), "is only for claims with field 'link'; leave it empty")
    msg = "{v!r} is not a link value; expected " + " or ".join(LINK_FROM_CLAIM)
    flag("value", link & ~c["value"].isin(LINK_FROM_CLAIM.keys()), msg, values=c["value"].str[:40])
    msg = "is required on a link claim: name the pairing in exchanges.csv"
    flag("exchange_id", link & (xid == ""), msg)
    msg = "{v!r} is not in exchanges.csv"
    flag("exchange_id", link & (xid != "") & ~known, msg, values=xid)
    msg = "must be {release!r}, the release of {exchange_id}"
    flag("event_id", link & known & (c["event_id"] != c["release"]), msg, values=c)
    msg = "{source_id!r} is not in the source_ids of {exchange_id}; list it there"
    flag("source_id", link & known & ~listed, msg, values=c)
    rank = {k: i for i, k in enumerate(LINK_ORDER)}
    ex["want"] = ex["exchange_id"].map(derived_link(exchanges, claims, sources))
    have, want = ex["link"].map(rank), ex["want"].map(rank)
    # an unknown value is the schema's to report, not this rule's
    flag = _flag(out, where, "exchanges")
    msg = "is {link!r} but its link claims support only {want!r}; weaken it or add the claim "
    flag("link", have.notna() & (have > want), msg + "that says more", values=ex)
    msg = "is {link!r} but a source of known origin supports {want!r}; strengthen it"
    flag("link", have.notna() & (have < want), msg, values=ex)
    return out


def political_problems(
    events: pd.DataFrame, claims: pd.DataFrame, where: dict[str, Where] | None = None
) -> list[Problem]:
    """``n_political`` counts one counter's recognition, backed by a claim on that release."""
    out: list[Problem] = []
    flag = _flag(out, where, "events")
    ev = _text(events, "event_id", "n_political", "political_by")
    c = _text(claims, "event_id", "field")
    given, by = ev["n_political"] != "", ev["political_by"]
    backed = ev["event_id"].isin(c.loc[c["field"] == "n_political", "event_id"])
    every = "(one counter for every release)"
    msg = f"must be {POLITICAL_COUNTER!r} wherever n_political is given {every}"
    flag("political_by", given & (by != POLITICAL_COUNTER), msg)
    msg = "is given but n_political is empty; clear it or give the count"
    flag("political_by", ~given & (by != ""), msg)
    msg = "has no n_political claim in claims.csv; add the counter's own figure"
    flag("n_political", given & ~backed, msg)
    return out


def problems(
    frames: dict[str, pd.DataFrame], where: dict[str, Where] | None = None
) -> list[Problem]:
    """Every rule of this module on the tables present in ``frames`` (keyed by table name)."""
    out: list[Problem] = []
    if "sources" in frames:
        out += origin_problems(frames["sources"], where)
    if {"exchanges", "claims", "sources"} <= frames.keys():
        out += link_problems(frames["exchanges"], frames["claims"], frames["sources"], where)
    if {"events", "claims"} <= frames.keys():
        out += political_problems(frames["events"], frames["claims"], where)
    return out
