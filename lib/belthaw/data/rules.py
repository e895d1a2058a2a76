"""The rules that span cells and tables, which a Table Schema cannot state, and
``validate``: the schema's checks (:mod:`.read`), these rules and the spreadsheet checks
(:mod:`.damage`, :mod:`.history`) in one :class:`Report`.

Cell and cross-table errors come in one pass: a cell that breaks its type is left out
(missing) and the rules run on everything that did type. Rules about optional columns
(``n_pardoned``, ``tier``...) apply when the column exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .. import paths
from ..provenance import data_version
from ..provenance import today as provenance_today
from . import origins
from .descriptor import one
from .history import changes_since_commit
from .names import fold
from .problems import Report, flagger
from .read import Table, read_all, split_ids

__all__ = ["Report", "read_and_check", "validate"]

#: Kinds whose events never carry a head-count: a sanctions step or a visit frees nobody
#: by itself; the people it is linked to are counted on the release it is paired with.
KINDS_WITHOUT_COUNT = (
    "sanctions_relief",
    "sanctions_tightening",
    "diplomatic_contact",
    "appointment",
)
#: A release this large resting on one outlet is worth a second source before briefing on it.
SINGLE_SOURCE_WARN_OVER = 50
#: Parts of a release's count, each at most the count (the people freed).
COUNT_PARTS = {
    "n_home": "people who stayed home",
    "n_foreign": "foreign nationals",
    "n_political": "recognised political prisoners",
}
#: Figures on an event that must come from a source's own words (a claim), unless derived.
BACKED_FIELDS = ("n_home", "n_foreign", "n_political", "n_pardoned")
#: Values of ``events.confidence`` that say the event rests on weak sources.
WEAK_CONFIDENCE = ("weak", "low", "single_or_weak")
#: People outcomes that mean "freed": they need the release that freed them.
FREED = ("released_abroad", "released_home", "released")
_URL = r"https?://[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?"


class Tables:
    """The typed frames, where their rows are, the descriptor, and the problems found."""

    def __init__(self, tables: dict[str, Table], descriptor: dict):
        self.frames = {name: t.typed for name, t in tables.items() if t.typed is not None}
        self.where = {name: t.where for name, t in tables.items()}
        self.descriptor, self.problems = descriptor, []

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def has(self, *names: str) -> bool:
        return all(t in self.frames for t in names)

    def flag(self, table: str):
        """``flag(column, mask, message, values=...)`` reporting rows of ``table``."""
        return flagger(self.problems, self.where[table])

    def event_kind(self, ids: pd.Series) -> pd.Series:
        kinds = self["events"].drop_duplicates("event_id").set_index("event_id")["kind"]
        return ids.map(kinds.astype(object))


def foreign_keys(tb: Tables) -> None:
    """Every value of a foreign-key column names a row of the table it points to."""
    for res in tb.descriptor["resources"]:
        for fk in res["schema"].get("foreignKeys", []):
            name, target = res["name"], fk["reference"].get("resource") or res["name"]
            col, rcol = one(fk["fields"]), one(fk["reference"]["fields"])
            if tb.has(name, target):
                s = tb[name][col]
                bad = s.notna() & (s.astype(str) != "") & ~s.isin(tb[target][rcol])
                msg = "{v!r} is not a known " + f"{rcol} in {target}.csv"
                tb.flag(name)(col, bad, msg, values=s)


def source_lists(tb: Tables) -> None:
    """Every id of a ';'-separated source list is a row of sources.csv."""
    for table in ("events", "exchanges", "people"):
        if tb.has(table):
            ids = split_ids(tb[table]["source_ids"])
            unknown = ids[~ids.isin(tb["sources"]["source_id"])].groupby(level=0).agg(", ".join)
            msg = "names unknown source(s) {v}; add them to sources.csv first"
            unknown = unknown.reindex(tb[table].index)
            tb.flag(table)("source_ids", unknown.notna(), msg, values=unknown)


def event_dates(tb: Tables) -> None:
    """A range ends after it starts, and the date in an event's id is its date."""
    ev, flag = tb["events"], tb.flag("events")
    is_range, end = ev["date_precision"] == "range", ev["date_end"]
    flag("date_end", end < ev["date"], "is before 'date'; a range must end after it starts")
    flag("date_end", is_range & end.isna(), "is required when date_precision is 'range'")
    precision = ev["date_precision"]
    msg = "is set but date_precision is {v!r}; use 'range' or clear date_end"
    flag("date_end", precision.notna() & ~is_range & end.notna(), msg, values=precision)
    # The id is how other tables and people cite the event: a date in it that differs
    # from the event's date would send a reader to the wrong day.
    in_id = ev["event_id"].str.extract(r"^ev-([0-9]{8})-", expand=False)
    wrong = in_id.notna() & (in_id != ev["date"].dt.strftime("%Y%m%d")) & ev["date"].notna()
    msg = "holds the date {v}, but 'date' is another day; make them agree"
    flag("event_id", wrong, msg, values=in_id)
    # One action (announced / licence / list update) is one decision: its stages must agree
    # on who acted and on what, or the chart would join unrelated steps with a line.
    act = ev[ev["action_id"] != ""].astype({"jurisdiction": object, "instrument": object})
    for col in ("jurisdiction", "instrument"):
        n = act.groupby("action_id")[col].transform(lambda x: x.nunique(dropna=False))
        differs = pd.Series(ev.index.isin(n.index[n > 1]), ev.index)
        flag(col, differs, "differs between events sharing this action_id")


def event_counts(tb: Tables) -> None:
    """A count only where people are freed, with its precision; parts within the whole."""
    ev, flag = tb["events"], tb.flag("events")
    has = ev["count"].notna()
    msg = "is set on a {v!r} event; only releases, statements and 'other' events carry counts"
    flag("count", has & ev["kind"].isin(KINDS_WITHOUT_COUNT), msg, values=ev["kind"])
    msg = "is required when count is set (exact, at_least, approx or unknown)"
    flag("count_precision", has & ev["count_precision"].isna(), msg)
    for col, what in COUNT_PARTS.items():
        if col in ev:
            flag(col, ev[col] > ev["count"], f"{what} exceed the event's count (the people freed)")
    for col in [c for c in BACKED_FIELDS if c in ev]:
        flag(col, ev[col].notna() & ~has, "is set but the event has no count; give the count first")
    if "n_pardoned" in ev:
        msg = "more people freed than pardoned or announced ({v}); check both figures"
        flag("count", ev["count"] > ev["n_pardoned"], msg, values=ev["n_pardoned"])
    if "n_political" in ev and "political_by" in ev:
        by = ev["political_by"].astype(str).str.strip() != ""
        msg = "is required when n_political is set: say who recognised them (e.g. Viasna)"
        flag("political_by", ev["n_political"].notna() & ~by, msg)
        msg = "is empty but political_by is set; give the number or clear political_by"
        flag("n_political", ev["n_political"].isna() & by, msg)
    if "release_type" in ev:
        rel, typed = ev["kind"] == "release", ev["release_type"].notna()
        flag("release_type", rel & ~typed, "is required on a release")
        msg = "is set on an event that is not a release; clear it"
        flag("release_type", ev["kind"].notna() & ~rel & typed, msg)


def exchange_sides(tb: Tables) -> None:
    """An exchange pairs a US step (concession) with a release."""
    ex, flag = tb["exchanges"], tb.flag("exchanges")
    rel = tb.event_kind(ex["release_event_id"])
    msg = "points to a {v!r} event; the release side must be a release"
    flag("release_event_id", rel.notna() & (rel != "release"), msg, values=rel)
    msg = "points to a release; the concession side must be a US step"
    flag("concession_event_id", tb.event_kind(ex["concession_event_id"]) == "release", msg)


def people_events(tb: Tables) -> None:
    """A person's events exist; a freed person names the release that freed them, once."""
    pe, flag = tb["people"], tb.flag("people")
    rel_id = pe["release_event_id"].astype(str)
    has_rel, outcome = rel_id != "", pe["outcome"].astype(object)
    kind = tb.event_kind(pe["release_event_id"].where(has_rel))
    msg = "points to a {v!r} event, not a release"
    flag("release_event_id", kind.notna() & (kind != "release"), msg, values=kind)
    others = split_ids(pe["other_event_ids"])
    unknown = others[~others.isin(tb["events"]["event_id"])].groupby(level=0).agg(", ".join)
    msg = "names unknown event(s) {v}; fix the id or add the event"
    flag("other_event_ids", unknown.reindex(pe.index).notna(), msg, values=unknown)
    twice = others[others == rel_id.reindex(others.index)]
    msg = "repeats the release_event_id; list the release once, in release_event_id"
    flag("other_event_ids", pd.Series(pe.index.isin(twice.index), pe.index), msg)
    msg = "is empty but the outcome is {v!r}; name the release that freed them"
    flag("release_event_id", outcome.isin(FREED) & ~has_rel, msg, values=outcome)
    # A refused release is not a release of that person: it goes in other_event_ids, and
    # the person is counted on the release that actually freed them (if any).
    msg = "is set but the outcome is {v!r} (not freed); move the event to other_event_ids"
    flag("release_event_id", outcome.notna() & ~outcome.isin(FREED) & has_rel, msg, values=outcome)


def people_counted_once(tb: Tables) -> None:
    """One person under two ids would be counted twice; named people fit an exact count."""
    pe, flag = tb["people"], tb.flag("people")
    rel_id = pe["release_event_id"].astype(str)
    freed = pe[rel_id != ""]
    spell = pd.concat([freed["name"], split_ids(freed["variants"])]).astype(str)
    spell = spell[spell.str.strip() != ""].map(fold)
    owners = pd.DataFrame({"row": spell.index, "name": spell.to_numpy()}).drop_duplicates()
    first = owners.groupby("name")["row"].transform("min")
    dup = owners[owners["row"] != first]
    other = pd.Series(pe.loc[first[dup.index], "person_id"].to_numpy(), index=dup["row"].to_numpy())
    other = other[~other.index.duplicated()].reindex(pe.index)
    msg = "is also a spelling of {v!r}: the same person, freed twice? keep one row"
    flag("name", other.notna(), msg, values=other)
    ev = tb["events"].drop_duplicates("event_id").set_index("event_id")
    limit = ev.loc[(ev["count_precision"] == "exact") & ev["count"].notna(), "count"]
    named = rel_id[rel_id.isin(limit.index)].value_counts()
    over = named[named > limit.reindex(named.index).astype(float)]

    def msg(v):
        return (
            f"{over[v]} people in people.csv name {v}, more than its exact count "
            f"{int(limit[v])}; someone is counted twice or the count is wrong"
        )

    flag("release_event_id", rel_id.isin(over.index) & ~rel_id.duplicated(), msg, values=rel_id)


def sources(tb: Tables) -> None:
    """Real publication dates (YYYY, YYYY-MM or YYYY-MM-DD), web addresses, and the
    original outlet of a copy."""
    so, flag = tb["sources"], tb.flag("sources")
    for col in [c for c in ("published", "original_published") if c in so]:
        s = so[col].astype(str)
        ok = s == ""
        for n, fmt in ((10, "%Y-%m-%d"), (7, "%Y-%m"), (4, "%Y")):
            ok |= pd.to_datetime(s.where(s.str.len() == n), format=fmt, errors="coerce").notna()
        msg = "{v!r} is not a real date; expected YYYY, YYYY-MM or YYYY-MM-DD"
        flag(col, ~ok, msg, values=s)
    url = so["url"].astype(str)
    ok = url.str.fullmatch(_URL, flags=re.ASCII).astype(bool)
    msg = "{v!r} is not a web address; expected http(s)://host/..."
    flag("url", (url != "") & ~ok, msg, values=url)
    if "tier" in so and "original_publisher" in so:
        copy = (so["tier"] == "republication") & (so["original_publisher"].astype(str) == "")
        msg = "is required for a republication: name the outlet that first published it"
        flag("original_publisher", copy, msg)


def totals(tb: Tables) -> None:
    """A published total counts over a known window: from ``since`` to ``as_of``."""
    to, flag = tb["totals"], tb.flag("totals")
    flag("since", to["since"].isna(), "is required: the start of the counted period")
    msg = "is after as_of; a total counts from 'since' up to 'as_of'"
    flag("since", to["since"] > to["as_of"], msg)


def backing(tb: Tables) -> None:
    """Every figure on an event comes from a source's own words (a claim) or is derived.

    Derived, so needing no claim of its own: ``n_pardoned`` equal to the count (the same
    figure), and ``n_home`` equal to the count when everyone stayed home or 0 when the
    destination names only other places.
    """
    ev, cl, flag = tb["events"], tb["claims"], tb.flag("events")
    dest = ev["destination"].astype(str)
    listed = dest.str.split(";").map(lambda places: "home" in places).astype(bool)
    for col in [c for c in BACKED_FIELDS if c in ev]:
        v = ev[col]
        derived = (v == ev["count"]).fillna(False)
        if col == "n_home":
            nobody = (v == 0).fillna(False) & ~dest.isin(["", "unknown"]) & ~listed
            derived = derived & (dest == "home") | nobody
        elif col != "n_pardoned":
            derived = False & derived
        backed = ev["event_id"].isin(cl.loc[cl["field"] == col, "event_id"])
        msg = f"has no claim in claims.csv (field '{col}'); add the source's own figure"
        flag(col, v.notna() & ~backed & ~derived, msg)


def aggregator_only(tb: Tables) -> None:
    """An event needs one source a reader could cite: not only aggregators."""
    so, ev = tb["sources"], tb["events"]
    if "tier" in so:
        tier = so.drop_duplicates("source_id").set_index("source_id")["tier"].astype(object)
        weak = split_ids(ev["source_ids"]).map(tier).eq("aggregator").groupby(level=0).all()
        only = weak.reindex(ev.index, fill_value=False)
        if "confidence" in ev:
            only &= ~ev["confidence"].astype(object).isin(WEAK_CONFIDENCE)
        msg = "rests only on aggregator-tier sources; add an original or official source "
        tb.flag("events")("source_ids", only, msg + "(or mark the event's confidence as weak)")


def event_warnings(tb: Tables) -> None:
    """What does not block a run but is worth a look before briefing on it."""
    ev, flag = tb["events"], tb.flag("events")
    releases = ev["kind"] == "release"
    if tb.has("claims"):
        unclaimed = releases & ~ev["event_id"].isin(tb["claims"]["event_id"])
        msg = "release has no claim in claims.csv; add the source's own figure"
        flag("event_id", unclaimed, msg, severity="warning")
    single = releases & ~ev["source_ids"].astype(str).str.contains(";")
    msg = f"release of more than {SINGLE_SOURCE_WARN_OVER} people rests on a single source"
    flag("source_ids", single & (ev["count"] > SINGLE_SOURCE_WARN_OVER), msg, severity="warning")
    today = pd.Timestamp(provenance_today())
    flag("date", ev["date"] > today, "is after today", severity="warning")


#: Each rule and the tables it needs (a table that could not be read skips its rules).
RULES = (
    (foreign_keys, ()),
    (source_lists, ("sources",)),
    (event_dates, ("events",)),
    (event_counts, ("events",)),
    (event_warnings, ("events",)),
    (exchange_sides, ("events", "exchanges")),
    (people_events, ("events", "people")),
    (people_counted_once, ("events", "people")),
    (backing, ("events", "claims")),
    (aggregator_only, ("events", "sources")),
    (sources, ("sources",)),
    (totals, ("totals",)),
)


def read_and_check(data_dir: Path, check: bool = True) -> tuple[dict[str, Table], dict, list]:
    """(tables, descriptor, problems): every table of ``data_dir`` read and typed, and every
    problem found in it.

    With ``check=False`` the cross-table rules run only when the cells have errors, so
    that cell and cross-table errors are still reported together.
    """
    tables, descriptor, problems = read_all(data_dir)
    for t in tables.values():
        problems += t.problems
    if tables and (check or any(p.severity == "error" for p in problems)):
        tb = Tables(tables, descriptor)
        for rule, needs in RULES:
            if tb.has(*needs):
                rule(tb)
        # Independence by origin, link strength from the claims, one counter's recognition.
        problems += tb.problems + origins.problems(tb.frames, tb.where)
    return tables, descriptor, problems


def validate(data_dir: Path | str | None = None) -> Report:
    """Check the data package and return a :class:`Report` (never raises on bad data).

    Besides the schema and the rules, it reports text a spreadsheet damaged and, in a
    git repository, what changed since the last commit (a warning).
    """
    data_dir = Path(data_dir or paths.DATA_DIR)
    tables, descriptor, problems = read_and_check(data_dir)
    if not tables:
        return Report(problems=problems)
    rows = {name: len(t.typed) for name, t in tables.items() if t.typed is not None}
    problems += changes_since_commit(data_dir, tables, descriptor)
    return Report(problems=problems, rows=rows, version=data_version(data_dir))
