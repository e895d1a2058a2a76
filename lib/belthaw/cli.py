"""Command line: ``belthaw`` or ``python -m belthaw``.

belthaw validate            check the data package; exit 1 on errors
belthaw summary             a short table of what the data holds
belthaw run [...]           execute the notebooks with papermill (see docs/runner.md)
belthaw brief               build the briefing pack in build/briefing/
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path

from . import paths
from .freshness import STALE_AFTER_DAYS, stale_warning


def _validate(args: argparse.Namespace) -> int:
    from .checks import validate

    report = validate(args.data_dir)
    print(report)
    return 0 if report.ok else 1


def summary_table(data) -> str:
    """Plain-text overview of the data: rows per table and releases per year."""
    ev = data.events
    rel = ev[ev["kind"] == "release"]
    lines = [f"data version {data.version}, newest event {data.as_of:%Y-%m-%d}", ""]
    lines.append(f"{'table':<18}{'rows':>6}")
    for name in ("sources", "events", "claims", "exchanges", "people", "prisoner_counts", "totals"):
        lines.append(f"{name:<18}{len(data.table(name)):>6}")
    lines += [
        "",
        f"{'year':<6}{'releases':>9}{'people':>8}  (at_least counts make a sum a lower bound)",
    ]
    by_year = rel.groupby(rel["date"].dt.year).agg(n=("event_id", "size"), people=("count", "sum"))
    for year, row in by_year.iterrows():
        lines.append(f"{year:<6}{row['n']:>9}{int(row['people']):>8}")
    kinds = ev["kind"].value_counts().sort_index()
    lines += ["", "events by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items() if v)]
    return "\n".join(lines)


def _summary(args: argparse.Namespace) -> int:
    from .data import load
    from .errors import DataError

    try:
        data = load(args.data_dir)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(summary_table(data))
    return 0


def data_age_warning(stale_after_days: int = STALE_AFTER_DAYS, today: date | None = None) -> str:
    """Warn when the newest event in data/events.csv is older than ``stale_after_days``.

    Reads only the two date columns with the csv module: this runs before every
    ``belthaw run``, including the near-instant one where nothing changed.
    """
    path = paths.table_path("events")
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            days = [
                d for row in csv.DictReader(fh) for d in (row.get("date"), row.get("date_end")) if d
            ]
        newest = max(date.fromisoformat(d) for d in days)
    except (OSError, ValueError):
        return ""  # unreadable data is reported by the notebooks themselves, with line numbers
    return stale_warning(newest, stale_after_days, today, where=path.name)


def _brief(args: argparse.Namespace) -> int:
    from .briefing import cli_brief

    return cli_brief(args.rest)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``belthaw`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        from .runner import cli_run

        if "--list" not in argv and "-h" not in argv and "--help" not in argv:
            warn = data_age_warning()
            if warn:
                print(warn, file=sys.stderr)
        return cli_run(argv[1:])
    parser = argparse.ArgumentParser(prog="belthaw", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, text in (
        ("validate", _validate, "check the data package (errors name file, line and column)"),
        ("summary", _summary, "print what the data holds"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--data-dir", type=Path, default=None, help="data folder (default: data/)")
        p.set_defaults(func=func)
    sub.add_parser("run", help="execute the notebooks (belthaw run --help)")
    p = sub.add_parser("brief", help="build the briefing pack (HTML + PDF) in build/briefing/")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_brief)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
