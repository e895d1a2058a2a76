"""Small synthetic datasets that follow the Dataset contract exactly, for transform and plot tests.

The frames are typed from ``data/datapackage.json`` (the schema), the same way
``belthaw.load()`` types them: dates -> ``datetime64[ns]``, integers -> ``Int64``,
numbers -> ``float64``, enum strings -> ``Categorical`` (schema order), other
strings -> ``str`` with ``""`` for empty. Nothing here reads ``data/*.csv``.

Every value is hand-made and known, so tests can state expected outputs.

>>> from synth import make_dataset
>>> ds = make_dataset()
>>> ds.events["kind"].dtype.name
'category'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from belthaw import paths
from belthaw.data import Dataset

TABLES = ("sources", "events", "claims", "exchanges", "people", "prisoner_counts", "totals")


@cache
def _schema() -> dict[str, list[dict]]:
    pkg = json.loads((paths.ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r["schema"]["fields"] for r in pkg["resources"]}


def typed(table: str, rows: Iterable[dict]) -> pd.DataFrame:
    """Build one table with the contract's columns and dtypes; missing keys are empty."""
    rows = list(rows)
    cols = {}
    for f in _schema()[table]:
        name, kind = f["name"], f["type"]
        raw = [r.get(name) for r in rows]
        raw = [None if v in ("", None) else v for v in raw]
        enum = f.get("constraints", {}).get("enum")
        if kind == "date":
            cols[name] = pd.to_datetime(pd.Series(raw, dtype=object)).astype("datetime64[ns]")
        elif kind == "integer":
            cols[name] = pd.array(raw, dtype="Int64")
        elif kind == "number":
            cols[name] = pd.Series(raw, dtype="float64")
        elif enum:
            cols[name] = pd.Categorical(raw, categories=enum)
        else:
            cols[name] = pd.Series(["" if v is None else str(v) for v in raw], dtype="str")
    return pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in cols.items()})


def SynthDataset(**frames) -> Dataset:  # noqa: N802 - reads like the class it builds
    """The real :class:`belthaw.data.Dataset`, with fixed metadata for synthetic frames."""
    frames.setdefault("as_of", pd.Timestamp("2026-01-20"))
    return Dataset(**frames, version="0123456789ab", data_dir=Path("synthetic"))


SOURCES = [
    dict(source_id="ap-1", publisher="AP", title="t", source_type="news", corpus="seed", tier="original"),
    dict(source_id="reuters-1", publisher="Reuters", title="t", source_type="news", corpus="dossier", tier="original"),
    dict(source_id="viasna-1", publisher="Viasna", title="t", source_type="ngo", corpus="dossier", tier="original"),
    dict(source_id="state-1", publisher="US State Department", title="t", source_type="official", corpus="dossier", tier="official"),
    dict(source_id="eu-1", publisher="Council of the EU", title="t", source_type="official", corpus="dossier", tier="official"),
    dict(source_id="lrt-1", publisher="LRT", title="t", source_type="news", corpus="dossier", tier="original"),
    # An aggregator page: a release resting on it alone is weakly sourced.
    dict(source_id="blog-1", publisher="Aggregator site", title="t", source_type="news", corpus="dossier", tier="aggregator"),
]  # fmt: skip


def _rel(
    event_id, date, count, precision, destination, n_home, n_foreign, source_ids, title=None,
    release_type=None,
):  # fmt: skip
    # Domestic waves are pardons; the releases abroad are on the US track unless told.
    if release_type is None:
        release_type = "pardon" if destination in ("home", "unknown") else "us_deal"
    return dict(
        release_type=release_type,
        event_id=event_id,
        date=date,
        date_precision="day",
        kind="release",
        jurisdiction="BY",
        actor="Lukashenka",
        title=title or f"Release {event_id[3:11]}",
        count=count,
        count_precision=precision,
        destination=destination,
        n_home=n_home,
        n_foreign=n_foreign,
        source_ids=source_ids,
    )


def _step(
    event_id, date, kind, jurisdiction, title, source_ids, instrument="", action_id="", stage=None
):
    return dict(
        event_id=event_id,
        date=date,
        date_precision="day",
        kind=kind,
        jurisdiction=jurisdiction,
        actor=jurisdiction,
        title=title,
        instrument=instrument,
        action_id=action_id,
        action_stage=stage,
        source_ids=source_ids,
    )


#: Releases (date, count, precision, destination, n_home, n_foreign) chosen so each
#: counting rule has a case: all-home pardon, foreign nationals known/unknown,
#: a lower bound with mixed destination and unknown n_home, a release with no count.
EVENTS = [
    _rel("ev-20240703-pardon", "2024-07-03", 18, "exact", "home", 18, 0, "viasna-1"),
    _step(
        "ev-20240910-visit",
        "2024-09-10",
        "diplomatic_contact",
        "US",
        "US envoy in Minsk",
        "reuters-1",
    ),
    _rel(
        "ev-20240911-release",
        "2024-09-11",
        3,
        "exact",
        "Lithuania",
        0,
        1,
        "ap-1;reuters-1",
        release_type="transfer",
    ),  # fmt: skip
    _step(
        "ev-20250224-eu-renewal",
        "2025-02-24",
        "sanctions_tightening",
        "EU",
        "EU renews Belarus sanctions",
        "eu-1",
        instrument="eu-regime",
    ),
    _rel("ev-20250212-release", "2025-02-12", 3, "exact", "Lithuania", 0, 1, "ap-1"),
    _step(
        "ev-20250621-kellogg",
        "2025-06-21",
        "diplomatic_contact",
        "US",
        "Envoy meets Lukashenka",
        "state-1;ap-1",
    ),
    _rel("ev-20250621-release", "2025-06-21", 14, "exact", "Lithuania", 0, 3, "ap-1;viasna-1"),
    _step(
        "ev-20250911-belavia",
        "2025-09-11",
        "sanctions_relief",
        "US",
        "Belavia relief announced",
        "state-1",
        instrument="belavia",
        action_id="us-belavia",
        stage="announced",
    ),
    _rel(
        "ev-20250911-release",
        "2025-09-11",
        52,
        "at_least",
        "Lithuania;home",
        None,
        14,
        "ap-1;reuters-1",
    ),
    _step(
        "ev-20251029-lt-border",
        "2025-10-29",
        "other",
        "LT",
        "Lithuania closes the border",
        "lrt-1",
        instrument="border",
    ),
    _step(
        "ev-20251104-belavia-licence",
        "2025-11-04",
        "sanctions_relief",
        "US",
        "Belavia licence issued",
        "state-1",
        instrument="belavia",
        action_id="us-belavia",
        stage="licence_issued",
    ),
    _step(
        "ev-20251120-lt-border-reopen",
        "2025-11-20",
        "other",
        "LT",
        "Lithuania reopens the border",
        "lrt-1",
        instrument="border",
    ),
    _step(
        "ev-20251212-coale",
        "2025-12-12",
        "diplomatic_contact",
        "US",
        "Envoy talks in Minsk",
        "ap-1",
    ),
    _step(
        "ev-20251213-potash",
        "2025-12-13",
        "sanctions_relief",
        "US",
        "Potash relief announced",
        "state-1;ap-1",
        instrument="potash",
        action_id="us-potash",
        stage="announced",
    ),
    _rel(
        "ev-20251213-release",
        "2025-12-13",
        123,
        "exact",
        "Lithuania;Ukraine",
        0,
        None,
        "ap-1;reuters-1;viasna-1",
    ),
    _rel("ev-20260115-release", "2026-01-15", None, "unknown", "unknown", None, None, "viasna-1"),
    _step("ev-20260120-appoint", "2026-01-20", "appointment", "US", "US names a chargé", "state-1"),
    _step("ev-20260101-statement", "2026-01-01", "statement", "BY", "New Year address", "ap-1"),
]

CLAIMS = [
    dict(
        claim_id="c1",
        event_id="ev-20250911-release",
        source_id="ap-1",
        field="count",
        value="52",
        value_num=52,
        precision="exact",
    ),
    dict(
        claim_id="c2",
        event_id="ev-20250911-release",
        source_id="reuters-1",
        field="count",
        value="more than 50",
        value_num=50,
        precision="at_least",
    ),
    dict(
        claim_id="c3",
        event_id="ev-20250911-release",
        source_id="viasna-1",
        field="count",
        value="about 60",
        value_num=60,
        precision="approx",
    ),
    dict(
        claim_id="c4",
        event_id="ev-20251213-release",
        source_id="ap-1",
        field="count",
        value="123",
        value_num=123,
        precision="exact",
    ),
    dict(
        claim_id="c5",
        event_id="ev-20251213-release",
        source_id="reuters-1",
        field="count",
        value="123",
        value_num=123,
        precision="exact",
    ),
    dict(
        claim_id="c6",
        event_id="ev-20251213-release",
        source_id="ap-1",
        field="destination",
        value="Lithuania; Ukraine",
        precision="exact",
    ),
    dict(
        claim_id="c7",
        event_id="ev-20250621-release",
        source_id="ap-1",
        field="count",
        value="14",
        value_num=14,
        precision="exact",
    ),
]

EXCHANGES = [
    dict(
        exchange_id="x-1",
        concession_event_id="ev-20240910-visit",
        release_event_id="ev-20240911-release",
        link="inferred",
        source_ids="reuters-1",
        rationale="Release the day after the visit.",
    ),
    dict(
        exchange_id="x-2",
        concession_event_id="ev-20250621-kellogg",
        release_event_id="ev-20250621-release",
        link="reported",
        source_ids="ap-1",
        rationale="Reported together.",
    ),
    dict(
        exchange_id="x-3",
        concession_event_id="ev-20250911-belavia",
        release_event_id="ev-20250911-release",
        link="explicit",
        source_ids="state-1;ap-1",
        rationale="Officials called it a trade.",
    ),
    dict(
        exchange_id="x-4",
        concession_event_id="ev-20251213-potash",
        release_event_id="ev-20251213-release",
        link="explicit",
        source_ids="state-1;ap-1;reuters-1",
        rationale="Announced as a package.",
    ),
]

PEOPLE = [
    dict(
        person_id="p1",
        name="A. Person",
        role="activist",
        outcome="released_abroad",
        release_event_id="ev-20250911-release",
        source_ids="ap-1",
    ),
]

PRISONER_COUNTS = [
    dict(
        date="2024-07-01", count=1400, precision="exact", counted_by="Viasna", source_id="viasna-1"
    ),
    dict(
        date="2025-01-01", count=1250, precision="exact", counted_by="Viasna", source_id="viasna-1"
    ),
    dict(
        date="2025-12-15",
        count=1200,
        precision="at_least",
        counted_by="Opposition office",
        source_id="ap-1",
    ),
    dict(
        date="2025-12-20", count=1140, precision="approx", counted_by="Viasna", source_id="viasna-1"
    ),
    dict(
        date="2026-01-10", count=1110, precision="exact", counted_by="Viasna", source_id="viasna-1"
    ),
]

#: Itemized sums by 2025-12-31 (all foreign nationals in): all 213 (lower bound, because of
#: the at_least 52), home-only 18, not-home 195, in exchanges 192.
TOTALS = [
    dict(
        total_id="t-all",
        as_of="2025-12-31",
        value=200,
        precision="at_least",
        scope="all_releases",
        wording="more than 200 freed",
        source_id="ap-1",
    ),
    dict(
        total_id="t-us",
        as_of="2025-12-31",
        since="2024-07-01",
        value=190,
        precision="exact",
        scope="us_mediated",
        wording="190 freed with US help",
        source_id="state-1",
    ),
    dict(
        total_id="t-pardon",
        as_of="2024-12-31",
        value=18,
        precision="exact",
        scope="decree_pardons",
        wording="18 pardoned",
        source_id="viasna-1",
    ),
    dict(
        total_id="t-expelled",
        as_of="2025-12-31",
        value=250,
        precision="approx",
        scope="expelled",
        wording="about 250 expelled",
        source_id="reuters-1",
    ),
    dict(
        total_id="t-close",
        as_of="2025-12-31",
        value=190,
        precision="exact",
        scope="expelled",
        wording="190 expelled",
        source_id="viasna-1",
    ),
]


def make_dataset(**replace: list[dict]) -> Dataset:
    """The synthetic dataset; ``replace`` swaps a table's rows (e.g. ``events=[...]``)."""
    base = dict(
        sources=SOURCES,
        events=EVENTS,
        claims=CLAIMS,
        exchanges=EXCHANGES,
        people=PEOPLE,
        prisoner_counts=PRISONER_COUNTS,
        totals=TOTALS,
    )
    base.update(replace)
    frames = {name: typed(name, base[name]) for name in TABLES}
    ev = frames["events"]
    last = pd.concat([ev["date"], ev["date_end"]]).max()
    return SynthDataset(**frames, as_of=last if pd.notna(last) else pd.Timestamp("2026-01-20"))


def release(
    event_id: str,
    date: str,
    count=None,
    precision="exact",
    destination="home",
    n_home=None,
    n_foreign=None,
    source_ids="ap-1",
) -> dict:
    """A release row for table-driven tests."""
    return _rel(event_id, date, count, precision, destination, n_home, n_foreign, source_ids)
