"""Every declared parameter reaches the outputs that mention it, through the notebooks' own code.

For each notebook and each parameter that changes what is drawn, the notebook's code cells
are executed (in this process, with the data loaded once) with the default and with another
allowed value; the figures it saves must differ in their words (title, subtitle, caption,
alt text, notes), their tables, or what is drawn. A parameter that a notebook reads under
the wrong name, or forgets to pass on, leaves the outputs unchanged and fails here.
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
from belthaw import paths  # noqa: E402
from belthaw.catalogue import figures_of  # noqa: E402
from belthaw.parameters import NOTEBOOKS, OUTPUT_PARAMETERS  # noqa: E402
from notebook_cells import run_notebook  # noqa: E402

pytestmark = pytest.mark.notebooks

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
    "as_of": "2025-12-15",
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


def fingerprint(fig, text, tables) -> tuple:
    """What a reader of the figure gets: its words, tables and drawn marks."""
    drawn = []
    for ax in fig.axes:
        for a in ax.get_children():
            if isinstance(a, Line2D):
                drawn.append(("line", tuple(map(tuple, a.get_xydata().round(3).tolist()))))
            elif isinstance(a, Patch):
                drawn.append(("patch", tuple(round(v, 3) for v in a.get_extents().bounds)))
            elif isinstance(a, Text) and a.get_text():
                drawn.append(("text", a.get_text()))
    frames = tuple((k, v.to_csv(index=False)) for k, v in sorted(tables.items()) if v is not None)
    size = tuple(fig.get_size_inches().round(2))
    plt.close(fig)
    return (
        text.title,
        text.subtitle,
        text.caption,
        text.alt,
        text.notes,
        frames,
        size,
        tuple(sorted(drawn)),
    )


def outputs(data, notebook, values, monkeypatch):
    saved = run_notebook(notebook, values, data)
    if isinstance(saved, str):
        return saved  # nothing drawn, and why
    assert set(saved) == set(figures_of(notebook))
    return {name: fingerprint(s.fig, s.text, s.tables) for name, s in saved.items()}


CASES = [
    (notebook, param.name)
    for notebook, params in NOTEBOOKS.items()
    for param in params
    if param.name not in OUTPUT_PARAMETERS
]


def test_every_parameter_is_covered():
    assert {name for _, name in CASES} <= set(OTHER)


@pytest.mark.parametrize(("notebook", "name"), CASES)
def test_parameter_reaches_the_outputs(data, notebook, name, monkeypatch):
    default = outputs(data, notebook, {}, monkeypatch)
    changed = outputs(
        data, notebook, {name: OTHER_FOR.get((notebook, name), OTHER[name])}, monkeypatch
    )
    assert changed != default, f"{notebook}: changing {name} changed nothing a reader sees"


@pytest.mark.parametrize(("notebook", "name", "a", "b"), PAIRS)
def test_parameter_values_are_told_apart(data, notebook, name, a, b, monkeypatch):
    assert outputs(data, notebook, {name: a}, monkeypatch) != outputs(
        data, notebook, {name: b}, monkeypatch
    )


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_output_parameters_reach_the_files(notebook, tmp_path, monkeypatch):
    """The notebook run as papermill runs it, writing only PNG into a set of its own."""
    import papermill

    monkeypatch.setenv("BELTHAW_FIGURES_DIR", str(tmp_path))
    values = {"formats": ["png"], "output_set": "contract-test", "stale_after_days": 3650}
    papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / f"{notebook}.ipynb"), str(tmp_path / "out.ipynb"),
        parameters=values, kernel_name="belthaw", progress_bar=False, cwd=str(paths.NOTEBOOKS_DIR),
    )  # fmt: skip
    folder = tmp_path / "contract-test"
    for name in figures_of(notebook):
        assert (folder / f"{name}.png").exists() and not (folder / f"{name}.svg").exists()
        # fresh data by a ten-year rule: no stale note beside the date
        assert "anything later is not included" not in (folder / f"{name}.md").read_text()
