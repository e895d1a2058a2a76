"""The ``belthaw run`` command line and ``--list``: options in, exit codes out.

0 every notebook drew its figures; 1 a notebook failed or the data package is broken;
2 a usage or parameter error (nothing ran); 3 a notebook drew nothing; 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import BelthawError, DataError, ParameterError
from ..parameters import Param
from ..parameters import specs as declared_specs
from . import runner
from .engine import DEFAULT_CELL_TIMEOUT
from .layout import _layout, discover_notebooks
from .sets import ParamsFileError, load_param_sets, read_yaml


def list_notebooks(
    *,
    notebooks_dir: Path | str | None = None,
    params_file: Path | str | None = None,
    log: Callable[[str], Any] = print,
    declared: Mapping[str, tuple[Param, ...]] | None = None,
) -> None:
    """Print the notebooks, every notebook's declared parameters and the parameter sets."""
    layout = _layout(notebooks_dir, None, None, params_file, None)
    available = discover_notebooks(layout.notebooks_dir)
    sets = load_param_sets(layout.params_file, available)
    log(f"notebooks ({layout.notebooks_dir}):")
    for n in available:
        log(f"  {n}")
        try:
            table = declared_specs(n, declared)
        except ParameterError as exc:
            log(f"      ! {exc}")
            continue
        for s in table.values():
            log(f"      {s.describe()}")
    log("parameter sets:")
    for s in sets.set_names:
        where = "figures/" if s == "default" else f"figures/{s}/"
        values = sets.sets.get(s, {})
        desc = "; ".join(f"{k}: {json.dumps(v, default=str)}" for k, v in values.items() if v)
        log(f"  {s} -> {where}" + (f"  ({desc})" if desc else ""))
    log(f"  {runner.ADHOC_SET} -> figures/{runner.ADHOC_SET}/  (one-off -p/-y runs, git-ignored)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="belthaw run",
        description="Execute the workbook notebooks with papermill (parallel, cached).",
    )
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="name, file or NN prefix")
    p.add_argument("--set", dest="set_name", default="default", help="parameter set (params.yaml)")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="one-off override (repeatable); output goes to figures/adhoc/",
    )
    p.add_argument(
        "-y",
        "--yaml",
        action="append",
        default=[],
        metavar="YAML",
        help="YAML file of overrides ({name: value} or {notebook: {name: value}})",
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=None, help="notebooks in flight (default: cores)"
    )
    p.add_argument("--force", action="store_true", help="re-run even unchanged notebooks")
    p.add_argument(
        "--today",
        type=_iso_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the run's 'today' (default: $BELTHAW_TODAY or the calendar); same inputs, same bytes",
    )
    p.add_argument(
        "--cell-timeout",
        type=int,
        default=DEFAULT_CELL_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a notebook whose cell runs longer than this (default {DEFAULT_CELL_TIMEOUT})",
    )
    p.add_argument("--list", action="store_true", help="list notebooks, sets and parameters")
    return p


def cli_run(argv: list[str]) -> int:
    """``belthaw run ...``: 0 ok, 1 a notebook failed, 2 usage/parameter error, 130 Ctrl-C."""
    import logging

    # papermill logs kernel deaths etc. itself; the runner's summary reports them.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.list:
            list_notebooks()
            return 0
        overrides: dict[str, Any] = {}
        for y in args.yaml:
            overrides.update(_read_override_yaml(Path(y)))
        for name, value in args.parameter:
            overrides[name] = value
        if args.jobs is not None and args.jobs < 1:
            raise ParameterError("belthaw run", "--jobs", "must be at least 1")
        result = runner.run(
            args.notebooks or None,
            set_name=args.set_name,
            overrides=overrides or None,
            jobs=args.jobs,
            force=args.force,
            today=args.today,
            cell_timeout=args.cell_timeout,
        )
    except KeyboardInterrupt:
        print("belthaw run: interrupted", file=sys.stderr)
        return 130
    except DataError as exc:
        print(_prefixed(exc), file=sys.stderr)
        return 1
    except BelthawError as exc:
        print(_prefixed(exc), file=sys.stderr)
        return 2
    return result.exit_code


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date YYYY-MM-DD") from None


def _read_override_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ParamsFileError(path, "(top level)", "expected a mapping {name: value}")
    return dict(data)


def _prefixed(exc: Exception) -> str:
    """Every message of the command starts with ``belthaw run:``, once."""
    text = str(exc)
    return text if text.startswith("belthaw run") else f"belthaw run: {text}"
