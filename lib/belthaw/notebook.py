"""What a notebook calls, and nothing else: check, load, build, show, save.

A notebook is its ``parameters`` cell followed by::

    params = nb.check("01_releases", globals())   # the declared checks (belthaw.parameters)
    data = nb.load()                               # validated once per data version and kernel
    releases = nb.build("01-releases", data, params)
    nb.show(releases)
    nb.save(releases, data, params)

``build`` asks the chart's own module (``belthaw.charts.<chart>``) for the figure and
finishes it (title, source line, data version and date drawn on it); ``save`` writes
every format atomically into the parameter set's folder. Nothing below this module
reads a parameter by a string name with a default.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import paths
from .charts import CHARTS
from .charts.figtext import Built
from .freshness import AS_OF_NOTE, age_days, stale_warning
from .parameters import check as _check

__all__ = ["check", "load", "build", "show", "save", "Built"]

#: The kernel's loaded data, by data version: re-running a notebook with another
#: parameter re-uses it instead of reading and validating the CSVs again.
_LOADED: dict[tuple[str, str], Any] = {}


def check(notebook: str, namespace: Mapping[str, Any]):
    """The notebook's declared parameters, read from ``namespace`` and checked.

    The same checks as ``belthaw run`` applies before a kernel starts (types, choices,
    bounds, dates, end after start), so a value typed by hand in JupyterLab gets the
    same clear message, naming the parameter and what is allowed.
    """
    return _check(notebook, namespace)


def load(data_dir: Path | str | None = None, *, quiet: bool = False):
    """The validated data package, loaded once per data version in this kernel.

    Prints the data version and newest event (or the staleness warning). The data
    version hashes every file of the folder, so an edited CSV is always re-read.
    """
    from .data import load as _load
    from .provenance import data_version

    folder = Path(data_dir or paths.DATA_DIR)
    key = (str(folder.resolve()), data_version(folder))
    data = _LOADED.get(key)
    if data is None:
        _LOADED.clear()  # one version per kernel: an old one is never handed out again
        data = _LOADED[key] = _load(folder)
    if not quiet:
        print(staleness_warning(data) or f"data version {data.version}, newest event {data.as_of:%Y-%m-%d}")  # fmt: skip
    return data


def as_of_note(data, stale_after_days: int) -> str:
    """Words to put beside "Data as of" when the data is old; "" when it is fresh."""
    return AS_OF_NOTE if age_days(data.as_of) > stale_after_days else ""


def staleness_warning(data, stale_after_days: int = 90) -> str:
    """A one-line warning when the newest event is older than ``stale_after_days``."""
    return stale_warning(data.as_of, stale_after_days)


def build(name: str, data, params) -> Built:
    """Figure ``name`` (e.g. ``"01-releases"``) built by its chart module and finished.

    Returns a :class:`Built`: the finished figure with its words, or, when the
    parameters leave nothing to draw, the reason in words.
    """
    from .figure import finish

    module = importlib.import_module(f".charts.{CHARTS[name]}", __package__)
    built = module.build(data, params)
    if built.empty:
        return built
    finish(built.fig, built.text, data, name=name, stale_after_days=params.stale_after_days)
    return built


def show(built: Built) -> None:
    """Display the figure in the notebook, or say in words why there is none."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    if built.empty:
        display(Markdown(f"**Nothing to draw for `{built.name}`:** {built.message}"))
        return
    display(built.fig)
    plt.close(built.fig)  # shown once; the inline backend would otherwise show it again
    display(Markdown(f"**How to read it.** {built.text.caption}"))


def save(built: Built, data, params) -> list[Path]:
    """Write the figure in every requested format (+ sidecar) into the parameter set's folder.

    Figures go to ``figures/`` for the default set, ``figures/<set>/`` for a named
    set, ``figures/adhoc/`` for one-off values (JupyterLab, ``-p``), never over the
    committed figures. Nothing is written for an empty selection.
    """
    from .figure import save_figure

    if built.empty:
        print(f"{built.name}: not saved - {built.message}")
        return []
    return save_figure(
        built.fig, built.text, built.name, data=data, params=params, tables=built.tables,
        size=built.size,
    )
