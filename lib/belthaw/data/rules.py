"""Check the data package: the schema's own rules (via :mod:`belthaw.data.read`) plus the
rules that span cells and tables, which a Table Schema cannot state.

``validate()`` never raises on bad data: it returns a :class:`Report` with every error
and warning, each naming file, line and column. Cell errors and cross-table errors come
in one pass: a cell that breaks its type is left out (missing) and the rules run on
everything that did type, so a broken foreign key shows on the first run, not the second.
Rules about columns added in data version 1.1 (``n_pardoned``, ``tier``...) apply when
the column exists.

It is longer than 500 lines because each rule is short but there are many (issues 9-11),
and keeping them in one file keeps one place to read what "valid data" means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import paths
from ..errors import DataError, Problem
from ..provenance import today as provenance_today
from .names import fold
from .read import Where, _emit, per_distinct, read_all, sort_key

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

#: Columns holding ';'-separated source ids, per table.
SOURCE_LIST_COLUMNS = {"events": "source_ids", "exchanges": "source_ids", "people": "source_ids"}

#: Parts of a release's count, each at most the count (the people freed).
COUNT_PARTS = {
    "n_home": "people who stayed home",
    "n_foreign": "foreign nationals",
    "n_political": "recognised political prisoners",
}
#: Figures on an event that must come from a source's own words (a claim), unless derived.
BACKED_FIELDS = ("n_home", "n_foreign", "n_political", "n_pardoned")
#: A value of ``events.confidence`` that says the event rests on weak sources.
WEAK_CONFIDENCE = ("weak", "low", "single_or_weak")
#: People outcomes that mean "freed": they need the release that freed them.
FREED = ("released_abroad", "released_home", "released")
#: The report prints at most this many problems; the count of the rest is given.
MAX_REPORT_LINES = 300


@dataclass
class Report:
    """What validation found. ``ok`` is true when there are no errors (warnings allowed)."""

    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    version: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        lines = []
        if self.rows:
            lines.append(
                "tables: "
                + ", ".join(f"{k} {v}" for k, v in self.rows.items())
                + (f"  (data version {self.version})" if self.version else "")
            )
        shown = [f"ERROR   {p}" for p in sorted(self.errors, key=sort_key)]
        shown += [f"warning {p}" for p in sorted(self.warnings, key=sort_key)]
        lines += shown[:MAX_REPORT_LINES]
        if len(shown) > MAX_REPORT_LINES:
            lines.append(
                f"... and {len(shown) - MAX_REPORT_LINES} more problems not shown; "
                "fix the ones above and run again"
            )
        lines.append(
            f"{'OK' if self.ok else 'FAILED'}: {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s)"
        )
        return "\n".join(lines)


class _Ctx:
    """The typed frames, where their rows are, and the descriptor."""

    def __init__(self, frames, schema, where):
        self.frames = frames
        self.schema = schema
        self._where = where or {}
        self._kinds: pd.Series | None = None

    def w(self, table: str) -> Where:
        if table in self._where and self._where[table] is not None:
            return self._where[table]
        for r in self.schema.get("resources", []):
            if isinstance(r, dict) and r.get("name") == table:
                return Where(Path(str(r.get("path", f"{table}.csv"))).name)
        return Where(f"{table}.csv")

    def has(self, *tables: str) -> bool:
        return all(t in self.frames and self.frames[t] is not None for t in tables)

    def event_kind(self, ids: pd.Series) -> pd.Series:
        if self._kinds is None:
            ev = self.frames["events"].drop_duplicates("event_id")
            self._kinds = ev.set_index("event_id")["kind"].astype(object)
        return ids.map(self._kinds)


def _split(s: pd.Series) -> pd.Series:
    """';'-separated ids, one per entry (index = row), empties dropped."""
    ids = s.astype(str).str.split(";").explode()
    return ids[ids.notna() & (ids != "")]


def _foreign_keys(cx: _Ctx) -> list[Problem]:
    out: list[Problem] = []
    for res in cx.schema.get("resources", []):
        name = res["name"]
        if not cx.has(name):
            continue
        for fk in res["schema"].get("foreignKeys", []):
            col = fk["fields"] if isinstance(fk["fields"], str) else fk["fields"][0]
            ref = fk["reference"]
            target = ref.get("resource") or name
            rcol = ref["fields"] if isinstance(ref["fields"], str) else ref["fields"][0]
            if not cx.has(target):
                continue
            s = cx.frames[name][col]
            present = s.notna() & (s.astype("str") != "")
            bad = present & ~s.isin(cx.frames[target][rcol])
            _emit(
                out,
                cx.w(name),
                col,
                bad,
                lambda v, r=target, rc=rcol: f"{str(v)[:60]!r} is not a known {rc} in {r}.csv",
                values=s,
            )
    return out


def _source_lists(cx: _Ctx) -> list[Problem]:
    out: list[Problem] = []
    if not cx.has("sources"):
        return out
    known = cx.frames["sources"]["source_id"]
    for table, col in SOURCE_LIST_COLUMNS.items():
        if not cx.has(table):
            continue
        full = cx.frames[table][col]
        # check each distinct list once (a million events cite a few thousand lists)
        codes, uniques = pd.factorize(full, sort=False)
        lists = pd.Series(uniques, dtype=object)
        ids = _split(lists)
        unknown = ids[~ids.isin(known)]
        if unknown.empty:
            continue
        names = unknown.groupby(level=0).agg(", ".join)
        per_row = pd.Series(codes, index=full.index).map(names)
        _emit(
            out,
            cx.w(table),
            col,
            per_row.notna(),
            lambda v: f"names unknown source(s) {v[:200]}; add them to sources.csv first",
            values=per_row,
        )
    return out


def _events(cx: _Ctx) -> list[Problem]:
    out: list[Problem] = []
    ev, w = cx.frames["events"], cx.w("events")
    _emit(
        out,
        w,
        "date_end",
        ev["date_end"].notna() & (ev["date_end"] < ev["date"]),
        "is before 'date'; a range must end on or after it starts",
    )
    is_range = ev["date_precision"] == "range"
    _emit(
        out,
        w,
        "date_end",
        is_range & ev["date_end"].isna(),
        "is required when date_precision is 'range'",
    )
    _emit(
        out,
        w,
        "date_end",
        ev["date_precision"].notna() & ~is_range & ev["date_end"].notna(),
        lambda v: f"is set but date_precision is {v!r}; use 'range' or clear date_end",
        values=ev["date_precision"].astype(object),
    )
    # The id is how other tables and people cite the event: a date in it that differs
    # from the event's date would send a reader to the wrong day.
    in_id = ev["event_id"].str.extract(r"^ev-([0-9]{8})-", expand=False)
    day = ev["date"].dt.strftime("%Y%m%d")
    _emit(
        out,
        w,
        "event_id",
        in_id.notna() & day.notna() & (in_id != day),
        lambda v: f"holds the date {v}, but 'date' is another day; make them agree",
        values=in_id,
    )
    has_count = ev["count"].notna()
    _emit(
        out,
        w,
        "count",
        has_count & ev["kind"].isin(KINDS_WITHOUT_COUNT),
        lambda v: (
            f"is set on a {v!r} event; only releases, statements and 'other' events carry counts"
        ),
        values=ev["kind"].astype(object),
    )
    _emit(
        out,
        w,
        "count_precision",
        has_count & ev["count_precision"].isna(),
        "is required when count is set (exact, at_least, approx or unknown)",
    )
    out += _counts(ev, w)
    # One action (announced / licence / list update) is one decision: its stages must agree
    # on who acted and on what, or the chart would join unrelated steps with a line.
    act = ev[ev["action_id"] != ""]
    if not act.empty:
        for col in ("jurisdiction", "instrument"):
            n = act.groupby("action_id", observed=True)[col].transform(
                lambda x: x.astype(object).nunique(dropna=False)
            )
            bad = pd.Series(False, index=ev.index)
            bad[n[n > 1].index] = True
            _emit(out, w, col, bad, "differs between events sharing this action_id")
    return out


def _counts(ev: pd.DataFrame, w: Where) -> list[Problem]:
    """A release's figures must fit together: parts within the whole, freed within pardoned."""
    out: list[Problem] = []
    has_count = ev["count"].notna()
    for col, what in COUNT_PARTS.items():
        if col not in ev:
            continue
        part = ev[col]
        _emit(
            out,
            w,
            col,
            part.notna() & has_count & (part > ev["count"]).fillna(False),
            f"{what} exceed the event's count (the people freed)",
        )
    for col in ("n_home", "n_foreign", "n_political", "n_pardoned"):
        if col in ev:
            _emit(
                out,
                w,
                col,
                ev[col].notna() & ~has_count,
                "is set but the event has no count; give the count first",
            )
    if "n_pardoned" in ev:
        _emit(
            out,
            w,
            "count",
            has_count & ev["n_pardoned"].notna() & (ev["count"] > ev["n_pardoned"]).fillna(False),
            lambda v: f"more people freed than pardoned or announced ({v}); check both figures",
            values=ev["n_pardoned"],
        )
    if "n_political" in ev and "political_by" in ev:
        by = ev["political_by"].astype(str).str.strip() != ""
        _emit(
            out,
            w,
            "political_by",
            ev["n_political"].notna() & ~by,
            "is required when n_political is set: say who recognised them (e.g. Viasna)",
        )
        _emit(
            out,
            w,
            "n_political",
            ev["n_political"].isna() & by,
            "is empty but political_by is set; give the number or clear political_by",
        )
    if "release_type" in ev:
        rel = ev["kind"] == "release"
        typed_ = ev["release_type"].notna() & (ev["release_type"].astype(object) != "")
        _emit(out, w, "release_type", rel & ~typed_, "is required on a release")
        _emit(
            out,
            w,
            "release_type",
            ev["kind"].notna() & ~rel & typed_,
            "is set on an event that is not a release; clear it",
        )
    return out


def _releases_pointed(cx: _Ctx) -> list[Problem]:
    out: list[Problem] = []
    ex = cx.frames["exchanges"] if cx.has("exchanges") else None
    if ex is not None:
        rel = cx.event_kind(ex["release_event_id"])
        _emit(
            out,
            cx.w("exchanges"),
            "release_event_id",
            rel.notna() & (rel != "release"),
            lambda v: f"points to a {v!r} event; the release side must be a release",
            values=rel,
        )
        con = cx.event_kind(ex["concession_event_id"])
        _emit(
            out,
            cx.w("exchanges"),
            "concession_event_id",
            con == "release",
            "points to a release; the concession side must be a US step",
        )
    return out


def _people(cx: _Ctx) -> list[Problem]:
    """Each person is counted once: freed by one release, named once, within its count."""
    out: list[Problem] = []
    pe, ev, w = cx.frames["people"], cx.frames["events"], cx.w("people")
    rel_id = pe["release_event_id"].astype(str)
    has_rel = rel_id != ""
    k = cx.event_kind(pe["release_event_id"].where(has_rel))
    _emit(
        out,
        w,
        "release_event_id",
        k.notna() & (k != "release"),
        lambda v: f"points to a {v!r} event, not a release",
        values=k,
    )
    others = _split(pe["other_event_ids"])
    known = set(ev["event_id"])
    unknown = others[~others.isin(known)]
    bad = pd.Series(pe.index.isin(unknown.index), index=pe.index)
    names = unknown.groupby(level=0).agg(", ".join).reindex(pe.index, fill_value="")
    _emit(
        out,
        w,
        "other_event_ids",
        bad,
        lambda v: f"names unknown event(s) {v[:200]}; fix the id or add the event",
        values=names,
    )
    twice = others[others == rel_id.reindex(others.index)]
    _emit(
        out,
        w,
        "other_event_ids",
        pd.Series(pe.index.isin(twice.index), index=pe.index),
        "repeats the release_event_id; list the release once, in release_event_id",
    )
    outcome = pe["outcome"].astype(object)
    _emit(
        out,
        w,
        "release_event_id",
        outcome.isin(FREED) & ~has_rel,
        lambda v: f"is empty but the outcome is {v!r}; name the release that freed them",
        values=outcome,
    )
    # A refused release is not a release of that person: it goes in other_event_ids, and
    # the person is counted on the release that actually freed them (if any).
    _emit(
        out,
        w,
        "release_event_id",
        outcome.notna() & ~outcome.isin(FREED) & has_rel,
        lambda v: f"is set but the outcome is {v!r} (not freed); move the event to other_event_ids",
        values=outcome,
    )
    # The same person under two ids would be counted twice by any per-person total.
    spell = pd.concat([pe["name"], _split(pe["variants"])])
    spell = spell[spell.astype(str).str.strip() != ""].map(lambda x: fold(str(x)))
    owners = pd.DataFrame({"row": spell.index, "name": spell.to_numpy()}).drop_duplicates()
    owners = owners[owners["row"].isin(pe.index[has_rel])]
    shared = owners[owners.duplicated("name", keep=False)]
    if not shared.empty:
        first_of = shared.groupby("name")["row"].transform("min")
        dup_rows = shared.loc[shared["row"] != first_of]
        pid = pe["person_id"].astype(str)
        other = pd.Series(
            dict(zip(dup_rows["row"], pid.loc[first_of[dup_rows.index]].to_numpy(), strict=True))
        ).reindex(pe.index)
        _emit(
            out,
            w,
            "name",
            other.notna(),
            lambda v: f"is also a spelling of {v!r}: the same person, freed twice? keep one row",
            values=other,
        )
    # Named people on a release cannot outnumber its exact count.
    named = rel_id[has_rel].value_counts()
    evu = ev.drop_duplicates("event_id").set_index("event_id")
    exact = evu["count_precision"] == "exact"
    limit = evu.loc[exact & evu["count"].notna(), "count"]
    over = named[named.index.isin(limit.index)]
    over = over[over > limit.reindex(over.index).astype(float)]
    if not over.empty:
        lim = over.to_dict()
        _emit(
            out,
            w,
            "release_event_id",
            rel_id.isin(over.index) & ~rel_id.duplicated(keep="first"),
            lambda v: (
                f"{lim[v]} people in people.csv name {v}, more than its exact count "
                f"{int(limit[v])}; someone is counted twice or the count is wrong"
            ),
            values=rel_id,
        )
    return out


def _partial_date_ok(s: pd.Series) -> pd.Series:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a real day, month or year (empty is fine)."""
    s = s.astype(str)
    day = pd.to_datetime(s.where(s.str.len() == 10), format="%Y-%m-%d", errors="coerce")
    month = pd.to_datetime(s.where(s.str.len() == 7), format="%Y-%m", errors="coerce")
    year = pd.to_datetime(s.where(s.str.len() == 4), format="%Y", errors="coerce")
    return (s == "") | day.notna() | month.notna() | year.notna()


_URL = r"https?://[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?"


def _sources(cx: _Ctx) -> list[Problem]:
    out: list[Problem] = []
    so, w = cx.frames["sources"], cx.w("sources")
    for col in ("published", "original_published"):
        if col in so:
            _emit(
                out,
                w,
                col,
                ~_partial_date_ok(so[col]),
                lambda v: f"{v[:40]!r} is not a real date; expected YYYY, YYYY-MM or YYYY-MM-DD",
                values=so[col].astype(str),
            )
    url = so["url"].astype(str)
    ok = url.str.fullmatch(_URL, flags=re.ASCII).fillna(False).astype(bool)
    _emit(
        out,
        w,
        "url",
        (url != "") & ~ok,
        lambda v: f"{v[:60]!r} is not a web address; expected http(s)://host/...",
        values=url,
    )
    if "tier" in so and "original_publisher" in so:
        _emit(
            out,
            w,
            "original_publisher",
            (so["tier"] == "republication") & (so["original_publisher"].astype(str) == ""),
            "is required for a republication: name the outlet that first published it",
        )
    return out


def _totals(cx: _Ctx) -> list[Problem]:
    out: list[Problem] = []
    to, w = cx.frames["totals"], cx.w("totals")
    # A total with no start cannot be compared with a running sum over a known window.
    _emit(out, w, "since", to["since"].isna(), "is required: the start of the counted period")
    _emit(
        out,
        w,
        "since",
        to["since"].notna() & to["as_of"].notna() & (to["since"] > to["as_of"]),
        "is after as_of; a total counts from 'since' up to 'as_of'",
    )
    return out


def _backing(cx: _Ctx) -> list[Problem]:
    """Every figure on an event comes from a source's own words (a claim) or is derived.

    Derived, so needing no claim of its own: ``n_pardoned`` equal to the count (the same
    figure), and ``n_home`` equal to the count when everyone stayed home or 0 when the
    destination names only other places.
    """
    out: list[Problem] = []
    ev, cl, w = cx.frames["events"], cx.frames["claims"], cx.w("events")
    dest = ev["destination"].astype(str)
    for col in BACKED_FIELDS:
        if col not in ev:
            continue
        v = ev[col]
        backed = ev["event_id"].isin(cl.loc[cl["field"] == col, "event_id"])
        derived = pd.Series(False, index=ev.index)
        if col == "n_pardoned":
            derived = (v == ev["count"]).fillna(False)
        elif col == "n_home" and v.notna().any():
            everyone = (dest == "home") & (v == ev["count"]).fillna(False)
            home_listed = per_distinct(
                dest, lambda u: u.str.split(";").map(lambda parts: "home" in parts)
            ).astype(bool)
            nobody = (v == 0).fillna(False) & (dest != "") & (dest != "unknown") & ~home_listed
            derived = everyone | nobody
        _emit(
            out,
            w,
            col,
            v.notna() & ~backed & ~derived,
            f"has no claim in claims.csv (field '{col}'); add the source's own figure",
        )
    return out


def _aggregator_only(cx: _Ctx) -> list[Problem]:
    out: list[Problem] = []
    so, ev = cx.frames["sources"], cx.frames["events"]
    if "tier" not in so:
        return out
    tier = so.drop_duplicates("source_id").set_index("source_id")["tier"].astype(object)
    # once per distinct list of sources (a million events cite a few thousand lists)
    codes, lists = pd.factorize(ev["source_ids"].astype(str), sort=False)
    ids = _split(pd.Series(lists, dtype=object))
    weak_list = ids.map(tier).eq("aggregator").groupby(level=0).all()
    weak_list = weak_list.reindex(range(len(lists)), fill_value=False)
    only = pd.Series(weak_list.to_numpy()[codes], index=ev.index) & (codes >= 0)
    if "confidence" in ev:
        only &= ~ev["confidence"].astype(object).isin(WEAK_CONFIDENCE)
    _emit(
        out,
        cx.w("events"),
        "source_ids",
        only,
        "rests only on aggregator-tier sources; add an original or official source "
        "(or mark the event's confidence as weak)",
    )
    return out


def _warnings(cx: _Ctx, today: pd.Timestamp) -> list[Problem]:
    out: list[Problem] = []
    ev, w = cx.frames["events"], cx.w("events")
    releases = ev["kind"] == "release"
    if cx.has("claims"):
        claimed = ev["event_id"].isin(cx.frames["claims"]["event_id"])
        _emit(
            out,
            w,
            "event_id",
            releases & ~claimed,
            "release has no claim in claims.csv; add the source's own figure",
            severity="warning",
        )
    n_src = ev["source_ids"].astype(str).str.count(";") + 1
    _emit(
        out,
        w,
        "source_ids",
        releases & (n_src == 1) & (ev["count"] > SINGLE_SOURCE_WARN_OVER).fillna(False),
        f"release of more than {SINGLE_SOURCE_WARN_OVER} people rests on a single source",
        severity="warning",
    )
    _emit(out, w, "date", ev["date"] > today, "is after today", severity="warning")
    return out


def cross_table_problems(
    frames: dict[str, pd.DataFrame],
    schema: dict[str, Any],
    today: pd.Timestamp | None = None,
    where: dict[str, Where] | None = None,
) -> list[Problem]:
    """Rules that need more than one cell or table, on typed frames (see ``read.typed``).

    A table missing from ``frames`` (unreadable) skips the rules that need it; ``where``
    gives each table's file and row lines (default: the descriptor's file, one line a row).
    """
    today = today if today is not None else pd.Timestamp(provenance_today())
    cx = _Ctx(frames, schema, where)
    out = [*_foreign_keys(cx), *_source_lists(cx)]
    if cx.has("events"):
        out += _events(cx) + _releases_pointed(cx) + _warnings(cx, today)
        if cx.has("people"):
            out += _people(cx)
        if cx.has("claims"):
            out += _backing(cx)
        if cx.has("sources"):
            out += _aggregator_only(cx)
    if cx.has("sources"):
        out += _sources(cx)
    if cx.has("totals"):
        out += _totals(cx)
    return out


def validate(data_dir: Path | str | None = None) -> Report:
    """Check the data package and return a :class:`Report` (never raises on bad data).

    >>> report = validate()          # doctest: +SKIP
    >>> report.ok, len(report.warnings)   # doctest: +SKIP
    (True, 3)
    """
    data_dir = Path(data_dir or paths.DATA_DIR)
    try:
        tables, schema, version = read_all(data_dir)
    except DataError as exc:
        return Report(problems=list(exc.problems))
    report = Report(version=version)
    for name, t in tables.items():
        report.problems += t.problems
        if t.typed is not None:
            report.rows[name] = len(t.typed)
    frames = {name: t.typed for name, t in tables.items() if t.typed is not None}
    where = {name: t.where for name, t in tables.items()}
    report.problems += cross_table_problems(frames, schema, where=where)
    return report
