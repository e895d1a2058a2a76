"""The ``belthaw run`` command line and ``--list``: options in, exit codes out.

0 every notebook drew its figures; 1 a notebook failed, the data package is broken or a
file could not be written; 2 a usage or parameter error (nothing ran); 3 a notebook drew
nothing; 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import BelthawError, DataError, FileSystemError, ParameterError
from ..parameters import Param
from ..parameters import specs as declared_specs
from . import runner
from .sets import MAX_DEPTH, ParamsFileError, bracket_depth, load_param_sets, read_yaml


def list_notebooks(
    *,
    notebooks_dir: Path | str | None = None,
    params_file: Path | str | None = None,
    log: Callable[[str], Any] = print,
    declared: Mapping[str, tuple[Param, ...]] | None = None,
) -> None:
    """Print the notebooks, every notebook's declared parameters and the parameter sets."""
    lay = runner.Layout.of(notebooks_dir, params_file=params_file)
    available = paths.notebook_files(lay.notebooks)
    sets = load_param_sets(lay.params_file, available)
    log(f"notebooks ({lay.notebooks}):")
    for n in available:
        log(f"  {n}")
        try:
            for s in declared_specs(n, declared).values():
                log(f"      {s.describe()}")
        except ParameterError as exc:
            log(f"      ! {exc}")
    log("parameter sets (--set NAME):")
    for s in sets.set_names:
        desc = "; ".join(f"{k}: {json.dumps(v, default=str)}" for k, v in sets.sets.get(s, {}).items() if v)  # fmt: skip
        log(f"  {s} -> figures/{'' if s == 'default' else s + '/'}" + (f"  ({desc})" if desc else ""))  # fmt: skip
    log(f"  {runner.ADHOC_SET} -> figures/{runner.ADHOC_SET}/  (one-off -p/-y runs, git-ignored)")


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="belthaw run", description="Execute the workbook notebooks with papermill (parallel, cached).")  # fmt: skip
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="name, file or NN prefix")
    p.add_argument("--set", dest="set_name", default="default", help="parameter set (params.yaml)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="one-off value (repeatable); figures go to figures/adhoc/")  # fmt: skip
    p.add_argument("-y", "--yaml", action="append", default=[], metavar="YAML",
                   help="YAML file of values ({name: value} or {notebook: {name: value}})")  # fmt: skip
    p.add_argument("--jobs", "-j", type=int, default=None, help="notebooks at a time (default: cores)")  # fmt: skip
    p.add_argument("--force", action="store_true", help="re-run even unchanged notebooks")
    p.add_argument("--today", type=_iso_day, default=None, metavar="YYYY-MM-DD",
                   help="the run's 'today' (default: $BELTHAW_TODAY or the calendar); same inputs, same bytes")  # fmt: skip
    p.add_argument("--cell-timeout", type=int, default=runner.DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                   help=f"stop a notebook whose cell runs longer than this (default {runner.DEFAULT_CELL_TIMEOUT})")  # fmt: skip
    p.add_argument("--as-of", type=_iso_day, default=None, metavar="YYYY-MM-DD",
                   help="redraw as the sources stood on that day -> figures/as-of-YYYY-MM-DD/")  # fmt: skip
    p.add_argument("--list", action="store_true", help="list notebooks, sets and parameters")
    return p


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The ``-y`` files' values, then the ``-p`` ones; each refusal a :class:`ParameterError`."""
    out: dict[str, Any] = {}
    for y in args.yaml:
        data = read_yaml(Path(y))
        if data is not None and not isinstance(data, Mapping):
            raise ParamsFileError(y, "(top level)", "expected a mapping {name: value}")
        out.update(data or {})
    for name, value in args.parameter:
        if bracket_depth(value) > MAX_DEPTH:
            raise ParameterError("-p", name[:60], f"nested deeper than {MAX_DEPTH} levels; give a flat list like a,b")  # fmt: skip
        out[name] = value
    return out


def cli_run(argv: list[str]) -> int:
    """``belthaw run ...``: the exit codes of the module docstring."""
    logging.getLogger("papermill").setLevel(logging.CRITICAL)  # the summary reports failures
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.list:
            list_notebooks()
            return 0
        if args.jobs is not None and args.jobs < 1:
            raise ParameterError("belthaw run", "--jobs", "must be at least 1")
        result = runner.run(
            args.notebooks or None, set_name=args.set_name, overrides=overrides(args) or None,
            jobs=args.jobs, force=args.force, today=args.today, cell_timeout=args.cell_timeout,
            as_of=args.as_of,
        )  # fmt: skip
    except KeyboardInterrupt:
        print("belthaw run: interrupted; the running notebooks were stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # the top-level command exits quietly
    except OSError as exc:
        print(f"belthaw run: {FileSystemError(exc)}", file=sys.stderr)
        return 1
    except BelthawError as exc:
        text = str(exc)
        print(text if text.startswith("belthaw run") else f"belthaw run: {text}", file=sys.stderr)
        return 1 if isinstance(exc, DataError | FileSystemError) else 2
    return result.exit_code
