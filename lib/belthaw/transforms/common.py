"""Helpers every transform shares: date windows, coverage words, ``;``-joined id lists."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def _ts(value) -> pd.Timestamp | None:
    # A parameter left empty ("") is no bound.
    return None if value is None or value == "" else pd.Timestamp(value)


def _day(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def between(dates: pd.Series, start=None, end=None) -> pd.Series:
    """Boolean mask: ``start <= date <= end`` (inclusive; either bound optional)."""
    start, end = _ts(start), _ts(end)
    mask = pd.Series(True, index=dates.index)
    if start is not None:
        mask &= dates >= start
    if end is not None:
        mask &= dates <= end
    return mask


def describe_window(what: str, start=None, end=None) -> str:
    """Words for a selection, e.g. ``"releases between 2023-01-01 and 2023-02-01"``."""
    start, end = _ts(start), _ts(end)
    if start is not None and end is not None:
        return f"{what} between {_day(start)} and {_day(end)}"
    if start is not None:
        return f"{what} from {_day(start)} on"
    if end is not None:
        return f"{what} up to {_day(end)}"
    return f"{what} in the data"


def coverage(frame: pd.DataFrame, columns: Iterable[str] = ("date", "date_end")) -> str:
    """Words for the date span of a frame, e.g. ``"the data covers 2024-07-03 to 2026-03-19"``."""
    dates = pd.concat([frame[c] for c in columns]).dropna()
    if frame.empty:
        return "the data holds no rows of this kind"
    if dates.empty:
        return "the data holds no dated rows of this kind"
    return f"the data covers {_day(dates.min())} to {_day(dates.max())}"


def join_unique(lists: pd.Series, by: pd.Series) -> pd.Series:
    """Join the unique items of ``;``-separated strings, grouped by ``by`` (order of first sight)."""
    items = pd.DataFrame({"by": by.to_numpy(), "item": lists.astype(str).to_numpy()})
    # A row repeating an earlier (group, list) pair adds no item and moves no first
    # sighting: drop it before the per-row split (a million rows -> a few thousand).
    items = items.drop_duplicates()
    items = items.assign(item=items["item"].str.split(";")).explode("item")
    items = items[items["item"].str.len() > 0].drop_duplicates()
    return items.groupby("by", sort=False)["item"].agg(";".join).astype("str")


def ids_by_frequency(*lists: Iterable[str]) -> tuple[str, ...]:
    """Source ids from ``;``-joined strings, most cited first (ties alphabetical)."""
    items = pd.Series([s for seq in lists for s in seq], dtype="str").str.split(";").explode()
    counts = items[items.str.len() > 0].value_counts()
    return tuple(sorted(counts.index, key=lambda k: (-counts[k], k)))
