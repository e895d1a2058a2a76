"""US step -> release pairs: the recorded exchanges, their lags, candidate links, and the
rows the exchanges chart draws (one per release and the US steps it answered).

Pure transforms (no I/O). ``lag_days`` is always *release date - US step date*:
positive when the release came after the US step, negative when Minsk moved first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..counting import LINK_STRENGTHS
from .common import between, coverage, describe_window, join_unique

#: Firmest first: a row that groups several links takes the style of its firmest one.
LINK_ORDER = (*LINK_STRENGTHS, "candidate")
#: US steps this many days apart or closer, answered by one release, are one row.
GROUP_DAYS = 3
#: Which events count as a US "concession" when looking for candidate links.
CONCESSION_KINDS = ("sanctions_relief", "diplomatic_contact", "appointment")

PAIR_COLUMNS = [
    "exchange_id", "concession_event_id", "concession_date", "concession_title",
    "concession_kind", "release_event_id", "release_date", "release_title", "release_count",
    "link", "lag_days", "evidence", "rationale", "source_ids",
]  # fmt: skip
ROW_COLUMNS = [
    "row", "us_step", "release", "step_date", "release_date", "lag_days", "lag_words", "link",
    "marker", "n_steps", "exchange_ids", "source_ids",
]  # fmt: skip


def _evidence(dataset, source_ids: pd.Series) -> pd.Series:
    """Publishers behind each ``;``-joined source list, ``"; "``-joined (one lookup per list)."""
    uniq = pd.unique(source_ids.astype(str))
    names = {s: "; ".join(dataset.publishers([s])) for s in uniq}
    return source_ids.astype(str).map(names).astype("str")


def _event_side(events: pd.DataFrame, prefix: str) -> pd.DataFrame:
    side = events[
        ["event_id", "date", "title", "kind"] + (["count"] if prefix == "release" else [])
    ]
    return side.add_prefix(f"{prefix}_")


def _lag_days(release_date: pd.Series, concession_date: pd.Series) -> pd.Series:
    # Signed: release minus US step. Positive = the release followed the US step.
    days = (release_date - concession_date).dt.days
    return days.astype("int64") if days.notna().all() else days.astype("Int64")


def exchange_pairs(
    dataset, *, link_strengths=tuple(LINK_STRENGTHS), start=None, end=None
) -> pd.DataFrame:
    """The recorded exchanges whose release falls in ``start``..``end``, joined to their
    two events, with the lag in days.

    Columns: :data:`PAIR_COLUMNS`. ``lag_days`` = release date - concession date
    (positive: the release came after the US step). ``evidence`` names the publishers of
    the exchange's sources. Sorted by concession date.
    """
    ex = dataset.exchanges
    ex = ex[ex["link"].astype(object).isin(list(link_strengths))]
    ev = dataset.events
    out = ex.merge(_event_side(ev, "concession"), how="left", on="concession_event_id")
    out = out.merge(_event_side(ev, "release"), how="left", on="release_event_id")
    out = out[between(out["release_date"], start, end)]
    out["lag_days"] = _lag_days(out["release_date"], out["concession_date"])
    out["evidence"] = _evidence(dataset, out["source_ids"])
    out["link"] = out["link"].astype(object).astype("str")
    out = out[PAIR_COLUMNS].sort_values(["concession_date", "release_date", "exchange_id"])
    out = out.reset_index(drop=True)
    strengths = ", ".join(link_strengths) or "(none chosen)"
    out.attrs.update(
        selection=describe_window(f"exchanges with link strength {strengths}", start, end),
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


def infer_links(dataset, window_days: int = 7, *, start=None, end=None) -> pd.DataFrame:
    """Candidate US step -> release pairs within ±``window_days`` not already in exchanges.

    Every US ``sanctions_relief``, ``diplomatic_contact`` or ``appointment`` event is
    paired with every release within the window (before or after) that falls in
    ``start``..``end``. Same columns as :func:`exchange_pairs`, with ``link =
    "candidate"``, an ``exchange_id`` of ``cand-<concession>--<release>`` and a generated
    ``rationale``; ``source_ids`` are both events' sources.
    """
    ev = dataset.events
    kind = ev["kind"].astype(object)
    conc = ev[(ev["jurisdiction"].astype(object) == "US") & kind.isin(CONCESSION_KINDS)]
    rel = ev[(kind == "release") & between(ev["date"], start, end)].sort_values(
        "date", kind="stable"
    )
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


# -- the rows of the exchanges chart ----------------------------------------------------------


def first_words(title: str, max_chars: int = 34) -> str:
    """The title cut at a word boundary to ``max_chars`` (the fallback short label)."""
    title = " ".join(str(title).split())
    if len(title) <= max_chars:
        return title
    cut = title[: max_chars + 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"


def _release_words(count, destination: str) -> str:
    """'52 freed to Lithuania' from a release's count and destination (fallback label)."""
    n = "" if pd.isna(count) else f"{int(float(count)):,} "
    where = [d.strip() for d in str(destination or "").split(";") if d.strip()]
    where = [d for d in where if d.lower() != "unknown"]
    if not where:
        return f"{n}freed".strip()
    if where == ["home"]:
        return f"{n}freed, stay in Belarus"
    abroad = [d for d in where if d.lower() != "home"]
    return f"{n}freed to {' and '.join(abroad)}"


def short_labels(events: pd.DataFrame) -> pd.Series:
    """A few words per event, by event id: ``short_label`` where the data has one.

    Without it (a blank cell) a US step is named by the first words of its title and a
    release by its count and destination.
    """
    ev = events.set_index("event_id")
    has = ev["short_label"].fillna("").astype(str).str.strip()
    derived = pd.Series(
        [
            _release_words(c, d) if k == "release" else first_words(t)
            for k, c, d, t in zip(
                ev["kind"].astype(str),
                ev["count"],
                ev["destination"].fillna(""),
                ev["title"],
                strict=True,
            )
        ],
        index=ev.index,
    )
    return has.where(has != "", derived)


def lag_words(lag_days: int, months: int | None = None) -> str:
    """When the release came, relative to the US step, in words.

    ``months`` (calendar months from step to release) is given when a date is known
    only to the month: such a date cannot give a lag in days.
    """
    lag, unit, about = (lag_days, "day", "") if months is None else (months, "month", "about ")
    if lag == 0:
        return f"same {unit}"
    n = abs(int(lag))
    return (
        f"release {about}{n} {unit}{'s' * (n != 1)} {'after' if lag > 0 else 'before'} the US step"
    )


def _months(release_date, step_date) -> int:
    """Calendar months from the US step to the release (for dates known to the month)."""
    rd, sd = pd.Timestamp(release_date), pd.Timestamp(step_date)
    return (rd.year * 12 + rd.month) - (sd.year * 12 + sd.month)


def _groups(allp: pd.DataFrame) -> pd.Series:
    """Group number per pair: one release, recorded or candidate, steps within GROUP_DAYS."""
    key = allp[["release_event_id", "_cand"]]
    new_key = (key != key.shift()).any(axis=1)
    return (new_key | (allp["concession_date"].diff().dt.days > GROUP_DAYS)).cumsum() - 1


def _row(grp: pd.DataFrame, labels: pd.Series, prec: pd.Series) -> dict:
    """One chart row from the pairs of one group."""
    # Relief first (what the US gave), then firmer links, then by date: the row's
    # first words are its most substantial step.
    grp = grp.sort_values(
        ["_relief", "_rank", "concession_date", "exchange_id"],
        ascending=[False, True, True, True],
        kind="stable",
    )
    steps = list(dict.fromkeys(grp["concession_event_id"]))
    lag = grp["lag_days"].astype(int)
    # A row's lag is that of its closest step (a step after the release wins a tie).
    closest = grp.loc[(lag.abs() + (lag < 0) * 0.5).idxmin()]
    month = any(prec.get(e, "day") == "month" for e in [*steps, closest.release_event_id])
    months = _months(closest.release_date, closest.concession_date) if month else None
    return {
        "us_step": " + ".join(labels[s] for s in steps),
        "steps": tuple(labels[s] for s in steps),
        "release": labels[closest.release_event_id],
        "step_date": grp["concession_date"].min(),
        "step_end": grp["concession_date"].max(),
        "release_date": closest.release_date,
        "lag_days": int(closest.lag_days),
        "lag_words": lag_words(int(closest.lag_days), months),
        "link": LINK_ORDER[int(grp["_rank"].min())],
        "marker": "us_relief" if grp["_relief"].any() else "contact",
        "n_steps": len(steps),
        "exchange_ids": ";".join(sorted(grp["exchange_id"].astype(str))),
        "source_ids": ";".join(grp["source_ids"].astype(str)),
    }


def _all_pairs(pairs: pd.DataFrame, candidates) -> pd.DataFrame:
    extra = [candidates] if candidates is not None and len(candidates) else []
    return pd.concat([pairs, *extra], ignore_index=True)


def exchange_rows(pairs: pd.DataFrame, events: pd.DataFrame, candidates=None) -> pd.DataFrame:
    """One row per exchange drawn: a release with the US steps it answered on nearby days.

    Pairs sharing a release whose US steps fall within :data:`GROUP_DAYS` of each other
    are one row; candidate pairs are never grouped with recorded ones. A row's lag is
    that of its closest step, its link the firmest of its pairs. Rows are ordered by
    their earlier date (step or release), top to bottom. Columns: :data:`ROW_COLUMNS`
    plus ``steps`` (the step labels, a tuple) and ``step_end`` (the last step's date).
    """
    allp = _all_pairs(pairs, candidates)
    if not len(allp):
        out = pd.DataFrame(columns=[*ROW_COLUMNS, "steps", "step_end"])
        out.attrs.update(pairs.attrs)
        return out
    labels = short_labels(events)
    prec = events.set_index("event_id")["date_precision"].astype(str)
    allp = allp.assign(
        _cand=allp["link"].astype(str).eq("candidate"),
        _rank=allp["link"].astype(str).map({k: i for i, k in enumerate(LINK_ORDER)}),
        _relief=allp["concession_kind"].astype(str).eq("sanctions_relief"),
    )
    allp = allp.sort_values(
        ["release_event_id", "_cand", "concession_date", "exchange_id"], kind="stable"
    ).reset_index(drop=True)
    allp["_group"] = _groups(allp)
    out = pd.DataFrame([_row(grp, labels, prec) for _, grp in allp.groupby("_group", sort=True)])
    out["_first"] = out[["step_date", "release_date"]].min(axis=1)
    out = out.sort_values(
        ["_first", "release_date", "step_date", "exchange_ids"], kind="stable"
    ).reset_index(drop=True)
    out["row"] = np.arange(1, len(out) + 1)
    out = out[[*ROW_COLUMNS, "steps", "step_end"]]
    out.attrs.update(pairs.attrs)
    return out


def exchange_finding(rows: pd.DataFrame) -> dict[str, int]:
    """What the 03 title asserts, counted from the recorded (non-candidate) rows drawn.

    ``rows``: exchanges (rows); ``pairs``: the recorded links they group; ``same_day``:
    rows whose release came the day of their closest US step; ``release_first``: rows
    whose release came before it; ``stated`` / ``reported`` / ``inferred``: rows by the
    firmest link they hold.
    """
    rec = rows[rows["link"].astype(str) != "candidate"]
    link = rec["link"].astype(str)
    ids = rec["exchange_ids"].astype(str).str.split(";")
    return {
        "rows": len(rec),
        "pairs": int(ids.str.len().sum()) if len(rec) else 0,
        "same_day": int(rec["lag_words"].astype(str).eq("same day").sum()),
        "release_first": int((rec["lag_days"].astype(int) < 0).sum()),
        "stated": int(link.eq("explicit").sum()),
        "reported": int(link.eq("reported").sum()),
        "inferred": int(link.eq("inferred").sum()),
    }


def pairs_table(pairs: pd.DataFrame, events: pd.DataFrame, candidates=None) -> pd.DataFrame:
    """Every pair the exchanges figure draws, with its evidence: the table beside the figure.

    ``us_step`` and ``release`` are the short labels the chart prints; ``row`` is the
    chart row (top = 1) the pair is drawn on; ``lag_words`` say when the release came
    relative to that US step. Dates are ISO strings.
    """
    allp = _all_pairs(pairs, candidates)
    labels = short_labels(events)
    prec = events.set_index("event_id")["date_precision"].astype(str)
    rows = exchange_rows(pairs, events, candidates)
    row_of = {x: r for r, ids in zip(rows["row"], rows["exchange_ids"], strict=True) for x in ids.split(";")}  # fmt: skip
    out = allp.assign(
        row=allp["exchange_id"].map(row_of).astype("Int64"),
        us_step=allp["concession_event_id"].map(labels),
        release=allp["release_event_id"].map(labels),
        lag_words=[
            lag_words(int(d), _months(r, c) if "month" in (prec.get(a), prec.get(b)) else None)
            for d, r, c, a, b in zip(
                allp["lag_days"],
                allp["release_date"],
                allp["concession_date"],
                allp["release_event_id"],
                allp["concession_event_id"],
                strict=True,
            )
        ],  # fmt: skip
    )
    cols = [
        "exchange_id", "row", "concession_date", "us_step", "release_date", "release",
        "lag_days", "lag_words", "link", "concession_title", "release_title", "release_count",
        "evidence", "rationale", "source_ids",
    ]  # fmt: skip
    out = out[cols].sort_values(["row", "concession_date", "exchange_id"]).reset_index(drop=True)
    for c in ("concession_date", "release_date"):
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    return out
