"""Check the data package: the schema's own rules (via :mod:`belthaw.data.read`) plus the
rules that span tables, which a Table Schema cannot state.

``validate()`` never raises on bad data: it returns a :class:`Report` with every
error and warning, each naming file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import paths
from ..errors import DataError, Problem
from ..provenance import today as provenance_today
from .read import _emit, read_all, typed

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
        for p in sorted(self.errors):
            lines.append(f"ERROR   {p}")
        for p in sorted(self.warnings):
            lines.append(f"warning {p}")
        lines.append(
            f"{'OK' if self.ok else 'FAILED'}: {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s)"
        )
        return "\n".join(lines)


def _file(schema: dict[str, Any], table: str) -> str:
    for r in schema.get("resources", []):
        if r["name"] == table:
            return r.get("path", f"{table}.csv")
    return f"{table}.csv"


def _foreign_keys(frames, schema) -> list[Problem]:
    out: list[Problem] = []
    for res in schema.get("resources", []):
        name = res["name"]
        if name not in frames:
            continue
        for fk in res["schema"].get("foreignKeys", []):
            (col,) = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            (rcol,) = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            target = frames[ref["resource"]][rcol]
            s = frames[name][col]
            present = s.notna() & (s.astype("str") != "")
            bad = present & ~s.isin(target)
            _emit(
                out,
                _file(schema, name),
                col,
                bad,
                lambda v, r=ref["resource"], rc=rcol: f"{v!r} is not a known {rc} in {r}.csv",
                values=s,
            )
    return out


def _source_lists(frames, schema) -> list[Problem]:
    out: list[Problem] = []
    known = frames["sources"]["source_id"]
    for table, col in SOURCE_LIST_COLUMNS.items():
        full = frames[table][col]
        # check each distinct list once (a million events cite a few thousand lists)
        codes, uniques = pd.factorize(full, sort=False)
        s = pd.Series(uniques, dtype=full.dtype) if (codes >= 0).all() else full
        ids = s.str.split(";").explode()
        unknown = ids[(ids != "") & ~ids.isin(known)]
        if unknown.empty:
            continue
        if s is not full:  # back to one entry per row of the table
            pos = pd.Series(codes, index=full.index)
            unknown = _expand(unknown, pos[pos.isin(unknown.index)])
            s = full
        bad = pd.Series(False, index=s.index)
        bad[unknown.index.unique()] = True
        names = unknown.groupby(level=0).agg(", ".join)
        _emit(
            out,
            _file(schema, table),
            col,
            bad,
            lambda v: f"names unknown source(s) {v}; add them to sources.csv first",
            values=names.reindex(s.index, fill_value=""),
        )
    return out


def _expand(unknown: pd.Series, pos: pd.Series) -> pd.Series:
    """Unknown ids per distinct list (index = list code) -> per table row (index = row)."""
    per_code = pd.DataFrame({"code": unknown.index.to_numpy(), "id": unknown.to_numpy()})
    rows = pd.DataFrame({"row": pos.index.to_numpy(), "code": pos.to_numpy()})
    merged = rows.merge(per_code, on="code", how="inner", sort=False)
    merged = merged.sort_values("row", kind="stable")
    return pd.Series(merged["id"].to_numpy(), index=merged["row"].to_numpy())


def _events(ev: pd.DataFrame, file: str) -> list[Problem]:
    out: list[Problem] = []
    _emit(
        out,
        file,
        "date_end",
        ev["date_end"].notna() & (ev["date_end"] < ev["date"]),
        "is before 'date'; a range must end on or after it starts",
    )
    is_range = ev["date_precision"] == "range"
    _emit(
        out,
        file,
        "date_end",
        is_range & ev["date_end"].isna(),
        "is required when date_precision is 'range'",
    )
    _emit(
        out,
        file,
        "date_end",
        ~is_range & ev["date_end"].notna(),
        lambda v: f"is set but date_precision is {v!r}; use 'range' or clear date_end",
        values=ev["date_precision"].astype("str"),
    )
    has_count = ev["count"].notna()
    _emit(
        out,
        file,
        "count",
        has_count & ev["kind"].isin(KINDS_WITHOUT_COUNT),
        lambda v: (
            f"is set on a {v!r} event; only releases, statements and 'other' events carry counts"
        ),
        values=ev["kind"].astype("str"),
    )
    _emit(
        out,
        file,
        "count_precision",
        has_count & ev["count_precision"].isna(),
        "is required when count is set (exact, at_least, approx or unknown)",
    )
    for col, what in (("n_home", "people who stayed home"), ("n_foreign", "foreign nationals")):
        _emit(
            out,
            file,
            col,
            ev[col].notna() & has_count & (ev[col] > ev["count"]).fillna(False),
            f"{what} exceed the event's count",
        )
    # One action (announced / licence / list update) is one decision: its stages must agree
    # on who acted and on what, or the chart would join unrelated steps with a line.
    act = ev[ev["action_id"] != ""]
    if not act.empty:
        for col in ("jurisdiction", "instrument"):
            n = act.groupby("action_id", observed=True)[col].transform(
                lambda x: x.astype("str").nunique()
            )
            bad = pd.Series(False, index=ev.index)
            bad[n[n > 1].index] = True
            _emit(out, file, col, bad, "differs between events sharing this action_id")
    return out


def _kind_of(ev: pd.DataFrame, ids: pd.Series) -> pd.Series:
    return ids.map(ev.set_index("event_id")["kind"].astype("str"))


def _exchanges(frames, schema) -> list[Problem]:
    out: list[Problem] = []
    ev, ex = frames["events"], frames["exchanges"]
    file = _file(schema, "exchanges")
    rel = _kind_of(ev, ex["release_event_id"])
    _emit(
        out,
        file,
        "release_event_id",
        rel.notna() & (rel != "release"),
        lambda v: f"points to a {v!r} event; the release side must be a release",
        values=rel,
    )
    con = _kind_of(ev, ex["concession_event_id"])
    _emit(
        out,
        file,
        "concession_event_id",
        con == "release",
        "points to a release; the concession side must be a US step",
    )
    pe = frames["people"]
    k = _kind_of(ev, pe["release_event_id"])
    _emit(
        out,
        _file(schema, "people"),
        "release_event_id",
        k.notna() & (k != "release"),
        lambda v: f"points to a {v!r} event, not a release",
        values=k,
    )
    return out


def _warnings(frames, schema, today: pd.Timestamp) -> list[Problem]:
    out: list[Problem] = []
    ev = frames["events"]
    file = _file(schema, "events")
    releases = ev["kind"] == "release"
    claimed = ev["event_id"].isin(frames["claims"]["event_id"])
    _emit(
        out,
        file,
        "event_id",
        releases & ~claimed,
        "release has no claim in claims.csv; add the source's own figure",
        severity="warning",
    )
    n_src = ev["source_ids"].str.count(";") + 1
    _emit(
        out,
        file,
        "source_ids",
        releases & (n_src == 1) & (ev["count"] > SINGLE_SOURCE_WARN_OVER).fillna(False),
        f"release of more than {SINGLE_SOURCE_WARN_OVER} people rests on a single source",
        severity="warning",
    )
    _emit(out, file, "date", ev["date"] > today, "is after today", severity="warning")
    return out


def cross_table_problems(
    frames: dict[str, pd.DataFrame], schema: dict[str, Any], today: pd.Timestamp | None = None
) -> list[Problem]:
    """Rules that need more than one cell or table. ``frames`` are typed (see data.typed)."""
    today = today if today is not None else pd.Timestamp(provenance_today())
    return [
        *_foreign_keys(frames, schema),
        *_source_lists(frames, schema),
        *_events(frames["events"], _file(schema, "events")),
        *_exchanges(frames, schema),
        *_warnings(frames, schema, today),
    ]


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
        if t.frame is not None:
            report.rows[name] = len(t.frame)
    if report.ok:
        frames = {name: typed(t.frame, t.schema) for name, t in tables.items()}
        report.problems += cross_table_problems(frames, schema)
    return report
