"""Toy notebooks for the runner tests, with their parameters declared the way the workbook's
are (belthaw.parameters.Param), so the runner checks them exactly as it checks ours.

``python runner_fixtures.py NOTEBOOKS_DIR run ...`` is the ``belthaw`` command on the toy
notebooks of ``NOTEBOOKS_DIR`` and their declarations (figures, build and data folders
from ``BELTHAW_*_DIR``).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from belthaw.parameters import Param

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
_OUT = Param("output_set", str, "adhoc", "where figures go")
_START = Param("start", str, "2024-07-01", "first day shown (ISO date)", is_date=True)
_END = Param("end", str, "2026-03-31", "last day shown (ISO date)", is_date=True)

DECLARED: dict[str, tuple[Param, ...]] = {
    "01_alpha": (
        _START,
        _END,
        Param("granularity", str, "event", "bucket size", ("event", "month", "quarter")),
        Param("annotate_min", int, 50, "label releases of at least this many people", minimum=1),
        Param("include_released_home", bool, True, "count people who stayed in Belarus"),
        Param(
            "formats",
            list,
            ["png", "svg"],
            "file formats to write",
            ("png", "svg", "pdf"),
            min_items=1,
        ),  # fmt: skip
        _OUT,
    ),
    "02_beta": (
        _START,
        _END,
        Param("size", str, "a4-full", "figure size", ("a4-full", "a4-half", "slide")),
        _OUT,
    ),
    "03_fail": (Param("threshold", int, 3, "fail when the count is above this"), _OUT),
    "04_die": (Param("code", int, 1, "exit status of the dying kernel"), _OUT),
    "05_sleep": (Param("seconds", float, 60.0, "how long to sleep", minimum=0.0), _OUT),
    "06_nothing": (_OUT,),
}


def cell(notebook: str) -> str:
    return "\n".join(p.cell_line() for p in DECLARED[notebook])


def refresh_fixture_cells() -> None:
    """Rewrite the fixtures' parameters cells from DECLARED (run after editing DECLARED)."""
    for path in sorted(FIXTURES.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for c in nb["cells"]:
            if "parameters" in c.get("metadata", {}).get("tags", []):
                c["source"] = cell(path.stem).splitlines(keepends=True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    from belthaw import cli, paths
    from belthaw.run import runner

    paths.NOTEBOOKS_DIR = Path(argv[0])
    runner.run = functools.partial(runner.run, declared=DECLARED)
    cli.list_notebooks = functools.partial(cli.list_notebooks, declared=DECLARED)
    return cli.main(argv[1:])


if __name__ == "__main__":
    if sys.argv[1:] == ["--refresh"]:
        refresh_fixture_cells()
    else:
        sys.exit(main(sys.argv[1:]))
