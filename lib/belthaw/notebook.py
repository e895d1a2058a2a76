"""The few calls a notebook makes that are not analysis: check, load, finish, save.

A notebook reads like an analysis: its parameters cell, then::

    params = nb.check("01_releases", globals())     # the declared checks (belthaw.parameters)
    rule = CountingRule.from_params(params)          # the counting rule, as one value
    data = nb.load()                                 # validated once per data version
    series = release_series(data, rule, ...)         # a named transform; the frame is shown
    text = releases.releases_text(series, ...)       # the words, shown and editable
    fig = releases.draw(series, ...)                 # a named plot function
    nb.finish(fig, text, data, params)               # title, source line, data date on it
    nb.save(fig, text, releases.NAME, data, params, table=series)

Every name is imported, so go-to-definition works from each line.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from . import figure, paths
from .freshness import stale_warning
from .parameters import check as check_parameters
from .transforms.as_of import as_of_phrase

__all__ = ["check", "load", "finish", "save"]

#: The kernel's loaded data, by data version: re-running a notebook with another
#: parameter re-uses it instead of reading and validating the CSVs again.
_LOADED: dict[tuple[str, str], Any] = {}


def check(notebook: str, namespace: Mapping[str, Any]):
    """The notebook's declared parameters, read from ``namespace`` and checked.

    The same checks as ``belthaw run`` applies before a kernel starts (types, choices,
    bounds, dates, end after start), so a value typed by hand in JupyterLab gets the
    same one-sentence message, naming the parameter and what is allowed.
    """
    return check_parameters(notebook, namespace)


def load(data_dir: Path | str | None = None, *, quiet: bool = False):
    """The validated data package, loaded once per data version in this kernel.

    Prints the data version and newest event (or the staleness warning). The data
    version hashes every file of the folder, so an edited CSV is always re-read.
    """
    from .data import load as load_data
    from .provenance import data_version

    folder = Path(data_dir or paths.DATA_DIR)
    key = (str(folder.resolve()), data_version(folder))
    data = _LOADED.get(key)
    if data is None:
        _LOADED.clear()  # one version per kernel: an old one is never handed out again
        data = _LOADED[key] = load_data(folder)
    if not quiet:
        print(stale_warning(data.as_of.date()) or f"data version {data.version}, newest event {data.as_of:%Y-%m-%d}")  # fmt: skip
    return data


def replay_words(text, params):
    """``text`` saying which day it replays, when ``params.as_of`` is set (else unchanged).

    Not an analyst's edit: the words follow the parameter, so the sidecar does not list
    them as edited.
    """
    day = getattr(params, "as_of", "")
    if not day:
        return text
    return replace(
        text,
        subtitle=f"{text.subtitle}; {as_of_phrase(day)}",
        caption=f"{text.caption} {REPLAY_NOTE}",
    )


#: How a replay dates a source, said in every replayed caption.
REPLAY_NOTE = (
    "Only sources published by that day are used; a source dated only to a month counts "
    "from the month's last day."
)


def finish(fig, text, data, params):
    """Draw the title, subtitle, notes, source line and data date onto ``fig``; returns it."""
    words = replay_words(text, params)
    return figure.finish(fig, words, data, stale_after_days=params.stale_after_days)


def save(fig, text, name: str, data, params, *, table=None, tables=None) -> list[Path]:
    """Write ``fig`` in every requested format, with its sidecar, record and data CSV.

    Figures go to ``figures/`` for the default set, ``figures/<set>/`` for a named set,
    ``figures/adhoc/`` for one-off values (JupyterLab, ``-p``), never over the committed
    figures. ``table`` is the frame the chart drew (written as ``<name>-data.csv``).
    In a kernel the picture shown is the PNG just written, shown before SVG and PDF are
    rendered; the figure then leaves pyplot, so Jupyter does not render it a second time.
    """
    words = replay_words(text, params)
    written = figure.save_figure(
        fig, words, name, data=data, params=params, table=table, tables=tables,
        on_png=lambda png: show_png(png, fig),
    )  # fmt: skip
    if not any(p.suffix == ".png" for p in written):
        show_figure(fig)
    plt.close(fig)
    return written


def _display():
    # Only inside a running IPython (a kernel has it loaded): a script or a test run shows
    # nothing and never imports IPython.
    ipython = sys.modules.get("IPython")
    return ipython.display if ipython and ipython.get_ipython() is not None else None


def show_png(png: Path, fig) -> None:
    """Show the written PNG at screen size (100 pixels per figure inch)."""
    display = _display()
    if display:
        width = round(fig.get_figwidth() * 100)
        display.display(display.Image(data=png.read_bytes(), format="png", width=width))


def show_figure(fig) -> None:
    """Show ``fig`` itself (no PNG was asked for)."""
    display = _display()
    if display:
        display.display(fig)
