"""US step -> release pairs: the recorded exchanges, their lags, and candidate links.

Pure transforms (no I/O). ``lag_days`` is always *release date - US step date*:
positive when the release came after the US step, negative when Minsk moved first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import coverage, join_unique

LINK_STRENGTHS = ("explicit", "reported", "inferred")
#: Which events count as a US "concession" when looking for candidate links.
CONCESSION_KINDS = ("sanctions_relief", "diplomatic_contact", "appointment")

PAIR_COLUMNS = [
    "exchange_id",
    "concession_event_id",
    "concession_date",
    "concession_title",
    "concession_kind",
    "release_event_id",
    "release_date",
    "release_title",
    "release_count",
    "link",
    "lag_days",
    "evidence",
    "rationale",
    "source_ids",
]


def _evidence(dataset, source_ids: pd.Series) -> pd.Series:
    """Publishers behind each ``;``-joined source list, ``"; "``-joined (one lookup per list)."""
    uniq = pd.unique(source_ids.astype(str))
    names = {s: "; ".join(dataset.publishers([s])) for s in uniq}
    return source_ids.astype(str).map(names).astype("str")


def _event_side(events: pd.DataFrame, prefix: str) -> pd.DataFrame:
    cols = {"event_id": "event_id", "date": "date", "title": "title", "kind": "kind"}
    side = events[list(cols) + (["count"] if prefix == "release" else [])]
    return side.rename(columns={c: f"{prefix}_{c}" for c in side.columns})


def _lag_days(release_date: pd.Series, concession_date: pd.Series) -> pd.Series:
    # Signed: release minus US step. Positive = the release followed the US step.
    days = (release_date - concession_date).dt.days
    return days.astype("int64") if days.notna().all() else days.astype("Int64")


def exchange_pairs(dataset, *, link_strengths=LINK_STRENGTHS) -> pd.DataFrame:
    """The recorded exchanges joined to their two events, with the lag in days.

    Columns: ``exchange_id, concession_event_id, concession_date, concession_title,
    concession_kind, release_event_id, release_date, release_title, release_count, link,
    lag_days, evidence, rationale, source_ids``. ``lag_days`` = release date - concession
    date (positive: the release came after the US step). ``evidence`` names the
    publishers of the exchange's sources. Sorted by concession date.

    >>> p = exchange_pairs(ds, link_strengths=("explicit",))  # doctest: +SKIP
    >>> p[["exchange_id", "lag_days"]]                          # doctest: +SKIP
    """
    ex = dataset.exchanges
    ex = ex[ex["link"].astype(object).isin(list(link_strengths))]
    ev = dataset.events
    out = ex.merge(_event_side(ev, "concession"), how="left", on="concession_event_id")
    out = out.merge(_event_side(ev, "release"), how="left", on="release_event_id")
    out = out.drop(columns=["release_kind"])
    out["lag_days"] = _lag_days(out["release_date"], out["concession_date"])
    out["evidence"] = _evidence(dataset, out["source_ids"])
    out["link"] = out["link"].astype(object).astype("str")
    out = out[PAIR_COLUMNS].sort_values(["concession_date", "release_date", "exchange_id"])
    out = out.reset_index(drop=True)
    out.attrs.update(
        selection=f"exchanges with link strength {', '.join(link_strengths)}",
        coverage=f"{len(dataset.exchanges)} exchanges are recorded; " + coverage(ev),
    )
    return out


def _window_pairs(left: np.ndarray, right_sorted: np.ndarray, window: np.timedelta64):
    """Index pairs (i, j) with ``|right_sorted[j] - left[i]| <= window``, without a Python loop."""
    lo = np.searchsorted(right_sorted, left - window, side="left")
    hi = np.searchsorted(right_sorted, left + window, side="right")
    n = hi - lo
    i = np.repeat(np.arange(len(left)), n)
    # Offsets 0..n_k-1 within each concession's block, then shifted to that block's start.
    starts = np.repeat(np.cumsum(n) - n, n)
    j = np.repeat(lo, n) + (np.arange(n.sum()) - starts)
    return i, j


def infer_links(dataset, window_days: int = 7) -> pd.DataFrame:
    """Candidate US step -> release pairs within ±``window_days`` not already in exchanges.

    Every US ``sanctions_relief``, ``diplomatic_contact`` or ``appointment`` event is
    paired with every release within the window (before or after). Same columns as
    :func:`exchange_pairs`, with ``link = "candidate"``, an ``exchange_id`` of
    ``cand-<concession>--<release>`` and a generated ``rationale``; ``source_ids`` are
    both events' sources. Runs in O(n log n + pairs) via sorted search.

    >>> infer_links(ds, window_days=3)[["concession_event_id", "lag_days"]]  # doctest: +SKIP
    """
    ev = dataset.events
    kind = ev["kind"].astype(object)
    conc = ev[(ev["jurisdiction"].astype(object) == "US") & kind.isin(CONCESSION_KINDS)]
    rel = ev[kind == "release"].sort_values("date", kind="stable")
    window = np.timedelta64(int(window_days), "D")
    i, j = _window_pairs(
        conc["date"].to_numpy("datetime64[ns]"), rel["date"].to_numpy("datetime64[ns]"), window
    )
    c = _event_side(conc, "concession").iloc[i].reset_index(drop=True)
    r = _event_side(rel, "release").iloc[j].reset_index(drop=True).drop(columns="release_kind")
    out = pd.concat([c, r], axis=1)
    c_src = conc["source_ids"].astype(str).iloc[i].reset_index(drop=True)
    r_src = rel["source_ids"].astype(str).iloc[j].reset_index(drop=True)

    known = dataset.exchanges[["concession_event_id", "release_event_id"]].assign(_known=True)
    out = out.merge(known, how="left", on=["concession_event_id", "release_event_id"])
    keep = out["_known"].isna().to_numpy()
    out, c_src, r_src = out[keep], c_src[keep], r_src[keep]
    out = out.drop(columns="_known").reset_index(drop=True)
    src = (c_src + ";" + r_src).reset_index(drop=True)

    out["source_ids"] = join_unique(src, pd.Series(np.arange(len(src)))).reindex(
        range(len(src)), fill_value=""
    )
    out["lag_days"] = _lag_days(out["release_date"], out["concession_date"])
    out["link"] = "candidate"
    out["exchange_id"] = "cand-" + out["concession_event_id"] + "--" + out["release_event_id"]
    out["rationale"] = _rationale(out["lag_days"])
    out["evidence"] = _evidence(dataset, out["source_ids"])
    out = out[PAIR_COLUMNS].sort_values(["concession_date", "release_date", "exchange_id"])
    out = out.reset_index(drop=True)
    out.attrs.update(
        selection=f"candidate links within ±{window_days} days not in exchanges.csv",
        coverage=coverage(ev),
    )
    return out


def _rationale(lag: pd.Series) -> pd.Series:
    n = lag.abs().astype("int64").astype(str)
    unit = np.where(lag.abs() == 1, " day ", " days ")
    side = np.where(lag > 0, "after", "before")
    text = "release " + n + unit + side + " the US step; not in exchanges.csv"
    same = "release on the same day as the US step; not in exchanges.csv"
    return pd.Series(np.where(lag == 0, same, text), index=lag.index, dtype="str")


__all__ = ["exchange_pairs", "infer_links", "LINK_STRENGTHS", "PAIR_COLUMNS"]
