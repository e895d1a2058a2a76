"""Every location the workbook uses, derived from where the package lives.

Importing this module does no I/O. Notebooks and tests ask it for locations instead
of writing relative strings such as "../data".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import ParameterError, quote

PACKAGE_DIR: Path = Path(__file__).resolve().parent
#: The project root (the folder holding ``lib/``, ``data/``, ``notebooks/``).
ROOT: Path = PACKAGE_DIR.parents[1]

#: Where the dataset lives. ``BELTHAW_DATA_DIR`` points it elsewhere (tests, forks).
DATA_DIR: Path = Path(os.environ.get("BELTHAW_DATA_DIR", ROOT / "data"))
DATAPACKAGE: Path = DATA_DIR / "datapackage.json"
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
PARAMS_FILE: Path = NOTEBOOKS_DIR / "params.yaml"
FIGURES_DIR: Path = Path(os.environ.get("BELTHAW_FIGURES_DIR", ROOT / "figures"))
BUILD_DIR: Path = Path(os.environ.get("BELTHAW_BUILD_DIR", ROOT / "build"))
BRIEFING_DIR: Path = BUILD_DIR / "briefing"
STYLES_DIR: Path = PACKAGE_DIR / "styles"
DOCS_DIR: Path = ROOT / "docs"

#: The CSV tables of the data package, in the order they are loaded.
TABLES = ("sources", "events", "claims", "exchanges", "people", "prisoner_counts", "totals")


def table_path(name: str, data_dir: Path | None = None) -> Path:
    """The CSV file of table ``name``."""
    return (data_dir or DATA_DIR) / f"{name}.csv"


#: A set's name is a folder name on every system: no dots, no slashes, so it can never
#: leave ``figures/`` nor look like a file (``durations.json``).
SET_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
#: The runner's own folders and files under ``build/``: a set of that name would shadow them.
RESERVED_SET_NAMES = ("cache", "outputs", "notebooks", "briefing", "params", "runtime")


def check_set_name(set_name: object, where: str = "output_set") -> str:
    """``set_name`` when it can name a figure folder, else a :class:`ParameterError` saying why.

    Every writer obeys it (the notebooks' ``save``, ``belthaw run --set``,
    ``belthaw brief --set``), so no parameter can send a figure outside ``figures/``.
    """
    if set_name in RESERVED_SET_NAMES:
        why = f"'{set_name}' is reserved for the runner's own files; pick another name"
        raise ParameterError("belthaw", where, why)
    if isinstance(set_name, str) and SET_NAME_RE.fullmatch(set_name):
        return set_name
    why = (
        f"{quote(set_name)} cannot name a parameter set: use 1-40 lower-case letters, digits "
        "and dashes (e.g. briefing-2025), or 'default' or 'adhoc'"
    )
    raise ParameterError("belthaw", where, why)


def figure_dir(set_name: str = "default", figures_dir: Path | None = None) -> Path:
    """Folder of a parameter set's figures: ``figures/`` itself for the default set."""
    check_set_name(set_name)
    root = FIGURES_DIR if figures_dir is None else Path(figures_dir)
    return root if set_name == "default" else root / set_name


def notebook_files(folder: Path | None = None) -> dict[str, Path]:
    """``{name: path}`` of every ``NN_name.ipynb`` in ``folder`` (default: notebooks/), by name."""
    found = sorted(Path(folder or NOTEBOOKS_DIR).glob("*.ipynb"))
    return {p.stem: p for p in found if re.fullmatch(r"\d\d_[\w-]+\.ipynb", p.name)}
