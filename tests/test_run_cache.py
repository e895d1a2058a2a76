"""The run cache (belthaw.run.cache): what is an input of a notebook's run, and when a recorded
run still holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from belthaw.run import cache

NB = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Title"},
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "x: int = 1",
         "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": ["y = x\n", "print(y)"],
         "outputs": [], "execution_count": None},
    ]
}  # fmt: skip


def _edited(**change) -> dict:
    nb = json.loads(json.dumps(NB))
    for i, what in change.items():
        nb["cells"][int(i[1:])].update(what)
    return nb


@pytest.mark.parametrize(
    "change,same",
    [
        ({"c2": {"outputs": [{"output_type": "stream", "name": "stdout", "text": "1"}]}}, True),
        ({"c2": {"execution_count": 4}}, True),
        ({"c1": {"source": "x: int = 5"}}, True),  # the runner injects every value
        ({"c0": {"source": "# Another title"}}, True),
        ({"c2": {"metadata": {"scrolled": True}}}, True),
        ({"c2": {"source": "y = x + 1\nprint(y)"}}, False),
    ],
)
def test_only_code_cells_other_than_parameters_are_inputs(change, same):
    assert (cache.notebook_code(_edited(**change)) == cache.notebook_code(NB)) is same


def test_stale_reason(tmp_path: Path):
    out = tmp_path / "figures" / "a.png"
    out.parent.mkdir()
    out.write_bytes(b"png")
    executed = tmp_path / "build" / "a.ipynb"
    executed.parent.mkdir()
    executed.write_text("{}")
    inputs = {"data": "1", "code": "c"}
    manifest = {"key": cache.key(inputs), "inputs": inputs, "executed": "build/a.ipynb",
                "outputs": {"figures/a.png": cache.sha256_file(out)}}  # fmt: skip

    def reason(m=manifest, i=inputs):
        return cache.stale_reason(m, i, lambda rel: tmp_path / rel)

    assert reason() is None
    assert reason(None) == "never ran"
    assert reason(i={"data": "2", "code": "c"}) == "changed: data"
    assert reason(i={"data": "1", "code": "c", "today": "x"}) == "changed: today"
    out.write_bytes(b"edited")
    assert reason() == "output edited: figures/a.png"
    out.unlink()
    assert reason() == "output missing: figures/a.png"
    out.write_bytes(b"png")
    executed.unlink()
    assert reason() == "executed notebook missing"


def test_json_files_round_trip_and_tolerate_damage(tmp_path: Path):
    path = tmp_path / "cache" / "x.json"
    cache.write_json(path, {"b": 1, "a": [1, 2]})
    assert cache.read_json(path, None) == {"a": [1, 2], "b": 1}
    path.write_text('{"a": ')  # a half-written file from a killed run
    assert cache.read_json(path, "default") == "default"
    assert cache.read_json(tmp_path / "missing.json", {}) == {}


def test_code_digest_follows_every_library_file(tmp_path: Path):
    (tmp_path / "m.py").write_text("x = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "m.pyc").write_bytes(b"junk")
    first = cache.code_digest(tmp_path)
    (tmp_path / "__pycache__" / "n.py").write_text("ignored")
    assert cache.code_digest(tmp_path) == first
    (tmp_path / "m.py").write_text("x = 2\n")
    assert cache.code_digest(tmp_path) != first
