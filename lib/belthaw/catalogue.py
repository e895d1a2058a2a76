"""The figures the workbook makes, declared once: name, notebook, topic and story order.

The runner, the briefing pack, the tests and the benchmark read this table; a new
chart adds one row here and one notebook cell that saves it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureEntry:
    name: str  # the file stem, e.g. "01-releases"
    notebook: str  # the notebook that draws it, without ".ipynb"
    topic: str  # the pack's section heading: the topic (the finding is the figure's title)


#: In story order: the pack presents them so, the briefing's key findings follow it.
FIGURES: tuple[FigureEntry, ...] = (
    FigureEntry("01-releases", "01_releases", "Releases"),
    FigureEntry("01-cumulative", "01_releases", "Running total"),
    FigureEntry("02-relief-steps", "02_sanctions_relief", "US relief steps and European pressure"),
    FigureEntry("03-exchanges", "03_exchanges", "Exchanges: US steps and releases"),
    FigureEntry("04-overview", "04_briefing_overview", "Overview"),
    FigureEntry("05-claims", "05_sources", "Where sources disagree: size of releases"),
    FigureEntry("05-totals", "05_sources", "Where sources disagree: published totals"),
)

NOTEBOOKS: tuple[str, ...] = tuple(dict.fromkeys(f.notebook for f in FIGURES))


def figures_of(notebook: str) -> tuple[str, ...]:
    """The figure names a notebook draws."""
    return tuple(f.name for f in FIGURES if f.notebook == notebook)
