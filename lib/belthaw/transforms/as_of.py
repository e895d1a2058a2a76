"""The data package as its sources stood on a past day: :func:`as_published_by`.

An analyst who briefed on 15 Dec 2025 must be able to redraw what was knowable then.
Every claim names its source and every source its publication date, so a replay keeps
the sources published by the day and rebuilds each table from them alone. Pure: a
:class:`~belthaw.data.Dataset` in, a Dataset out; no I/O.

The analytic choices, each also at the code that makes it:

* **When a source counts.** A source dated to the day counts from that day. One dated
  only to the month, or whose date we inferred (``published_basis = inferred``, which is
  never more precise than the month), counts from the *last* day of that month; one
  dated only to the year from 31 December. A replay must never show something before
  it could have been read, so an imprecise date is read at its latest.
* **Events** are kept when a kept source reports them and they had happened by the day.
  When some of an event's sources are dropped, its figures are rebuilt from the claims
  of the kept ones (:func:`revised_count`); when none is dropped it is left untouched,
  so a replay on a day after every source equals the full data.
* **Links** between a US step and a release are rebuilt from the link claims of kept
  sources (issue 21's design: ``claims.field = link`` with an ``exchange_id``); for an
  exchange without link claims, one whose sources are all unpublished becomes
  ``inferred``: the pairing is then our reading of the timing alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from ..data import Dataset
from ..data.origins import LINK_FROM_CLAIM, LINK_ORDER, ORIGIN_UNKNOWN
from ..errors import BelthawError

#: Event columns that hold a sub-count backed by claims of the same ``field``.
SUB_COUNTS = ("n_home", "n_foreign", "n_pardoned", "n_political")

#: Words a destination claim may use for a destination token (lower case). Destination
#: claims are free text ("114 to Ukraine", "8 foreigners to Vilnius"); a token is known by
#: the day only if a kept claim names it or its capital.
PLACE_WORDS = {
    "home": ("home", "stayed", "remained in belarus"),
    "lithuania": ("lithuania", "vilnius"),
    "ukraine": ("ukraine", "kyiv", "kiev"),
    "poland": ("poland", "warsaw"),
    "germany": ("germany", "berlin"),
    "united states": ("united states", "washington", "u.s.", "america"),
}


def parse_day(day) -> pd.Timestamp | None:
    """The replay day as a midnight ``Timestamp``; ``None`` for ``""``/``None`` (no replay)."""
    if day is None or (isinstance(day, str) and not day.strip()):
        return None
    if isinstance(day, pd.Timestamp | dt.date):
        return pd.Timestamp(day).normalize()
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(day).strip()))
    except ValueError:
        raise BelthawError(
            f"as_of must be a day as YYYY-MM-DD (e.g. '2025-12-15') or empty, got {day!r}"
        ) from None


def as_of_phrase(day) -> str:
    """Words for titles and captions: ``"as published by 15 Dec 2025"`` ("" for no replay)."""
    ts = parse_day(day)
    return "" if ts is None else f"as published by {ts.day} {ts:%b %Y}"


def publication_dates(sources: pd.DataFrame, events: pd.DataFrame | None = None) -> pd.Series:
    """The day from which each source counts as published (index of ``sources``).

    Day-precise page dates count from that day; month-only or inferred dates from the end
    of the month; year-only dates from 31 December. A source with no date at all counts
    from the end of the month of the latest event citing it (it cannot predate what it
    reports, and an inferred date is read at its latest); NaT when nothing dates it.
    """
    text = sources["published"].astype(str).str.strip()
    inferred = sources["published_basis"].astype(str).eq("inferred")
    day = pd.to_datetime(text.where(text.str.len() == 10), format="%Y-%m-%d", errors="coerce")
    month_text = text.str[:7].where(text.str.len().isin([7, 10]))
    month = pd.to_datetime(month_text, format="%Y-%m", errors="coerce")
    month_end = month + pd.offsets.MonthEnd(0)
    year = pd.to_datetime(text.where(text.str.len() == 4), format="%Y", errors="coerce")
    year_end = year + pd.offsets.YearEnd(0)
    out = day.where(~inferred, pd.NaT)
    out = out.fillna(month_end).fillna(year_end)
    if events is not None and out.isna().any():
        cited = events[["date", "source_ids"]].assign(
            source_id=events["source_ids"].astype(str).str.split(";")
        )
        latest = cited.explode("source_id").groupby("source_id")["date"].max()
        fallback = sources["source_id"].astype(str).map(latest)
        out = out.fillna(pd.to_datetime(fallback) + pd.offsets.MonthEnd(0))
    return out.astype("datetime64[ns]").rename("published_on")


def keep_ids(ids: pd.Series, kept: set[str]) -> pd.Series:
    """``;``-joined id lists reduced to the ids in ``kept`` (order kept; rows untouched when
    nothing is dropped, so their text stays byte-identical)."""
    parts = ids.astype(str).str.split(";")
    reduced = parts.map(lambda items: ";".join(i for i in items if i in kept))
    whole = parts.map(lambda items: all(i in kept for i in items if i))
    return ids.astype(str).where(whole, reduced).astype("str")


def as_published_by(data: Dataset, day) -> Dataset:
    """``data`` as the sources published by ``day`` stood (see the module notes).

    ``day``: ISO string, ``date`` or ``Timestamp``; ``""``/``None`` returns ``data``
    itself. The result's ``as_of`` is ``day``; its ``version`` stays the package's.
    """
    ts = parse_day(day)
    if ts is None:
        return data
    published = publication_dates(data.sources, data.events)
    # Nothing dates such a source: it is kept, as nothing shows it came later.
    src_mask = (published <= ts) | published.isna()
    sources = data.sources[src_mask.to_numpy()].reset_index(drop=True)
    kept_src = set(sources["source_id"].astype(str))
    pub_by_id = dict(zip(data.sources["source_id"].astype(str), published, strict=True))

    events = _kept_events(data.events, kept_src, ts)
    kept_ev = set(events["event_id"].astype(str))
    claims = data.claims[
        data.claims["source_id"].astype(str).isin(kept_src).to_numpy()
        & data.claims["event_id"].astype(str).isin(kept_ev).to_numpy()
    ]
    events = revise_events(events, data.events, data.claims, claims, pub_by_id)
    exchanges = _kept_exchanges(data, kept_src, kept_ev, claims)
    xid = claims["exchange_id"].astype(str)
    claims = claims[(xid == "") | xid.isin(set(exchanges["exchange_id"].astype(str)))]
    return replace(
        data,
        sources=sources,
        events=events,
        claims=claims.reset_index(drop=True),
        exchanges=exchanges,
        people=_kept_people(data.people, kept_src, kept_ev),
        # A stock count or published total is known from its source, and only from the
        # day it counts to: both must be published by the day.
        prisoner_counts=_dated_rows(data.prisoner_counts, "date", kept_src, ts),
        totals=_dated_rows(data.totals, "as_of", kept_src, ts),
        as_of=ts,
        published_by=ts,
    )


def _kept_events(events: pd.DataFrame, kept_src: set[str], ts: pd.Timestamp) -> pd.DataFrame:
    """Events reported by a kept source and begun by the day, with their source_ids reduced.

    An event dated after the day is dropped even when an earlier source announced it: a
    replay shows what had happened, and a scheduled step is not yet a step.
    """
    reduced = keep_ids(events["source_ids"], kept_src)
    mask = (reduced != "") & (events["date"] <= ts)
    out = events[mask.to_numpy()].copy()
    out["source_ids"] = reduced[mask.to_numpy()]
    return out.reset_index(drop=True)


def _dated_rows(frame: pd.DataFrame, date_col: str, kept_src: set[str], ts) -> pd.DataFrame:
    mask = (frame[date_col] <= ts) & frame["source_id"].astype(str).isin(kept_src)
    return frame[mask.to_numpy()].reset_index(drop=True)


def _kept_people(people: pd.DataFrame, kept_src: set[str], kept_ev: set[str]) -> pd.DataFrame:
    """People whose release is kept (or who have none) and whom a kept source names."""
    release = people["release_event_id"].astype(str)
    sources = keep_ids(people["source_ids"], kept_src)
    had_sources = people["source_ids"].astype(str) != ""
    mask = ((release == "") | release.isin(kept_ev)) & ((sources != "") | ~had_sources)
    out = people[mask.to_numpy()].copy()
    out["source_ids"] = sources[mask.to_numpy()]
    out["other_event_ids"] = keep_ids(out["other_event_ids"], kept_ev)
    return out.reset_index(drop=True)


# -- figures of an event, rebuilt from the kept claims ------------------------------------


def revised_count(claims: pd.DataFrame, full_count, full_precision: str) -> tuple[object, str]:
    """The count and precision the kept ``claims`` (field ``count``, with ``published_on``) support.

    Rule, in order: the full data's own figure when a kept claim already gives it with the
    same precision (the analyst's reconciliation of disagreeing sources still holds when
    the chosen source was out by then); else the figure of the most recently published
    exact claim (ties: the larger); else the largest ``at_least`` claim, as a lower bound;
    else the most recent ``approx`` claim (a figure stated as approximate was still
    known); else unknown.
    """
    c = claims[claims["value_num"].notna()]
    precision = c["precision"].astype(str)
    if pd.notna(full_count):
        same = (c["value_num"] == float(full_count)) & (precision == str(full_precision))
        if same.any():
            return full_count, str(full_precision)
    for wanted, order in (
        ("exact", ["published_on", "value_num"]),
        ("at_least", ["value_num", "published_on"]),
        ("approx", ["published_on", "value_num"]),
    ):
        pick = c[precision == wanted].sort_values(order, kind="stable")
        if not pick.empty:
            return int(round(pick["value_num"].iloc[-1])), wanted
    return pd.NA, "unknown"


def revised_sub_count(claims: pd.DataFrame, full_value) -> object:
    """A sub-count (``n_home`` ...) the kept claims of its field support: the full value when
    a kept claim gives it, else the most recently published kept figure, else unknown."""
    c = claims[claims["value_num"].notna()]
    if pd.notna(full_value) and (c["value_num"] == float(full_value)).any():
        return full_value
    if c.empty:
        return pd.NA
    return int(round(c.sort_values(["published_on", "value_num"])["value_num"].iloc[-1]))


def revised_destination(claims: pd.DataFrame, destination: str) -> str:
    """The destination tokens a kept destination claim names (unchanged when none is named:
    the kept claims then put it in words we cannot match, and we do not guess)."""
    said = " ".join(claims["value"].astype(str).str.lower())
    tokens = [t for t in destination.split(";") if t]
    named = [t for t in tokens if any(w in said for w in PLACE_WORDS.get(t.lower(), (t.lower(),)))]
    return ";".join(named) if named else destination


def revise_events(
    events: pd.DataFrame,
    full_events: pd.DataFrame,
    full_claims: pd.DataFrame,
    kept_claims: pd.DataFrame,
    published_on: dict[str, pd.Timestamp],
) -> pd.DataFrame:
    """Rebuild count, sub-counts, date and destination of events that lost a source.

    An event none of whose sources was dropped keeps every figure. Otherwise each figure
    with claims in the full data is rebuilt from the kept claims; a figure with no claims
    at all rests on the event's own (kept) sources and stays.
    """
    before = full_events.set_index("event_id")["source_ids"].astype(str)
    lost = events["source_ids"].astype(str).to_numpy() != events["event_id"].map(before).to_numpy()
    if not lost.any():
        return events
    out = events.copy()
    kept = kept_claims.assign(published_on=kept_claims["source_id"].astype(str).map(published_on))
    fields = full_claims["field"].astype(str)
    has = {
        f: set(full_claims.loc[(fields == f).to_numpy(), "event_id"])
        for f in ("count", "date", "destination", *SUB_COUNTS)
    }
    by_event = {k: g for k, g in kept.groupby(kept["event_id"].astype(str))}
    empty = kept.iloc[0:0]
    for i in out.index[lost]:
        eid = out.at[i, "event_id"]
        mine = by_event.get(eid, empty)
        mine_f = mine["field"].astype(str)
        if eid in has["count"] and out.at[i, "kind"] == "release":
            count, precision = revised_count(
                mine[mine_f == "count"], out.at[i, "count"], out.at[i, "count_precision"]
            )
            out.at[i, "count"], out.at[i, "count_precision"] = count, precision
        for col in SUB_COUNTS:
            if eid in has[col] and col in out.columns:
                out.at[i, col] = revised_sub_count(mine[mine_f == col], out.at[i, col])
        if eid in has["destination"] and (mine_f == "destination").any():
            out.at[i, "destination"] = revised_destination(
                mine[mine_f == "destination"], out.at[i, "destination"]
            )
        _revise_date(out, i, eid in has["date"], mine[mine_f == "date"])
    return out


def _revise_date(out: pd.DataFrame, i, has_claims: bool, claims: pd.DataFrame) -> None:
    """A day-precise date whose kept date claims give only the month falls back to the month.

    Date claims are free text ("15 Aug", "in August"), so the day itself is not re-read:
    the replay only loses precision it did not yet have. With no kept date claim the date
    rests on the event's kept sources and stays.
    """
    if not has_claims or claims.empty or out.at[i, "date_precision"] != "day":
        return
    if (claims["precision"].astype(str) == "day").any():
        return
    out.at[i, "date"] = out.at[i, "date"].replace(day=1)
    out.at[i, "date_precision"] = "month"


# -- links -------------------------------------------------------------------------------


def _kept_exchanges(data, kept_src: set[str], kept_ev: set[str], kept_claims) -> pd.DataFrame:
    """Exchanges whose two events are kept, their sources reduced and their link rebuilt."""
    x = data.exchanges
    both = x["concession_event_id"].isin(kept_ev) & x["release_event_id"].isin(kept_ev)
    out = x[both.to_numpy()].reset_index(drop=True)
    reduced = keep_ids(out["source_ids"], kept_src)
    lost = (reduced != out["source_ids"].astype(str)).to_numpy()
    out["source_ids"] = reduced
    if not lost.any():
        return out
    derived = linked_by_claims(data.claims, kept_claims, data.sources)
    new = [
        _weaker(link, derived.get(xid), sids)
        for xid, link, sids in zip(
            out["exchange_id"], out["link"].astype(str), reduced, strict=True
        )
    ]
    link = pd.Series(new, index=out.index).where(lost, out["link"].astype(str))
    out["link"] = pd.Categorical(link, categories=out["link"].cat.categories)
    return out


def linked_by_claims(full_claims, kept_claims, sources) -> dict[str, str | None]:
    """exchange_id -> the strongest link its kept link claims support (``"inferred"`` when
    none is kept), for every exchange with link claims in the full data.

    As in issue 21's rule, a claim counts only when its source's origin is known (where
    the sources record an origin); exchanges without link claims are absent.
    """
    is_link = full_claims["field"].astype(str) == "link"
    out: dict[str, str | None] = dict.fromkeys(
        full_claims.loc[is_link.to_numpy(), "exchange_id"].astype(str), "inferred"
    )
    kept = kept_claims[(kept_claims["field"].astype(str) == "link").to_numpy()]
    origin = kept["source_id"].map(sources.set_index("source_id")["origin"].astype(str))
    kept = kept[(origin.notna() & ~origin.isin(["", ORIGIN_UNKNOWN])).to_numpy()]
    for xid, value in zip(kept["exchange_id"].astype(str), kept["value"].astype(str), strict=True):
        link = LINK_FROM_CLAIM.get(value)
        if link and xid in out and LINK_ORDER.index(link) > LINK_ORDER.index(out[xid]):
            out[xid] = link
    return out


def _weaker(full: str, from_claims: str | None, kept_sources: str) -> str:
    """The link as of the day: never stronger than the full data's link (a replay only
    removes evidence); from the kept link claims when the exchange has any, else
    ``inferred`` once no source of it is published."""
    if from_claims is None:
        return full if kept_sources else "inferred"
    return min(full, from_claims, key=LINK_ORDER.index)
