"""Helpers every transform shares: date windows, coverage words, ``;``-joined id lists.

Pure: Series and DataFrames in, values out; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def to_timestamp(value) -> pd.Timestamp | None:
    """``None`` and ``""`` (a parameter left empty) are no bound; a string or date becomes a ``Timestamp``.

    >>> to_timestamp("2025-09-11")
    Timestamp('2025-09-11 00:00:00')
    """
    return None if value is None or value == "" else pd.Timestamp(value)


def between(dates: pd.Series, start=None, end=None) -> pd.Series:
    """Boolean mask: ``start <= date <= end`` (inclusive; either bound optional)."""
    start, end = to_timestamp(start), to_timestamp(end)
    mask = pd.Series(True, index=dates.index)
    if start is not None:
        mask &= dates >= start
    if end is not None:
        mask &= dates <= end
    return mask


def fmt_day(ts) -> str:
    """``YYYY-MM-DD`` or ``"?"`` for a missing date."""
    return "?" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def describe_window(what: str, start=None, end=None) -> str:
    """Words for a selection, e.g. ``"releases between 2023-01-01 and 2023-02-01"``."""
    start, end = to_timestamp(start), to_timestamp(end)
    if start is not None and end is not None:
        return f"{what} between {fmt_day(start)} and {fmt_day(end)}"
    if start is not None:
        return f"{what} from {fmt_day(start)} on"
    if end is not None:
        return f"{what} up to {fmt_day(end)}"
    return f"{what} in the data"


def coverage(frame: pd.DataFrame, columns: Iterable[str] = ("date", "date_end")) -> str:
    """Words for the date span of a frame, e.g. ``"the data covers 2024-07-03 to 2026-03-19"``."""
    cols = [c for c in columns if c in frame.columns]
    if frame.empty or not cols:
        return "the data holds no rows of this kind"
    dates = pd.concat([frame[c] for c in cols]).dropna()
    if dates.empty:
        return "the data holds no dated rows of this kind"
    return f"the data covers {fmt_day(dates.min())} to {fmt_day(dates.max())}"


def join_unique(lists: pd.Series, by: pd.Series | None = None, sep: str = ";") -> pd.Series:
    """Join the unique items of ``;``-separated strings, grouped by ``by`` (order of first sight).

    >>> join_unique(pd.Series(["a;b", "b;c"]), by=pd.Series([1, 1])).tolist()
    ['a;b;c']
    """
    by = pd.Series(0, index=lists.index) if by is None else by
    items = pd.DataFrame({"by": by.to_numpy(), "item": lists.astype(str).to_numpy()})
    # A row repeating an earlier (group, list) pair adds no item and moves no first
    # sighting: drop it before the per-row split (a million rows -> a few thousand).
    items = items.drop_duplicates()
    items["item"] = items["item"].str.split(";")
    items = items.explode("item")
    items = items[items["item"].str.len() > 0].drop_duplicates()
    joined = items.groupby("by", sort=False)["item"].agg(sep.join)
    return joined.astype("str")


def ids_by_frequency(*lists: Iterable[str]) -> tuple[str, ...]:
    """Source ids from ``;``-joined strings, most cited first (ties alphabetical).

    >>> ids_by_frequency(["a;b", "b"], ["c"])
    ('b', 'a', 'c')
    """
    flat = pd.Series([s for seq in lists for s in seq], dtype="str")
    if flat.empty:
        return ()
    items = flat.str.split(";").explode()
    items = items[items.str.len() > 0]
    counts = items.value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(k for k, _ in ranked)


def destination_tokens(destination: pd.Series) -> pd.Series:
    """Lower-cased destination tokens as lists.

    >>> destination_tokens(pd.Series(["Lithuania;home"])).tolist()
    [['lithuania', 'home']]
    """
    return destination.astype(str).str.lower().str.split(";")
