"""The loaded data package: :class:`Dataset` and :func:`load` (the I/O edge of the library)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths
from ..errors import DataError, Problem
from ..provenance import data_version
from .rules import read_and_check


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
        """Sorted unique publishers for source ids (each item may be a ';'-joined list)."""
        return sorted(set(self.publishers_in_order(source_ids)))

    def publishers_in_order(self, source_ids: Iterable[str]) -> list[str]:
        """Publishers to credit for ``source_ids``, most cited first, without repeats.

        This is the order of a figure's source line; unknown ids are skipped. Each page is
        credited to its origin (:meth:`credited_publishers`), so three pages relaying one
        post are one name; aggregators and pages of unknown ownership come after every
        outlet a reader could cite, whatever their count.
        """
        credit, s = self.credited_publishers(), self.sources
        tier = s.set_index("source_id")["tier"].astype(str) if "tier" in s else {}
        firm: list[str] = []
        weak: list[str] = []
        for item in [source_ids] if isinstance(source_ids, str) else source_ids:
            for sid in str(item).split(";"):
                name = credit.get(sid)
                if name is not None and name not in firm and name not in weak:
                    (weak if tier.get(sid) == "aggregator" else firm).append(name)
        return firm + weak

    def credited_publishers(self) -> dict[str, str]:
        """Source id -> who a citation names: the origin of what the page carries (the
        outlet, agency, office or post it relays; itself when it reported the story),
        else the original outlet of a copy, else the site it was read on."""
        s = self.sources.astype(object).fillna("").astype(str)
        name = s["publisher"]
        if {"tier", "original_publisher"} <= set(s.columns):
            copy = (s["tier"] == "republication") & (s["original_publisher"] != "")
            name = name.where(~copy, s["original_publisher"])
        if "origin" in s.columns:
            name = name.where(s["origin"].isin(["", "unknown", "nan"]), s["origin"])
        return dict(zip(s["source_id"], name, strict=True))


def load(data_dir: Path | str | None = None, *, check: bool = True) -> Dataset:
    """Load the data package as typed DataFrames.

    Raises :class:`~belthaw.errors.DataError` listing every problem (file, line, column,
    what was expected) when the data breaks a rule; warnings are kept on
    ``Dataset.warnings``. With ``check=False`` the cross-table rules are skipped
    (the schema's cell checks always run).
    """
    data_dir = Path(data_dir or paths.DATA_DIR)
    tables, _, problems = read_and_check(data_dir, check)
    if errors := [p for p in problems if p.severity == "error"]:
        raise DataError(errors)
    frames = {name: tables[name].typed.reset_index(drop=True) for name in paths.TABLES}
    ev = frames["events"]
    return Dataset(
        **frames,
        version=data_version(data_dir),
        as_of=pd.concat([ev["date"], ev["date_end"]]).max(),
        data_dir=data_dir,
        warnings=tuple(p for p in problems if p.severity == "warning"),
    )
