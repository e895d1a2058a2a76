"""``belthaw run``: execute the notebooks with papermill, in parallel, cached.

Public API:

* :func:`run` - execute notebooks of one parameter set, returns :class:`RunResult`;
* :func:`cli_run` - the ``belthaw run`` command line, returns an exit code;
* :func:`list_notebooks` - what ``belthaw run --list`` prints.

Parameters come from the declarations in :mod:`belthaw.parameters` and the sets in
``notebooks/params.yaml`` (:mod:`.sets`); the cache is :mod:`.cache`; one notebook's
execution is :mod:`.engine`. See ``docs/runner.md`` for the command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .. import paths, provenance
from ..errors import BelthawError, DataError, ParameterError
from ..parameters import Param, parameter_error, quote, resolve
from ..parameters import specs as declared_specs
from .cache import (
    CACHE_VERSION,
    _Hasher,
    _key,
    _read_json,
    _sha256_file,
    _stale_reason,
    _write_json,
)
from .engine import (
    DEFAULT_CELL_TIMEOUT,
    MAX_CELL_TIMEOUT,
    NotebookResult,
    RunResult,
    _execute_one,
    _Kernels,
    _Progress,
    _summary,
    sweep_kernel_dirs,
)
from .sets import (
    ParamSets,
    ParamsFileError,
    cell_problem,
    check_set_name,
    load_param_sets,
    read_yaml,
)

__all__ = [
    "run",
    "cli_run",
    "list_notebooks",
    "discover_notebooks",
    "RunResult",
    "NotebookResult",
    "ADHOC_SET",
]

#: One-off ``-p``/``-y`` runs go to this set (figures/adhoc/, git-ignored).
ADHOC_SET = "adhoc"
_NOTEBOOK_RE = re.compile(r"^\d\d_[\w-]+\.ipynb$")


@dataclass(frozen=True)
class _Layout:
    notebooks_dir: Path
    figures_dir: Path
    build_dir: Path
    params_file: Path
    data_dir: Path
    lib_dir: Path
    lock_files: tuple[Path, ...]

    @property
    def root(self) -> Path:
        return self.notebooks_dir.parent

    def figure_dir(self, set_name: str) -> Path:
        return self.figures_dir if set_name == "default" else self.figures_dir / set_name

    def executed(self, set_name: str, nb: str) -> Path:
        return self.build_dir / "notebooks" / set_name / f"{nb}.ipynb"

    def manifest(self, set_name: str, nb: str) -> Path:
        return self.build_dir / "cache" / set_name / f"{nb}.json"

    def outputs_file(self, set_name: str, nb: str) -> Path:
        return self.build_dir / "outputs" / set_name / f"{nb}.json"

    @property
    def durations_file(self) -> Path:
        return self.build_dir / "cache" / "durations.json"

    def rel(self, p: Path) -> str:
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(p.resolve())

    def unrel(self, s: str) -> Path:
        p = Path(s)
        return p if p.is_absolute() else self.root / p


def _layout(
    notebooks_dir: Path | str | None,
    figures_dir: Path | str | None,
    build_dir: Path | str | None,
    params_file: Path | str | None,
    data_dir: Path | str | None,
) -> _Layout:
    nbdir = Path(notebooks_dir) if notebooks_dir else paths.NOTEBOOKS_DIR
    return _Layout(
        notebooks_dir=nbdir,
        figures_dir=Path(figures_dir) if figures_dir else paths.FIGURES_DIR,
        build_dir=Path(build_dir) if build_dir else paths.BUILD_DIR,
        params_file=Path(params_file) if params_file else nbdir / "params.yaml",
        data_dir=Path(data_dir) if data_dir else paths.DATA_DIR,
        lib_dir=paths.PACKAGE_DIR,
        lock_files=tuple(sorted(paths.ROOT.glob("requirements*.lock"))),
    )


def discover_notebooks(notebooks_dir: Path | None = None) -> dict[str, Path]:
    """``{name: path}`` of every ``NN_name.ipynb`` in the notebooks folder, in name order."""
    folder = notebooks_dir or paths.NOTEBOOKS_DIR
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.ipynb")) if _NOTEBOOK_RE.match(p.name)}


def _select(requested: Sequence[str] | None, available: dict[str, Path]) -> list[str]:
    """Map user spellings (name, file name, path, ``NN`` prefix) to notebook names."""
    if not requested:
        return list(available)
    import difflib

    chosen: list[str] = []
    for item in requested:
        stem = Path(item).name.removesuffix(".ipynb")
        matches = [n for n in available if n == stem] or [
            n for n in available if n.startswith(stem + "_") or n.split("_", 1)[0] == stem
        ]
        if len(matches) != 1:
            close = difflib.get_close_matches(stem, list(available), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            what = "is ambiguous" if matches else "is not a notebook"
            raise ParameterError(
                "belthaw run",
                item,
                f"{what}{hint} (notebooks: {', '.join(available) or 'none'})",
            )
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def _split_overrides(
    overrides: Mapping[str, Any] | None, notebooks: Iterable[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Split overrides into ``{param: value}`` for all and ``{notebook: {param: value}}``."""
    common: dict[str, Any] = {}
    per_nb: dict[str, dict[str, Any]] = {}
    nbs = set(notebooks)
    for key, value in (overrides or {}).items():
        if (key in nbs or key == "all") and isinstance(value, Mapping):
            target = common if key == "all" else per_nb.setdefault(key, {})
            target.update(value)
        else:
            common[key] = value
    return common, per_nb


def resolve_parameters(
    names: Sequence[str],
    available: dict[str, Path],
    sets: ParamSets,
    set_name: str,
    overrides: Mapping[str, Any] | None,
    output_set: str,
    declared: Mapping[str, tuple[Param, ...]] | None = None,
) -> tuple[dict[str, dict[str, Param]], dict[str, dict[str, Any]]]:
    """Specs and fully resolved, checked parameters of each notebook.

    The specs are the declarations (``declared``, default :data:`belthaw.parameters.NOTEBOOKS`);
    each notebook's ``parameters`` cell must be the one its declaration gives. Raises one
    :class:`ParameterError` listing the problems of every notebook.
    """
    specs: dict[str, dict[str, Param]] = {}
    resolved: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    problems_all: list[tuple[str, str]] = []
    for n in names:
        try:
            specs[n] = declared_specs(n, declared)
        except ParameterError as exc:
            errors.append(str(exc))
            problems_all += getattr(exc, "problems", [(exc.parameter, str(exc))])
            continue
        expected = "\n".join(p.cell_line() for p in specs[n].values())
        problem = cell_problem(available[n], n, expected)
        if problem:
            errors.append(f"{available[n].name}: {problem}")
            problems_all.append(("(parameters cell)", problem))
    if errors:
        raise _combined(errors, problems_all)
    common, per_nb = _split_overrides(overrides, names)
    declared_anywhere = {p for s in specs.values() for p in s}
    for p in common:
        if p not in declared_anywhere:
            import difflib

            close = difflib.get_close_matches(p, sorted(declared_anywhere), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            msg = (
                f"unknown parameter{hint} (not declared by {', '.join(names)}; "
                f"known: {', '.join(sorted(declared_anywhere))})"
            )
            errors.append(f"-p/-y: parameter {quote(p)}: {msg}")
            problems_all.append((p, msg))
    if set(names) == set(available):  # typos in defaults/all only detectable on a full run
        entry = sets.sets.get(set_name, {})
        for key, values in (
            ("defaults", sets.defaults),
            (f"sets.{set_name}.all", entry.get("all", {})),
        ):
            for p in values:
                if p not in declared_anywhere:
                    msg = "no notebook declares this parameter"
                    errors.append(f"{sets.file}: {key}.{p}: {msg}")
                    problems_all.append((p, msg))
    for n in names:
        spec = specs[n]
        values = sets.values_for(set_name, n, spec)
        values.update({k: v for k, v in common.items() if k in spec})
        values.update(per_nb.get(n, {}))
        if "output_set" in values:
            errors.append(
                f"{n}: parameter 'output_set': set by the runner (use --set), not a parameter"
            )
            problems_all.append(("output_set", "set by the runner"))
            values.pop("output_set")
        try:
            resolved[n] = resolve(n, values, declared)
        except ParameterError as exc:
            errors.append(str(exc))
            problems_all += getattr(exc, "problems", [(exc.parameter, str(exc))])
            continue
        resolved[n]["output_set"] = output_set
    if errors:
        raise _combined(errors, problems_all)
    return specs, resolved


def _combined(errors: list[str], problems: list[tuple[str, str]]) -> ParameterError:
    if len(errors) == 1:
        err = ParameterError("belthaw run", problems[0][0], "")
        err.args = (errors[0],)
    else:
        err = parameter_error("belthaw run", problems)
        err.args = ("\n".join(errors),)
    err.problems = problems  # type: ignore[attr-defined]
    return err


def _default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def run(
    notebooks: Sequence[str] | None = None,
    *,
    set_name: str = "default",
    overrides: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    force: bool = False,
    log: Callable[[str], Any] = print,
    notebooks_dir: Path | str | None = None,
    figures_dir: Path | str | None = None,
    build_dir: Path | str | None = None,
    params_file: Path | str | None = None,
    data_dir: Path | str | None = None,
    live: bool | None = None,
    today: date | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    declared: Mapping[str, tuple[Param, ...]] | None = None,
) -> RunResult:
    """Execute ``notebooks`` (default: all) of parameter set ``set_name``.

    ``overrides`` (``{param: value}``, values typed or strings, or
    ``{notebook: {param: value}}``) make this a one-off run written to set
    ``adhoc``. Unchanged notebooks are skipped unless ``force``. Parameter,
    ``params.yaml`` and data-package problems raise (:class:`ParameterError`,
    :class:`DataError`) before any kernel starts; failing notebooks are reported in
    the result, never raised. ``today`` (default: ``$BELTHAW_TODAY`` or the calendar)
    is fixed once for the whole run and handed to every kernel. ``KeyboardInterrupt``
    kills the running kernels and is re-raised. The ``*_dir``/``params_file``
    arguments default to :mod:`belthaw.paths`; ``declared`` to the notebooks'
    declarations in :mod:`belthaw.parameters`.
    """
    t0 = time.perf_counter()
    layout = _layout(notebooks_dir, figures_dir, build_dir, params_file, data_dir)
    available = discover_notebooks(layout.notebooks_dir)
    names = _select(notebooks, available)
    sets = load_param_sets(layout.params_file, available)
    if set_name == ADHOC_SET and not overrides:
        raise ParameterError("belthaw run", "--set", "the 'adhoc' set takes -p/-y overrides")
    if set_name != "default":
        check_set_name(set_name)
    sets.values_for(set_name, "", [])  # unknown set -> error now
    output_set = ADHOC_SET if overrides else set_name
    today = today or provenance.today()
    if not 1 <= cell_timeout <= MAX_CELL_TIMEOUT:
        raise ParameterError(
            "belthaw run", "--cell-timeout", f"give 1 to {MAX_CELL_TIMEOUT} seconds"
        )
    specs, resolved = resolve_parameters(
        names, available, sets, set_name, overrides, output_set, declared
    )
    sweep_leftovers(layout, log)
    hasher = _Hasher()
    newest = newest_event(layout.data_dir)
    version = provenance.data_version(layout.data_dir)

    todo: list[tuple[str, dict[str, str], str]] = []
    result = RunResult(output_set)
    by_name: dict[str, NotebookResult] = {}
    for n in names:
        inputs = cache_inputs(layout, available[n], resolved[n], version, newest, today, hasher)
        reason = (
            "--force" if force else _stale_reason(layout, layout.manifest(output_set, n), inputs)
        )
        if reason is None:
            by_name[n] = NotebookResult(
                n, "cached", executed=layout.executed(output_set, n), reason="up to date"
            )
        else:
            todo.append((n, inputs, reason))
    if todo:
        # One check of the data before any kernel starts: a broken package stops the run
        # with one report instead of one traceback per kernel.
        from ..data import validate

        report = validate(layout.data_dir)
        if not report.ok:
            raise DataError(report.errors)
    if by_name:
        log(f"up to date: {', '.join(by_name)}")
    durations = _read_json(layout.durations_file, {})
    todo.sort(key=lambda t: -float(durations.get(t[0], available[t[0]].stat().st_size / 1e6)))
    jobs = max(1, jobs or _default_jobs())
    if live is None:
        live = log is print and sys.stdout.isatty()
    kernels = _Kernels()
    if todo:
        log(
            f"running {len(todo)} notebook{'s' if len(todo) != 1 else ''} of set "
            f"'{output_set}' ({min(jobs, len(todo))} at a time; data version {version}, "
            f"today {today:%Y-%m-%d})"
        )
    progress = _Progress(len(todo), log, live)

    def work(n: str, inputs: dict[str, str], reason: str) -> NotebookResult:
        if kernels.cancelled.is_set():
            return NotebookResult(n, "cancelled")
        progress.start(n)
        r = _execute_one(
            layout, output_set, n, available[n], resolved[n], kernels,
            today=today, cell_timeout=cell_timeout,
        )  # fmt: skip
        r.reason = reason
        manifest = layout.manifest(output_set, n)
        old_outputs = set(_read_json(manifest, {}).get("outputs", {}))
        if r.status == "ok":
            outputs = {layout.rel(p): _sha256_file(p) for p in r.outputs if p.exists()}
            # Files this notebook wrote last time and no longer writes are stale: remove them.
            r.removed = _remove_stale(layout, output_set, old_outputs - set(outputs))
            if not outputs:
                r.status = "empty"
                r.evalue = "the notebook drew nothing (see its executed copy for the reason)"
            _write_json(
                manifest,
                {
                    "notebook": n,
                    "set": output_set,
                    "key": _key(inputs),
                    "inputs": inputs,
                    "parameters": resolved[n],
                    "duration": round(r.duration, 3),
                    "executed": layout.rel(layout.executed(output_set, n)),
                    "outputs": outputs,
                },
            )
        else:
            manifest.unlink(missing_ok=True)
        progress.finish(r)
        return r

    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="belthaw-run")
    futures = {pool.submit(work, *t): t[0] for t in todo}
    try:
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
    except KeyboardInterrupt:
        kernels.cancelled.set()
        for f in futures:
            f.cancel()
        kernels.kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        kernels.kill_all()
        progress.close()
        log("interrupted: running kernels stopped")
        raise
    finally:
        pool.shutdown(wait=True)
    progress.close()
    for f, n in futures.items():
        by_name[n] = f.result() if not f.cancelled() else NotebookResult(n, "cancelled")
    result.results = [by_name[n] for n in names]
    for r in result.ran:
        durations[r.name] = round(r.duration, 3)
    if result.ran:
        _write_json(layout.durations_file, durations)
        _write_figure_index(layout.figure_dir(output_set), output_set, log)
    result.elapsed = time.perf_counter() - t0
    _summary(result, log)
    return result


def _remove_stale(layout: _Layout, set_name: str, rels: set[str]) -> list[Path]:
    """Delete figure files a notebook wrote before and no longer writes (only inside its set)."""
    folder = layout.figure_dir(set_name).resolve()
    removed = []
    for rel in sorted(rels):
        p = layout.unrel(rel).resolve()
        if p.parent == folder and p.is_file():
            p.unlink()
            removed.append(p)
    return removed


def newest_event(data_dir: Path) -> date | None:
    """The newest date in ``events.csv`` (``date`` or ``date_end``), read with the csv module.

    It decides whether figures carry the stale-data note, so it is part of the cache key;
    unreadable data gives None here and a located error from the data check.
    """
    import csv

    try:
        with open(data_dir / "events.csv", encoding="utf-8-sig", newline="") as fh:
            days = [d for row in csv.DictReader(fh) for d in (row.get("date"), row.get("date_end")) if d]  # fmt: skip
        return max(date.fromisoformat(d) for d in days)
    except (OSError, ValueError, csv.Error):
        return None


def cache_inputs(
    layout: _Layout,
    nb_path: Path,
    params: dict[str, Any],
    version: str,
    newest: date | None,
    today: date,
    h: _Hasher,
) -> dict[str, str]:
    """Every input of one notebook execution -> digest. The cache key hashes this mapping."""
    inputs = {"cache-version": str(CACHE_VERSION), "notebook": h(nb_path)}
    inputs["parameters"] = hashlib.sha256(
        json.dumps(params, sort_keys=True, default=str).encode()
    ).hexdigest()
    inputs["data"] = version  # every file of the data folder (belthaw.provenance)
    inputs["code"] = h.code_digest(layout.lib_dir)
    for lock in layout.lock_files:
        inputs[lock.name] = h(lock)
    # "Today" changes a figure in one way only: the stale-data note beside its date.
    stale = newest is not None and (today - newest).days > int(params.get("stale_after_days", 90))
    inputs["today"] = f"stale-note {'on' if stale else 'off'}"
    return inputs


def sweep_leftovers(layout: _Layout, log: Callable[[str], Any]) -> None:
    """Remove what a killed earlier run left: temp files of interrupted saves, kernel folders."""
    from ..figure.files import sweep_temp_files

    n = 0
    for folder in {layout.figures_dir, *layout.figures_dir.glob("*/")}:
        if folder.is_dir():
            n += sweep_temp_files(folder)
    n += sweep_kernel_dirs()
    if n:
        log(f"cleaned {n} leftover file{'s' if n != 1 else ''} of an interrupted run")


def _write_figure_index(folder: Path, set_name: str, log: Callable[[str], Any]) -> None:
    """Rewrite the folder's figures index once, after every notebook has saved.

    Done here rather than in each notebook: notebooks run in parallel, and the
    last one to write the index could otherwise miss a sibling's figure.
    """
    if not any(folder.glob("*.md")):
        return
    from ..figure.sidecar import write_index

    try:
        write_index(folder, set_name)
    except Exception as exc:  # the figures are written; a broken index must not fail the run
        log(f"warning: could not write {folder / 'README.md'}: {exc}")


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
    log(f"  {ADHOC_SET} -> figures/{ADHOC_SET}/  (one-off -p/-y runs, git-ignored)")


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
        result = run(
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
        print(f"belthaw run: {exc}", file=sys.stderr)
        return 1
    except BelthawError as exc:
        print(f"belthaw run: {exc}", file=sys.stderr)
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
