"""Every declared parameter reaches the outputs that mention it.

For each notebook and each parameter that changes what is drawn, the figures built with
the default and with another allowed value must differ: in their words (title, subtitle,
caption, alt text, notes), their tables, or what is drawn. A parameter that is read under
the wrong name (the old ``window_days`` bug) leaves the outputs unchanged and fails here.
The output parameters (formats, output_set, stale_after_days) are checked on the files.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from belthaw import notebook as nb  # noqa: E402
from belthaw.parameters import NOTEBOOKS, OUTPUT_PARAMETERS  # noqa: E402

FIGURES = {
    "01_releases": ("01-releases", "01-cumulative"),
    "02_sanctions_relief": ("02-relief-steps",),
    "03_exchanges": ("03-exchanges",),
    "04_briefing_overview": ("04-overview",),
    "05_sources": ("05-claims", "05-totals"),
}
#: Another allowed value per parameter (the default's alternative), chosen so that the
#: shipped data has something that differs.
OTHER = {
    "start": "2025-01-01",
    "end": "2025-12-31",
    "granularity": "quarter",
    "count_what": "pardoned",
    "include_foreign_nationals": False,
    "include_released_home": False,
    "count_basis": "upper",
    "min_confidence": "high",
    "annotate_min": 100,
    "size": "slide",
    "jurisdictions": ["US"],
    "show_tightening": False,
    "link_strengths": ["explicit"],
    "infer_window_days": 3,
    "max_events": 2,
}
#: Where the shipped data needs another value for the change to show (no exchange falls
#: between July 2024 and January 2025, so that start changes nothing drawn).
OTHER_FOR = {("03_exchanges", "start"): "2025-10-01", ("05_sources", "start"): "2025-10-01"}
#: A second pair where a bug could hide between two non-default values.
PAIRS = [("03_exchanges", "infer_window_days", 3, 5)]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return nb.load(quiet=True)


def fingerprint(built) -> tuple:
    """What a reader of the figure gets: its words, tables and drawn marks."""
    if built.empty:
        return ("empty", built.message)
    t = built.text
    drawn = []
    for ax in built.fig.axes:
        for a in ax.get_children():
            if isinstance(a, Line2D):
                drawn.append(("line", tuple(map(tuple, a.get_xydata().round(3).tolist()))))
            elif isinstance(a, Patch):
                drawn.append(("patch", tuple(round(v, 3) for v in a.get_extents().bounds)))
            elif isinstance(a, Text) and a.get_text():
                drawn.append(("text", a.get_text()))
    tables = tuple((k, v.to_csv(index=False)) for k, v in sorted(built.tables.items()))
    size = tuple(built.fig.get_size_inches().round(2))
    plt.close(built.fig)
    return (t.title, t.subtitle, t.caption, t.alt, t.notes, tables, size, tuple(sorted(drawn)))


def outputs(data, notebook, values):
    p = nb.check(notebook, values)
    return [fingerprint(nb.build(name, data, p)) for name in FIGURES[notebook]]


CASES = [
    (notebook, param.name)
    for notebook, params in NOTEBOOKS.items()
    for param in params
    if param.name not in OUTPUT_PARAMETERS
]


def test_every_parameter_is_covered():
    assert {name for _, name in CASES} <= set(OTHER)


@pytest.mark.parametrize(("notebook", "name"), CASES)
def test_parameter_reaches_the_outputs(data, notebook, name):
    default = outputs(data, notebook, {})
    changed = outputs(data, notebook, {name: OTHER_FOR.get((notebook, name), OTHER[name])})
    assert changed != default, f"{notebook}: changing {name} changed nothing a reader sees"


@pytest.mark.parametrize(("notebook", "name", "a", "b"), PAIRS)
def test_parameter_values_are_told_apart(data, notebook, name, a, b):
    assert outputs(data, notebook, {name: a}) != outputs(data, notebook, {name: b})


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_output_parameters_reach_the_files(data, notebook, tmp_path, monkeypatch):
    from belthaw import paths

    monkeypatch.setattr(paths, "FIGURES_DIR", tmp_path)
    name = FIGURES[notebook][0]
    p = nb.check(
        notebook, {"formats": ["png"], "output_set": "contract-test", "stale_after_days": 3650}
    )
    built = nb.build(name, data, p)
    written = nb.save(built, data, p)
    folder = tmp_path / "contract-test"
    assert {w.parent for w in written} == {folder}
    assert (folder / f"{name}.png").exists() and not (folder / f"{name}.svg").exists()
    # fresh data by a ten-year rule: no stale note beside the date
    assert "anything later is not included" not in (folder / f"{name}.md").read_text()
