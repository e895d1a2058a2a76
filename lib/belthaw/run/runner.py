"""``belthaw run``: execute the notebooks with papermill, in parallel, cached.

Public API:

* :func:`run` - execute notebooks of one parameter set, returns :class:`RunResult`;
* :func:`discover_notebooks` - the notebooks of a folder.

The command line is :mod:`.cli`.

Parameters come from the declarations in :mod:`belthaw.parameters` and the sets in
``notebooks/params.yaml`` (:mod:`.sets`); the cache is :mod:`.cache`; one notebook's
execution is :mod:`.engine`. See ``docs/runner.md`` for the command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .. import provenance
from ..errors import DataError, ParameterError
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
    sweep_kernel_dirs,
)
from .layout import _Layout, _layout, discover_notebooks
from .progress import _Progress, _summary
from .sets import (
    ParamSets,
    cell_problem,
    check_set_name,
    load_param_sets,
)

__all__ = [
    "run",
    "discover_notebooks",
    "RunResult",
    "NotebookResult",
    "ADHOC_SET",
]

#: One-off ``-p``/``-y`` runs go to this set (figures/adhoc/, git-ignored).
ADHOC_SET = "adhoc"


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
