"""Every location the workbook uses, derived from where the package lives.

Importing this module does no I/O: the paths are computed, never touched.
Notebooks and tests ask this module for locations instead of writing
relative strings such as "../data".
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
#: The project root (the folder holding ``lib/``, ``data/``, ``notebooks/``).
ROOT: Path = PACKAGE_DIR.parents[1]

#: Where the dataset lives. ``BELTHAW_DATA_DIR`` points it elsewhere (tests, forks).
DATA_DIR: Path = Path(os.environ.get("BELTHAW_DATA_DIR", ROOT / "data"))
DATAPACKAGE: Path = DATA_DIR / "datapackage.json"
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
PARAMS_FILE: Path = NOTEBOOKS_DIR / "params.yaml"
FIGURES_DIR: Path = Path(os.environ.get("BELTHAW_FIGURES_DIR", ROOT / "figures"))
#: One-off parameter runs land here (git-ignored), never over committed figures.
ADHOC_FIGURES_DIR: Path = FIGURES_DIR / "adhoc"
BUILD_DIR: Path = Path(os.environ.get("BELTHAW_BUILD_DIR", ROOT / "build"))
EXECUTED_DIR: Path = BUILD_DIR / "notebooks"
BRIEFING_DIR: Path = BUILD_DIR / "briefing"
STYLES_DIR: Path = PACKAGE_DIR / "styles"
DOCS_DIR: Path = ROOT / "docs"

#: The CSV tables of the data package, in the order they are loaded.
TABLES: tuple[str, ...] = (
    "sources",
    "events",
    "claims",
    "exchanges",
    "people",
    "prisoner_counts",
    "totals",
)


def table_path(name: str, data_dir: Path | None = None) -> Path:
    """Return the CSV path of table ``name``.

    >>> table_path("events").name
    'events.csv'
    """
    return (data_dir or DATA_DIR) / f"{name}.csv"


def figure_dir(set_name: str = "default") -> Path:
    """Folder for the figures of a named parameter set.

    The default set writes straight into ``figures/``; other sets get a subfolder.

    >>> figure_dir().name
    'figures'
    >>> figure_dir("briefing-2025").name
    'briefing-2025'
    """
    return FIGURES_DIR if set_name == "default" else FIGURES_DIR / set_name
