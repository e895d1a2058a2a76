"""Command line: ``belthaw`` or ``python -m belthaw``.

belthaw validate            check the data package; exit 1 on errors
belthaw summary             a short table of what the data holds
belthaw diff --since DAY    what the sources published after DAY changed
belthaw run [...]           execute the notebooks with papermill (see docs/runner.md)
belthaw brief [...]         build the briefing pack from a set's figures
belthaw setup [--dev]       create .venv and install (what `make install` does)

Every message starts with ``belthaw <command>:``; ``-h`` works on every command. Exit codes:
0 done; 1 a notebook failed, the data package is broken or a file could not be written (one
line naming the path and what to do); 2 a usage or parameter error (nothing ran); 3 a
notebook drew nothing; 130 Ctrl-C; 141 a closed pipe (``belthaw validate | head`` ends
quietly, as a program killed by SIGPIPE does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__, paths
from .errors import BelthawError, DataError, FileSystemError, ParameterError
from .freshness import STALE_AFTER_DAYS, stale_warning
from .parameters import Param
from .parameters import specs as declared_specs
from .run import runner
from .run.sets import MAX_DEPTH, ParamsFileError, bracket_depth, load_param_sets, read_yaml
from .setup_cmd import main as setup_main

EXIT_BROKEN_PIPE = 141

# belthaw.data (pandas, ~0.5 s) and belthaw.briefing (matplotlib, fpdf2) are imported by the
# commands that need them: `belthaw run` with nothing to do takes a fraction of a second.


def _validate(args: argparse.Namespace) -> int:
    from .data import validate

    report = validate(args.data_dir)
    print(report)
    return 0 if report.ok else 1


def summary_table(data) -> str:
    """Plain-text overview of the data: rows per table, the headline numbers (the ones every
    figure states), and the releases per year as the counting rule counts them."""
    from .counting import DEFAULT_RULE
    from .transforms.headline import default_headlines
    from .transforms.timeline import release_series

    ev = data.events
    lines = [f"data version {data.version}, newest event {data.as_of:%Y-%m-%d}", ""]
    lines.append(f"{'table':<18}{'rows':>6}")
    lines += [f"{name:<18}{len(data.table(name)):>6}" for name in paths.TABLES]
    lines += ["", "headline numbers (the figures' titles, README and pack):"]
    lines += [f"  {h.phrase()} in {h.n_releases} releases since {h.since}" for h in default_headlines(data)]  # fmt: skip
    lines += [f"  counting rule: {DEFAULT_RULE.words()}"]
    rel = release_series(data, DEFAULT_RULE)
    lines += ["", f"{'year':<6}{'releases':>9}{'people':>8}  (same rule, every counted release in the data)"]  # fmt: skip
    by_year = rel.groupby(rel["period"].dt.year).agg(n=("n_events", "sum"), people=("count", "sum"), floor=("is_lower_bound", "any"))  # fmt: skip
    lines += [f"{year:<6}{row['n']:>9}{int(row['people']):>8}{'  (at least)' if row['floor'] else ''}" for year, row in by_year.iterrows()]  # fmt: skip
    kinds = ev["kind"].value_counts().sort_index()
    lines += ["", "events by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items() if v)]
    return "\n".join(lines)


def _summary(args: argparse.Namespace) -> int:
    from .data import load

    print(summary_table(load(args.data_dir)))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .data import load
    from .transforms.changes import changes_since

    print(changes_since(load(args.data_dir), args.since.isoformat()).to_markdown(), end="")
    return 0


def data_age_warning(stale_after_days: int = STALE_AFTER_DAYS) -> str:
    """Warn when the newest event in data/events.csv is older than ``stale_after_days``
    (read with the csv module: this runs before every ``belthaw run``)."""
    newest = runner.newest_event(paths.DATA_DIR)
    if newest is None:
        return ""  # unreadable data is reported by the data check, with line numbers
    return stale_warning(newest, stale_after_days, where="events.csv")


def list_notebooks(declared: Mapping[str, tuple[Param, ...]] | None = None) -> None:
    """Print the notebooks, every notebook's declared parameters and the parameter sets."""
    available = paths.notebook_files(paths.NOTEBOOKS_DIR)
    sets = load_param_sets(paths.NOTEBOOKS_DIR / "params.yaml", available)
    print(f"notebooks ({paths.NOTEBOOKS_DIR}):")
    for n in available:
        print(f"  {n}")
        try:
            for s in declared_specs(n, declared).values():
                print(f"      {s.describe()}")
        except ParameterError as exc:
            print(f"      ! {exc}")
    print("parameter sets (--set NAME):")
    for s in sets.set_names:
        desc = "; ".join(f"{k}: {json.dumps(v, default=str)}" for k, v in sets.sets.get(s, {}).items() if v)  # fmt: skip
        print(f"  {s} -> figures/{'' if s == 'default' else s + '/'}" + (f"  ({desc})" if desc else ""))  # fmt: skip
    print(f"  {runner.ADHOC_SET} -> figures/{runner.ADHOC_SET}/  (one-off -p/-y runs, git-ignored)")


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


def _run(args: argparse.Namespace) -> int:
    if args.list:
        list_notebooks()
        return 0
    warn = data_age_warning()
    if warn:
        print(f"belthaw run: {warn}", file=sys.stderr)
    if args.jobs is not None and args.jobs < 1:
        raise ParameterError("belthaw run", "--jobs", "must be at least 1")
    return runner.run(
        args.notebooks or None, set_name=args.set_name, overrides=overrides(args) or None,
        jobs=args.jobs, force=args.force, today=args.today, cell_timeout=args.cell_timeout,
        as_of=args.as_of,
    ).exit_code  # fmt: skip


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date YYYY-MM-DD") from None


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="name, file or NN prefix")
    p.add_argument("--set", dest="set_name", default="default", help="parameter set (params.yaml)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="one-off value (repeatable); figures go to figures/adhoc/")  # fmt: skip
    p.add_argument("-y", "--yaml", action="append", default=[], metavar="YAML",
                   help="YAML file of values ({name: value} or {notebook: {name: value}})")  # fmt: skip
    p.add_argument("--jobs", "-j", type=int, default=None, help="notebooks at a time (default: cores)")  # fmt: skip
    p.add_argument("--force", action="store_true", help="re-run even unchanged notebooks")
    p.add_argument("--today", type=_day, default=None, metavar="YYYY-MM-DD",
                   help="the run's 'today' (default: $BELTHAW_TODAY or the calendar); same inputs, same bytes")  # fmt: skip
    p.add_argument("--cell-timeout", type=int, default=runner.DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                   help=f"stop a notebook whose cell runs longer than this (default {runner.DEFAULT_CELL_TIMEOUT})")  # fmt: skip
    p.add_argument("--as-of", type=_day, default=None, metavar="YYYY-MM-DD",
                   help="redraw as the sources stood on that day -> figures/as-of-YYYY-MM-DD/")  # fmt: skip
    p.add_argument("--list", action="store_true", help="list notebooks, sets and parameters")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="belthaw", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"belthaw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in (
        ("validate", "check the data package (errors name file, line and column)"),
        ("summary", "print what the data holds"),
        ("diff", "what the sources published after a day changed (a table to paste)"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--data-dir", type=Path, default=None, help="data folder (default: data/)")
    p.add_argument("--since", type=_day, required=True, metavar="YYYY-MM-DD", help="the day of the last briefing")  # fmt: skip
    text = "execute the notebooks with papermill, in parallel, cached (belthaw run -h)"
    _run_options(sub.add_parser("run", help=text, description=text))
    for name, text in (
        ("brief", "build the briefing pack (HTML, PDF, Word) from a set's figures"),
        ("setup", "create .venv, install the lock and register the kernel (no make needed)"),
    ):
        sub.add_parser(name, help=text, add_help=False)  # they parse their own options
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``belthaw`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else ""
    try:
        if command == "brief":
            from .briefing import cli_brief

            return cli_brief(argv[1:])
        if command == "setup":
            return setup_main(argv[1:])
        args = _parser().parse_args(argv)
        commands = {"validate": _validate, "summary": _summary, "diff": _diff, "run": _run}
        return commands[args.command](args)
    except BrokenPipeError:
        # The reader went away (``| head``): nothing more to say. Point stdout at devnull so
        # the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        print(f"belthaw {command}: {FileSystemError(exc)}", file=sys.stderr)
        return 1
    except BelthawError as exc:
        text = str(exc)
        prefix = "" if text.startswith(f"belthaw {command}") else f"belthaw {command}: "
        print(prefix + text, file=sys.stderr)
        return 1 if isinstance(exc, DataError | FileSystemError) else 2
    except KeyboardInterrupt:
        tail = "; the running notebooks were stopped" if command == "run" else ""
        print(f"belthaw {command}: interrupted{tail}", file=sys.stderr)
        return 130
