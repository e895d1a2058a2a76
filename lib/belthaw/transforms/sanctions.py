"""Sanctions relief and tightening steps, one lane per jurisdiction and instrument.

A "measure" is a ``sanctions_relief`` or ``sanctions_tightening`` event, or an ``other``
event on the ``border`` or ``transit`` (Lithuania's and Poland's border closures weigh on
Minsk as much as listings do, so they are drawn on the same page, but they are not
sanctions: the data CHANGELOG recoded them as ``other``, and no sanctions count includes
them).
"""

from __future__ import annotations

import pandas as pd

from .common import between, coverage, describe_window

#: Jurisdiction code -> how a lane names it. Order = lane order (US lanes first).
JURISDICTION_NAMES = {"US": "US", "EU": "EU", "LT": "Lithuania", "PL": "Poland"}
#: Instrument code -> how a lane names it; others get their code with spaces.
INSTRUMENT_NAMES = {
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
#: What a measure does, in the ``direction`` column, is relief, tightening, renewal,
#: border_closure or border_reopening. Only ``tightening`` is counted as sanctions
#: tightening: a renewal keeps measures in force, and a border closure is not a sanction.
#: These are the directions ``show_tightening=False`` leaves out:
PRESSURE = ("tightening", "renewal", "border_closure")

# Border/transit events have kind "other" and no direction of their own; a title
# saying the crossing was (re)opened, resumed or eased marks a reopening, anything
# else (closures, suspensions) a closure.
_EASING_WORDS = r"(?i)\b(?:re-?open|open|resum|eas|lift|restor|unblock)"
# A sanctions_tightening row that prolongs the regime ("prolongs", "extends", "renews")
# keeps the measures in force; it adds none, so it is not a tightening. When sources
# disagree on whether names were added at a renewal (Feb 2026), the row stays a renewal.
_RENEWAL_WORDS = r"(?i)\b(?:prolong|extend|renew)"

#: Stage code -> the word a stage label prints.
STAGE_LABELS = {
    "announced": "announced",
    "licence_issued": "licence",
    "list_updated": "list updated",
    "published": "published",
    "effective": "effective",
}

COLUMNS = [
    "lane", "direction", "action_id", "action_stage", "status", "action_status", "date",
    "title", "jurisdiction", "instrument", "source_ids", "event_id", "lane_rank",
]  # fmt: skip


def lane_label(jurisdiction: pd.Series, instrument: pd.Series) -> pd.Series:
    """Readable lane names, e.g. ``"US · Belavia"``, ``"Lithuania · border"``."""
    jur = jurisdiction.astype(str)
    inst = instrument.astype(str)
    inst_name = inst.map(INSTRUMENT_NAMES).fillna(inst.str.replace("-", " "))
    return (jur.map(JURISDICTION_NAMES).fillna(jur) + " · " + inst_name).astype("str")


def _direction(ev: pd.DataFrame) -> pd.Series:
    title = ev["title"].astype(str)
    border = ev["kind"].eq("other")
    tightening = ev["kind"].eq("sanctions_tightening")
    renewal = title.str.contains(_RENEWAL_WORDS) | ev["action_id"].str.contains("renewal")
    out = pd.Series("relief", index=ev.index, dtype=object)
    out[tightening] = "tightening"
    out[tightening & renewal] = "renewal"
    out[border] = "border_closure"
    out[border & title.str.contains(_EASING_WORDS)] = "border_reopening"
    return out


def measures(
    events: pd.DataFrame,
    *,
    jurisdictions=("US", "EU", "LT", "PL"),
    show_tightening: bool = True,
    start=None,
    end=None,
) -> pd.DataFrame:
    """One row per sanctions or border measure, with its lane, direction and status.

    Columns: :data:`COLUMNS`. ``direction`` is relief, tightening, renewal,
    border_closure or border_reopening; ``show_tightening=False`` leaves out the
    :data:`PRESSURE` directions. ``status`` is ``announced`` for a stage that was only
    announced and ``issued`` for every other stage (a licence, a list update, a
    publication, an effective date); ``action_status`` is ``issued`` when any stage of the
    action is, else ``announced``. ``action_id`` is ``single-<event_id>`` when the event is
    not one stage of a larger action. Sorted by jurisdiction (US first), then lane (by
    first date), then date; ``lane_rank`` (0 = top lane) follows that order.
    """
    kind = events["kind"]
    is_border = kind.eq("other") & events["instrument"].isin(["border", "transit"])
    is_measure = kind.isin(["sanctions_relief", "sanctions_tightening"]) | is_border
    jur_list = list(jurisdictions)
    ev = events[
        is_measure & events["jurisdiction"].isin(jur_list) & between(events["date"], start, end)
    ]
    direction = _direction(ev)
    if not show_tightening:
        keep = ~direction.isin(PRESSURE)
        ev, direction = ev[keep], direction[keep]
    action_id = ev["action_id"].astype(str)
    action_id = action_id.where(action_id.str.len() > 0, "single-" + ev["event_id"].astype(str))
    status = ev["action_stage"].eq("announced").map({True: "announced", False: "issued"})
    out = pd.DataFrame(
        {
            "lane": lane_label(ev["jurisdiction"], ev["instrument"]),
            "direction": direction.astype("str"),
            "action_id": action_id.astype("str"),
            "action_stage": ev["action_stage"],
            "status": status.astype("str"),
            "date": ev["date"],
            "title": ev["title"],
            "jurisdiction": ev["jurisdiction"],
            "instrument": ev["instrument"],
            "source_ids": ev["source_ids"],
            "event_id": ev["event_id"],
        }
    )
    issued = out["status"].eq("issued").groupby(out["action_id"]).transform("any")
    out["action_status"] = issued.map({True: "issued", False: "announced"}).astype("str")
    order = {j: i for i, j in enumerate([*JURISDICTION_NAMES, *jur_list])}
    out["_jur"] = out["jurisdiction"].astype(object).map(order)
    out["_first"] = out.groupby("lane")["date"].transform("min")
    out = out.sort_values(["_jur", "_first", "lane", "date", "event_id"], kind="stable")
    out["lane_rank"] = pd.factorize(out["lane"])[0]
    out = out[COLUMNS].reset_index(drop=True)
    what = "sanctions or border measures" if show_tightening else "relief or reopening measures"
    out.attrs.update(
        selection=describe_window(f"{what} by {', '.join(jur_list)}", start, end),
        coverage=coverage(events),
    )
    return out


def count_actions(measures_df: pd.DataFrame) -> int:
    """How many actions the rows describe: the dated stages of one action (announced,
    licence issued, list updated, printed in the Federal Register) count once."""
    return int(measures_df["action_id"].nunique())


def _fronts(frame: pd.DataFrame) -> list[str]:
    """The instruments of the rows, as their lanes name them, in lane order."""
    return list(dict.fromkeys(frame["lane"].str.split(" · ").str[-1]))


def relief_finding(measures_df: pd.DataFrame) -> dict:
    """What the 02 title asserts, counted from the measures drawn, in actions.

    ``issued``: US relief actions with a stage beyond an announcement; ``announced``: US
    relief actions only announced so far; ``tightening``: sanctions tightening actions
    (renewals and border measures left out); ``tightened_by``: the jurisdictions of those,
    in lane order; ``fronts``: the instruments of the issued relief, then of the announced,
    as lanes name them.
    """
    m = measures_df
    relief = m[m["direction"].eq("relief") & m["jurisdiction"].astype(str).eq("US")]
    issued = relief[relief["action_status"].eq("issued")]
    announced = relief[relief["action_status"].eq("announced")]
    tight = m[m["direction"].eq("tightening")]
    return {
        "issued": count_actions(issued),
        "announced": count_actions(announced),
        "tightening": count_actions(tight),
        "tightened_by": list(dict.fromkeys(tight["jurisdiction"].astype(str))),
        "fronts_issued": _fronts(issued),
        "fronts_announced": _fronts(announced),
        "renewals": count_actions(m[m["direction"].eq("renewal")]),
        "border": count_actions(m[m["direction"].isin(("border_closure", "border_reopening"))]),
    }
