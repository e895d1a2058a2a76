"""The fast paths keep their promises: one draw per format, the same bytes from every save,
in this process or a fresh one, and the kernel's data cache re-used on a changed parameter.

No timings here: speed is measured in benchmarks/run.py."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from belthaw import notebook as nb
from belthaw.figure import save as figsave

CHART = ("01-cumulative", "01_releases")  # the busiest labels: two panels of placed totals


def _save(b, data, out_dir, formats=("png", "svg", "pdf")):
    return figsave.save(
        b.fig,
        b.name,
        out_dir=out_dir,
        text=b.text,
        publishers=data.publishers_in_order(b.text.source_ids),
        params={"granularity": "event"},
        data_version=data.version,
        notebook="01_releases.ipynb",
        as_of=f"{data.as_of:%Y-%m-%d}",
        formats=list(formats),
        size=b.size,
    )


def _digests(paths) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture
def draws(monkeypatch):
    """Every Figure.draw, counted (format renders and layout draws alike)."""
    seen: list[str] = []
    original = Figure.draw

    def counting(self, renderer):
        seen.append(type(renderer).__name__)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    return seen


@pytest.mark.parametrize(
    ("formats", "expected"),
    [(("png", "svg", "pdf"), 3), (("svg",), 1), (("png", "pdf"), 2)],
)
def test_one_draw_per_format(tmp_path, draws, formats, expected):
    data = nb.load(quiet=True)
    b = nb.build(*CHART[:1], data, nb.check(CHART[1], {}))
    draws.clear()
    _save(b, data, tmp_path, formats)
    assert len(draws) == expected, draws
    plt.close(b.fig)


def test_two_saves_of_one_build_give_the_same_bytes(tmp_path):
    data = nb.load(quiet=True)
    b = nb.build(CHART[0], data, nb.check(CHART[1], {}))
    first = _digests(_save(b, data, tmp_path / "a"))
    second = _digests(_save(b, data, tmp_path / "b"))
    assert first == second
    assert {"01-cumulative.png", "01-cumulative.svg", "01-cumulative.pdf"} <= set(first)
    plt.close(b.fig)


def test_a_shown_figure_saves_the_same_bytes_as_a_fresh_one(tmp_path):
    """A preview (a draw at screen resolution, labels placed for it) changes nothing saved."""
    data = nb.load(quiet=True)
    p = nb.check(CHART[1], {})
    shown = nb.build(CHART[0], data, p)
    shown.fig.canvas.draw()
    fresh = nb.build(CHART[0], data, p)
    assert _digests(_save(shown, data, tmp_path / "a")) == _digests(
        _save(fresh, data, tmp_path / "b")
    )
    plt.close("all")


_CHILD = """
import hashlib, sys
from pathlib import Path
from belthaw import notebook as nb
from belthaw.figure import save as figsave
data = nb.load(quiet=True)
b = nb.build("01-cumulative", data, nb.check("01_releases", {}))
paths = figsave.save(b.fig, b.name, out_dir=Path(sys.argv[1]), text=b.text,
    publishers=data.publishers_in_order(b.text.source_ids), params={"granularity": "event"},
    data_version=data.version, notebook="01_releases.ipynb", as_of=f"{data.as_of:%Y-%m-%d}",
    formats=["png", "svg", "pdf"], size=b.size)
for p in paths:
    print(p.name, hashlib.sha256(p.read_bytes()).hexdigest())
"""


def test_a_fresh_process_writes_the_same_bytes(tmp_path):
    data = nb.load(quiet=True)
    b = nb.build(CHART[0], data, nb.check(CHART[1], {}))
    here = _digests(_save(b, data, tmp_path / "here"))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "child")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    there = dict(line.split() for line in out.splitlines())
    assert there == here
    plt.close(b.fig)


def test_a_changed_parameter_reuses_the_loaded_data(tmp_path):
    """The warm redraw: a second run of the notebook's cells in the same kernel, with
    another granularity (event, then month), loads nothing again and saves a different figure."""
    first = nb.load(quiet=True)
    event = nb.build("01-releases", first, nb.check("01_releases", {"granularity": "event"}))
    again = nb.load(quiet=True)
    month = nb.build("01-releases", again, nb.check("01_releases", {"granularity": "month"}))
    assert again is first
    a = _digests(_save(event, first, tmp_path / "event", ("svg",)))
    b = _digests(_save(month, again, tmp_path / "month", ("svg",)))
    assert a["01-releases.svg"] != b["01-releases.svg"]
    plt.close("all")
