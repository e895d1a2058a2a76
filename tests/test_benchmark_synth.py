"""The benchmark's generator grows the real package to N events and it still validates (no timing)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import belthaw
from belthaw.counting import CountingRule
from belthaw.transforms.timeline import release_series

ROOT = Path(__file__).resolve().parents[1]


def _synth():
    # loaded by path: tests/synth.py already owns the module name "synth"
    spec = importlib.util.spec_from_file_location(
        "benchmarks_synth", ROOT / "benchmarks" / "synth.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_grown_package_is_valid_and_only_events_grow(tmp_path):
    out = _synth().make_package(tmp_path / "pkg", 200)
    report = belthaw.validate(out)
    assert report.ok, str(report)
    assert report.rows["events"] == 200
    for table in ("sources", "claims", "exchanges", "people", "datapackage"):
        name = f"{table}.json" if table == "datapackage" else f"{table}.csv"
        assert (out / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name
    data = belthaw.load(out)
    added = data.events[data.events["event_id"].astype(str).str.contains("-synth-")]
    first_hand = data.sources.loc[
        data.sources["tier"].astype(str).isin(["original", "official"]), "source_id"
    ]
    assert set(added["source_ids"].astype(str).str.split(";").explode()) <= set(first_hand)
    assert {"release", "sanctions_relief"} <= set(added["kind"].astype(str))
    monthly = release_series(data, CountingRule(), granularity="month")
    assert len(monthly) > 1 and int(monthly["count"].sum()) > 0


def test_same_seed_same_bytes(tmp_path):
    synth = _synth()
    a, b = synth.make_package(tmp_path / "a", 120), synth.make_package(tmp_path / "b", 120)
    assert (a / "events.csv").read_bytes() == (b / "events.csv").read_bytes()
    c = synth.make_package(tmp_path / "c", 120, seed=1)
    assert (a / "events.csv").read_bytes() != (c / "events.csv").read_bytes()
