"""The loaded data package: :class:`Dataset` and :func:`load` (the I/O edge of the library).

``load`` reads every table (:mod:`.read`), applies the cross-table rules (:mod:`.rules`)
and returns typed DataFrames plus the data version stamped on every output.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths
from ..errors import DataError, Problem
from ..provenance import data_version
from .read import read_all
from .rules import cross_table_problems


@dataclass(frozen=True)
class Dataset:
    """The whole data package, typed. See docs/architecture.md for the dtype contract."""

    events: pd.DataFrame
    sources: pd.DataFrame
    claims: pd.DataFrame
    exchanges: pd.DataFrame
    people: pd.DataFrame
    prisoner_counts: pd.DataFrame
    totals: pd.DataFrame
    version: str
    as_of: pd.Timestamp
    data_dir: Path
    warnings: tuple[Problem, ...] = field(default=(), repr=False)
    #: Set by :func:`belthaw.transforms.as_of.as_published_by`: the day this data replays
    #: (only what had been published by then); None for everything published.
    published_by: pd.Timestamp | None = None

    def table(self, name: str) -> pd.DataFrame:
        """Return a table by name, e.g. ``data.table("events")``."""
        return getattr(self, name)

    def publishers(self, source_ids: Iterable[str]) -> list[str]:
        """Sorted unique publishers for source ids (each item may be a ';'-joined list).

        >>> data.publishers(["ap-20251213-potash;viasna-20251223"])   # doctest: +SKIP
        ['AP', 'Viasna']
        """
        return sorted(set(self.publishers_in_order(source_ids)))

    def publishers_in_order(self, source_ids: Iterable[str]) -> list[str]:
        """Publishers to credit for ``source_ids``, most cited first, without repeats.

        This is the order of a figure's source line; unknown ids are skipped. Each page is
        credited to its origin (:meth:`credited_publishers`), so three pages relaying one
        post are one name; aggregators and pages of unknown ownership come after every
        outlet a reader could cite, whatever their count.
        """
        if isinstance(source_ids, str):
            source_ids = [source_ids]
        credit = self.credited_publishers()
        tier = (
            self.sources.set_index("source_id")["tier"].astype(str)
            if "tier" in self.sources
            else None
        )
        firm: list[str] = []
        weak: list[str] = []
        for item in source_ids:
            for sid in str(item).split(";"):
                name = credit.get(sid)
                if name is None:
                    continue
                target = weak if tier is not None and tier.get(sid) == "aggregator" else firm
                if name not in firm and name not in weak:
                    target.append(name)
        return firm + weak

    def credited_publishers(self) -> dict[str, str]:
        """Source id -> who a citation names: the origin of what the page carries (the
        outlet, agency, office or post it relays; itself when it reported the story),
        else the original outlet of a copy, else the site it was read on."""
        s = self.sources
        name = s["publisher"].astype(str)
        if {"tier", "original_publisher"} <= set(s.columns):
            copy = (s["tier"].astype(str) == "republication") & (
                s["original_publisher"].astype(str) != ""
            )
            name = name.where(~copy, s["original_publisher"].astype(str))
        if "origin" in s.columns:
            origin = s["origin"].astype(str)
            known = ~origin.isin(["", "unknown", "nan"])
            name = name.where(~known, origin)
        return dict(zip(s["source_id"].astype(str), name, strict=True))


def load(data_dir: Path | str | None = None, *, check: bool = True) -> Dataset:
    """Load the data package as typed DataFrames.

    Raises :class:`~belthaw.errors.DataError` listing every problem (file, line, column,
    what was expected) when the data breaks a rule; warnings are kept on
    ``Dataset.warnings``. With ``check=False`` the cross-table rules are skipped
    (the schema's cell checks always run).

    >>> data = load()                                   # doctest: +SKIP
    >>> data.events.loc[data.events.kind == "release", "count"].sum()   # doctest: +SKIP
    """
    data_dir = Path(data_dir or paths.DATA_DIR)
    tables, descriptor, problems = read_all(data_dir)
    for t in tables.values():
        problems += t.problems
    frames = {name: tables[name].typed if name in tables else None for name in paths.TABLES}
    # Cell and cross-table errors are reported together, as ``belthaw validate`` does.
    if tables and (check or any(p.severity == "error" for p in problems)):
        where = {name: t.where for name, t in tables.items()}
        problems += cross_table_problems(frames, descriptor, where=where)
    errors = [p for p in problems if p.severity == "error"]
    if errors or any(f is None for f in frames.values()):
        raise DataError(errors)
    ev = frames["events"]
    return Dataset(
        **{name: f.reset_index(drop=True) for name, f in frames.items()},
        version=data_version(data_dir),
        as_of=pd.concat([ev["date"], ev["date_end"]]).max(),
        data_dir=data_dir,
        warnings=tuple(p for p in problems if p.severity == "warning"),
    )
