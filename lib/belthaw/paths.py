"""Every location the workbook uses, derived from where the package lives.

Importing this module does no I/O: the paths are computed, never touched.
Notebooks and tests ask this module for locations instead of writing
relative strings such as "../data".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import ParameterError

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


#: A parameter set's name is a folder name on every system: lower-case letters, digits
#: and dashes, starting with a letter or digit, at most 40 characters. No dots, no
#: slashes: a name can never leave ``figures/`` nor look like a file (``durations.json``).
SET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
#: Names that are sets but not ordinary ones: ``default`` writes into ``figures/`` itself,
#: ``adhoc`` receives one-off parameter runs.
SPECIAL_SETS: tuple[str, ...] = ("default", "adhoc")
#: Names of the runner's own folders and files under ``build/`` (``build/cache/``,
#: ``build/runtime/``...): a set of that name would share or shadow them.
RESERVED_SET_NAMES: tuple[str, ...] = (
    "cache", "outputs", "notebooks", "briefing", "params", "runtime",
)  # fmt: skip


def check_set_name(set_name: object, where: str = "output_set") -> str:
    """``set_name`` when it can name a figure folder, else a :class:`ParameterError` saying why.

    The rule every writer obeys (the notebooks' ``save``, ``belthaw run --set``,
    ``belthaw brief --set``), so no parameter can send a figure outside ``figures/``.

    >>> check_set_name("briefing-2025")
    'briefing-2025'
    >>> check_set_name("../elsewhere")
    Traceback (most recent call last):
    ...
    belthaw.errors.ParameterError: belthaw: parameter 'output_set': '../elsewhere' cannot name a parameter set: use 1-40 lower-case letters, digits and dashes (e.g. briefing-2025), or 'default' or 'adhoc'
    """
    if isinstance(set_name, str) and set_name in RESERVED_SET_NAMES:
        raise ParameterError(
            "belthaw",
            where,
            f"'{set_name}' is reserved for the runner's own files; pick another name",
        )
    if isinstance(set_name, str) and SET_NAME_RE.fullmatch(set_name):
        return set_name
    shown = repr(set_name)
    if len(shown) > 60:
        shown = f"{shown[:60]}… ({len(shown)} chars)"
    raise ParameterError(
        "belthaw",
        where,
        f"{shown} cannot name a parameter set: use 1-40 lower-case letters, digits and "
        "dashes (e.g. briefing-2025), or 'default' or 'adhoc'",
    )


def figure_dir(set_name: str = "default", figures_dir: Path | None = None) -> Path:
    """Folder for the figures of a named parameter set (checked by :func:`check_set_name`).

    The default set writes straight into ``figures/`` (or ``figures_dir``); other sets get a
    subfolder.

    >>> figure_dir().name
    'figures'
    >>> figure_dir("briefing-2025").name
    'briefing-2025'
    """
    check_set_name(set_name)
    root = FIGURES_DIR if figures_dir is None else Path(figures_dir)
    return root if set_name == "default" else root / set_name


#: A workbook notebook's file name: two digits, an underscore, a name (``01_releases.ipynb``).
NOTEBOOK_RE = re.compile(r"^\d\d_[\w-]+\.ipynb$")


def notebook_files(folder: Path | None = None) -> dict[str, Path]:
    """``{name: path}`` of every ``NN_name.ipynb`` in ``folder`` (default: notebooks/), by name."""
    folder = NOTEBOOKS_DIR if folder is None else Path(folder)
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.ipynb")) if NOTEBOOK_RE.match(p.name)}
