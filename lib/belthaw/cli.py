"""Command line: ``belthaw`` or ``python -m belthaw``.

belthaw validate            check the data package; exit 1 on errors
belthaw summary             a short table of what the data holds
belthaw diff --since DAY    what the sources published after DAY changed
belthaw run [...]           execute the notebooks with papermill (see docs/runner.md)
belthaw brief [...]         build the briefing pack from a set's figures
belthaw setup [--dev]       create .venv and install (what `make install` does)

Every message starts with ``belthaw <command>:``; ``-h`` works on every command. A file-system
error is one line naming the path and what to do (exit 1); a closed pipe (``belthaw validate
| head``) ends the command quietly (exit 141, as for a program killed by SIGPIPE).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__, paths
from .errors import DataError, FileSystemError
from .freshness import STALE_AFTER_DAYS, stale_warning
from .run.cli import cli_run
from .run.runner import newest_event
from .setup_cmd import main as setup_main

#: Exit status after a closed pipe: the shell's for a program killed by SIGPIPE.
EXIT_BROKEN_PIPE = 141
#: Sub-commands that parse their own options (so ``belthaw run -h`` shows the runner's help).
_DELEGATED = {
    "run": "execute the notebooks (belthaw run -h for its options)",
    "brief": "build the briefing pack (HTML, PDF, Word) from a set's figures",
    "setup": "create .venv, install the lock and register the kernel (no make needed)",
}

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

    try:
        data = load(args.data_dir)
    except DataError as exc:
        print(f"belthaw summary: {exc}", file=sys.stderr)
        return 1
    print(summary_table(data))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .data import load
    from .transforms.changes import changes_since

    try:
        changes = changes_since(load(args.data_dir), args.since)
    except DataError as exc:
        print(f"belthaw diff: {exc}", file=sys.stderr)
        return 1
    print(changes.to_markdown(), end="")
    return 0


def _iso(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date YYYY-MM-DD") from None


def data_age_warning(stale_after_days: int = STALE_AFTER_DAYS) -> str:
    """Warn when the newest event in data/events.csv is older than ``stale_after_days``
    (read with the csv module: this runs before every ``belthaw run``)."""
    newest = newest_event(paths.DATA_DIR)
    if newest is None:
        return ""  # unreadable data is reported by the data check, with line numbers
    return stale_warning(newest, stale_after_days, where="events.csv")


def _run(argv: list[str]) -> int:
    if not {"--list", "-h", "--help"} & set(argv):
        warn = data_age_warning()
        if warn:
            print(f"belthaw run: {warn}", file=sys.stderr)
    return cli_run(argv)


def _brief(argv: list[str]) -> int:
    from .briefing import cli_brief

    return cli_brief(argv)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="belthaw", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"belthaw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, func, text in (
        ("validate", _validate, "check the data package (errors name file, line and column)"),
        ("summary", _summary, "print what the data holds"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--data-dir", type=Path, default=None, help="data folder (default: data/)")
        p.set_defaults(func=func)
    text = "what the sources published after a day changed (a table to paste)"
    p = sub.add_parser("diff", help=text, description=text)
    p.add_argument("--since", type=_iso, required=True, metavar="YYYY-MM-DD", help="the day of the last briefing")  # fmt: skip
    p.add_argument("--data-dir", type=Path, default=None, help="data folder (default: data/)")
    p.set_defaults(func=_diff)
    for name, text in _DELEGATED.items():
        sub.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``belthaw`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else ""
    delegated = {"run": _run, "brief": _brief, "setup": setup_main}
    try:
        if command in delegated:
            return delegated[command](argv[1:])
        args = _parser().parse_args(argv)
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (``| head``): nothing more to say. Point stdout at devnull so
        # the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        print(f"belthaw {command}: {FileSystemError(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
