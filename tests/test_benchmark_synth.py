"""The benchmark's synthetic data generator makes a package that validates (n=200; no timing)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import belthaw
from belthaw.counting import CountingRule
from belthaw.data.origins import derived_link
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


def test_generator_makes_a_valid_package(tmp_path):
    out = _synth().make_package(tmp_path / "pkg", 200)
    report = belthaw.validate(out)
    assert report.ok, str(report)
    assert report.rows["events"] == 200
    data = belthaw.load(out)
    kinds = set(data.events["kind"].astype(str))
    assert "release" in kinds and len(kinds) > 3
    assert set(data.events["source_ids"].str.split(";").explode()) <= set(data.sources["source_id"])
    assert set(data.sources["origin"].astype(str)) > {"unknown"}
    links = data.claims[data.claims["field"].astype(str) == "link"]
    assert set(links["exchange_id"].astype(str)) == set(data.exchanges["exchange_id"].astype(str))
    supported = derived_link(data.exchanges, data.claims, data.sources)
    assert set(supported) == {"explicit", "reported", "inferred"}
    monthly = release_series(data, CountingRule(), granularity="month")
    assert len(monthly) > 1 and int(monthly["count"].sum()) > 0
