"""Sanctions relief and tightening steps, one lane per jurisdiction and instrument.

Pure transforms (no I/O). A "measure" is a ``sanctions_relief`` or
``sanctions_tightening`` event, or an ``other`` event on the ``border`` or
``transit`` (Lithuania's and Poland's border closures weigh on Minsk as much as
listings do, so they are drawn on the same page).
"""

from __future__ import annotations

import pandas as pd

from .common import between, coverage, describe_window

#: Jurisdiction code -> how a lane names it. Order = lane order (US lanes first).
JURISDICTION_NAMES: dict[str, str] = {"US": "US", "EU": "EU", "LT": "Lithuania", "PL": "Poland"}

#: Instrument code -> how a lane names it; others get their code with spaces.
INSTRUMENT_NAMES: dict[str, str] = {
    "belavia": "Belavia",
    "potash": "potash",
    "banks": "banks",
    "eu-regime": "listings/renewals",
    # OFAC's SDN list is jargon in a briefing: "designations" is what the step does.
    "sdn-listing": "designations",
    "border": "border",
    "transit": "transit",
    "": "other measures",
}

MEASURE_KINDS = ("sanctions_relief", "sanctions_tightening")
BORDER_INSTRUMENTS = ("border", "transit")

# Border/transit events have kind "other" and no direction of their own; a title
# saying the crossing was (re)opened, resumed or eased marks an easing, anything
# else (closures, suspensions) a tightening.
_EASING_WORDS = r"(?i)\b(?:re-?open|open|resum|eas|lift|restor|unblock)"

STAGE_LABELS: dict[str, str] = {
    "announced": "announced",
    "licence_issued": "licence",
    "list_updated": "list updated",
    "published": "published",
    "effective": "effective",
}


def lane_label(jurisdiction: pd.Series, instrument: pd.Series) -> pd.Series:
    """Readable lane names, e.g. ``"US · Belavia"``, ``"Lithuania · border"``.

    >>> lane_label(pd.Series(["US"]), pd.Series(["potash"])).tolist()
    ['US · potash']
    """
    jur = jurisdiction.astype(str)
    jur_name = jur.map(JURISDICTION_NAMES).fillna(jur)
    inst = instrument.astype(str).fillna("")
    inst_name = inst.map(INSTRUMENT_NAMES).fillna(inst.str.replace("-", " "))
    return (jur_name + " · " + inst_name).astype("str")


def measures(
    events: pd.DataFrame,
    *,
    jurisdictions=("US", "EU", "LT", "PL"),
    show_tightening: bool = True,
    start=None,
    end=None,
) -> pd.DataFrame:
    """One row per sanctions or border measure, with its lane and direction.

    Columns: ``lane, direction, action_id, action_stage, date, title, jurisdiction,
    instrument, source_ids, event_id, lane_rank``. ``direction`` is ``relief``,
    ``tightening`` or ``easing`` (a border/transit reopening). ``action_id`` is filled
    with ``single-<event_id>`` when the event is not one stage of a larger action.
    Sorted by jurisdiction (US first), then lane (by first date), then date;
    ``lane_rank`` (0 = top lane) follows that order.

    >>> m = measures(ds.events, jurisdictions=("US",))  # doctest: +SKIP
    >>> m["lane"].unique().tolist()                      # doctest: +SKIP
    ['US · Belavia', 'US · potash']
    """
    kind = events["kind"].astype(object)
    instrument = events["instrument"].astype(str)
    is_border = (kind == "other") & instrument.isin(BORDER_INSTRUMENTS)
    jur_list = list(jurisdictions)
    mask = (kind.isin(MEASURE_KINDS) | is_border) & events["jurisdiction"].astype(object).isin(
        jur_list
    )
    mask &= between(events["date"], start, end)
    ev = events[mask]
    direction = pd.Series("relief", index=ev.index, dtype=object)
    direction[kind[mask] == "sanctions_tightening"] = "tightening"
    border = is_border[mask]
    easing = ev["title"].astype(str).str.contains(_EASING_WORDS, regex=True)
    direction[border] = "tightening"
    direction[border & easing] = "easing"
    if not show_tightening:
        ev, direction = ev[direction != "tightening"], direction[direction != "tightening"]

    action_id = ev["action_id"].astype(str)
    action_id = action_id.where(action_id.str.len() > 0, "single-" + ev["event_id"].astype(str))
    out = pd.DataFrame(
        {
            "lane": lane_label(ev["jurisdiction"], ev["instrument"]),
            "direction": direction.astype("str"),
            "action_id": action_id.astype("str"),
            "action_stage": ev["action_stage"],
            "date": ev["date"],
            "title": ev["title"],
            "jurisdiction": ev["jurisdiction"],
            "instrument": ev["instrument"],
            "source_ids": ev["source_ids"],
            "event_id": ev["event_id"],
        }
    )
    order = {j: i for i, j in enumerate([*JURISDICTION_NAMES, *jur_list])}
    out["_jur"] = out["jurisdiction"].astype(object).map(order)
    out["_first"] = out.groupby("lane")["date"].transform("min")
    out = out.sort_values(["_jur", "_first", "lane", "date", "event_id"], kind="stable")
    out["lane_rank"] = pd.factorize(out["lane"])[0]
    out = out.drop(columns=["_jur", "_first"]).reset_index(drop=True)
    what = "sanctions or border measures"
    if not show_tightening:
        what = "relief or easing measures"
    out.attrs.update(
        selection=describe_window(f"{what} by {', '.join(jur_list)}", start, end),
        coverage=coverage(events),
    )
    return out


def action_timeline(measures_df: pd.DataFrame) -> pd.DataFrame:
    """One row per action: how its stages spread out in time.

    Columns: ``action_id, lane, jurisdiction, direction, first_date, last_date, n_stages,
    stages`` (list of the named stages in date order; empty for an unstaged step),
    ``event_ids`` (list), ``span_days`` (int: last - first).

    >>> action_timeline(measures(ds.events)).query("n_stages > 1")  # doctest: +SKIP
    """
    m = measures_df.sort_values(["date", "event_id"], kind="stable")
    stage = m["action_stage"].astype(object).where(m["action_stage"].notna(), "").astype(str)
    m = m.assign(_stage=stage)
    g = m.groupby("action_id", sort=False)
    out = g.agg(
        lane=("lane", "first"),
        jurisdiction=("jurisdiction", "first"),
        direction=("direction", "first"),
        first_date=("date", "min"),
        last_date=("date", "max"),
        n_stages=("event_id", "size"),
        stages=("_stage", lambda s: [x for x in s if x]),
        event_ids=("event_id", list),
    ).reset_index()
    out["span_days"] = (out["last_date"] - out["first_date"]).dt.days.astype("int64")
    out = out.sort_values(["first_date", "action_id"], kind="stable").reset_index(drop=True)
    out.attrs.update(measures_df.attrs)
    return out


__all__ = ["measures", "action_timeline", "lane_label", "STAGE_LABELS"]


def count_actions(measures_df: pd.DataFrame) -> int:
    """How many actions the rows describe: the dated stages of one action (announced,
    licence issued, list updated, printed in the Federal Register) count once."""
    if measures_df.empty:
        return 0
    action = measures_df["action_id"].astype(str)
    alone = action.eq("") | action.eq("nan")
    return int(action[~alone].nunique() + alone.sum())
