"""``belthaw run``: the notebooks of one parameter set through papermill, in parallel, cached.

Every declared value of the set is injected, so a parameters cell JupyterLab saved with an
edit never changes a run (it is named, with the fix).
"""

from __future__ import annotations

import csv
import errno
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .. import paths, provenance
from ..errors import BelthawError, DataError, FileSystemError, ParameterError
from ..figure.files import OUTPUTS_ENV, sweep_temp_files
from ..parameters import Param, resolve
from ..parameters import specs as declared_specs
from . import cache, execute
from .sets import ParamSets, cell_hint, did_you_mean, load_param_sets, parameters_cell

#: One-off ``-p``/``-y`` runs go to this set (figures/adhoc/, git-ignored).
ADHOC_SET = "adhoc"
#: A cell running longer than this is stopped and reported (``--cell-timeout``).
DEFAULT_CELL_TIMEOUT = 300
MAX_CELL_TIMEOUT = 24 * 3600
_WORDS = {"ok": "ok", "empty": "NOTHING DRAWN", "failed": "FAILED"}


@dataclass
class NotebookResult:
    """What happened to one notebook: ``status`` "ok", "empty" (it ran and wrote no file),
    "failed" or "cached"."""

    name: str
    status: str
    executed: Path  # build/notebooks/<set>/<name>.ipynb
    reason: str = ""  # why it ran (what changed) or was skipped
    duration: float = 0.0
    cell_index: int | None = None  # the failing cell, as an index of the notebook's cells
    cell_source: str = ""  # its first line
    ename: str = ""
    evalue: str = ""
    nothing: str = ""  # for "empty": the notebook's own "nothing to draw ..." line

    def error_line(self) -> str:
        where = f"cell {self.cell_index}" if self.cell_index is not None else "kernel start"
        if self.cell_source == "injected parameters":
            where = "the injected parameters"
        elif self.cell_source:
            where += f" (`{self.cell_source}`)"
        return f"{self.name}: failed in {where}: {self.ename}: {self.evalue}"


@dataclass
class RunResult:
    """All notebooks of one :func:`run`; ``exit_code`` is what ``belthaw run`` returns."""

    set_name: str
    results: list[NotebookResult]
    figures_dir: Path
    elapsed: float = 0.0

    @property
    def failed(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ran(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status != "cached"]

    @property
    def exit_code(self) -> int:
        """0 all drawn; 1 a notebook failed; 3 a notebook drew nothing."""
        statuses = {r.status for r in self.results}
        return 1 if "failed" in statuses else 3 if "empty" in statuses else 0

    def __getitem__(self, name: str) -> NotebookResult:
        return {r.name: r for r in self.results}[name]


def select(requested: Sequence[str] | None, available: Mapping[str, Path]) -> list[str]:
    """Map user spellings (name, file name, path, ``NN`` prefix) to notebook names."""
    chosen: list[str] = []
    for item in requested or available:
        stem = Path(item).name.removesuffix(".ipynb")
        matches = [n for n in available if n == stem] or [
            n for n in available if n.startswith(stem + "_") or n.split("_", 1)[0] == stem
        ]
        if len(matches) != 1:
            what = "is ambiguous" if matches else "is not a notebook"
            raise ParameterError("belthaw run", item, f"{what}{did_you_mean(stem, available)} "
                                 f"(notebooks: {', '.join(available) or 'none'})")  # fmt: skip
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def resolve_parameters(
    names: Sequence[str],
    sets: ParamSets,
    set_name: str,
    overrides: Mapping[str, Any] | None,
    output_set: str,
    declared: Mapping[str, tuple[Param, ...]] | None = None,
    full_run: bool = False,
) -> tuple[dict[str, dict[str, Param]], dict[str, dict[str, Any]]]:
    """Specs and every declared value, checked, of each notebook; one :class:`ParameterError`
    lists the problems of all of them. ``overrides``: ``{param: value}`` for every notebook that
    declares it, or ``{notebook: {param: value}}``."""
    errors: list[str] = []
    specs: dict[str, dict[str, Param]] = {}
    for n in names:
        try:
            specs[n] = declared_specs(n, declared)
        except ParameterError as exc:
            errors.append(str(exc))
    common, per_nb = {}, {}
    for key, value in (overrides or {}).items():
        if key in names and isinstance(value, Mapping):
            per_nb[key] = dict(value)
        else:
            common[key] = value
    known = sorted({p for s in specs.values() for p in s})
    unknown = [(f"-p/-y: parameter '{str(p)[:60]}'", p) for p in common]
    if full_run:  # a typo in defaults/all is detectable only when every notebook is in the run
        unknown += [(f"{sets.file}: defaults.{p}", p) for p in sets.defaults]
        unknown += [(f"{sets.file}: sets.{set_name}.all.{p}", p)
                    for p in sets.sets.get(set_name, {}).get("all", {})]  # fmt: skip
    if len(specs) == len(names):
        errors += [f"{where}: no notebook of this run declares it{did_you_mean(p, known)} "
                   f"(known: {', '.join(known)})" for where, p in unknown if p not in known]  # fmt: skip
    resolved: dict[str, dict[str, Any]] = {}
    for n, spec in specs.items():
        values = sets.values_for(set_name, n, spec)
        values |= {k: v for k, v in common.items() if k in spec} | per_nb.get(n, {})
        if values.pop("output_set", None) is not None:
            errors.append(f"{n}: parameter 'output_set': set by the runner (use --set)")
        try:
            resolved[n] = resolve(n, values, declared) | {"output_set": output_set}
        except ParameterError as exc:
            errors.append(str(exc))
    if errors:
        err = ParameterError("belthaw run", "", "")
        err.args = ("\n".join(errors),)  # one line per problem, each naming where it is
        raise err
    return specs, resolved


def newest_event(data_dir: Path) -> date | None:
    """The newest date in ``events.csv`` (``date`` or ``date_end``), read with the csv module.

    It decides whether figures carry the stale-data note, so it is part of the cache key;
    unreadable data gives None here and a located error from the data check.
    """
    try:
        with open(data_dir / "events.csv", encoding="utf-8-sig", newline="") as fh:
            days = [d for row in csv.DictReader(fh) for d in (row.get("date"), row.get("date_end")) if d]  # fmt: skip
        return max(date.fromisoformat(d) for d in days)
    except (OSError, ValueError, csv.Error):
        return None


def _runnable(nb: dict[str, Any], cell: str) -> dict[str, Any]:
    """The notebook as the runner runs it: code cells without outputs, the parameters cell as
    declared (papermill injects the set's values right after it)."""
    cells = []
    for c in nb.get("cells", []):
        c = dict(c)
        if c.get("cell_type") == "code":
            c["outputs"], c["execution_count"] = [], None
            if "parameters" in c.get("metadata", {}).get("tags", []):
                c["source"] = cell
        cells.append(c)
    return {**nb, "cells": cells}


def _failing_cell(nb: dict[str, Any], index: int) -> tuple[int | None, str]:
    """The executed notebook's cell ``index`` as an index of the notebook's own cells, and its
    first line (papermill inserted the injected-parameters cell after the parameters cell)."""
    cells = nb["cells"]
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    injected = next((i + 1 for i, t in enumerate(tags) if "parameters" in t), 0)
    if index == injected:
        return None, "injected parameters"
    own = index - 1 if index > injected else index
    lines = "".join(cells[own].get("source", "")).splitlines()
    return own, next((ln.strip()[:60] for ln in lines if ln.strip()), "")


@dataclass
class _Job:
    name: str
    nb: dict[str, Any]  # what runs (:func:`_runnable`)
    inputs: dict[str, str]
    reason: str  # why it runs


@dataclass
class _Run:
    """One run: its folders, set, parameters and day."""

    notebooks: Path
    figures: Path
    build: Path
    data: Path
    set: str
    specs: dict[str, dict[str, Param]]
    resolved: dict[str, dict[str, Any]]
    today: date
    timeout: int
    log: Callable[[str], Any]

    def executed(self, nb: str) -> Path:
        return self.build / "notebooks" / self.set / f"{nb}.ipynb"

    def manifest(self, nb: str) -> Path:
        return self.build / "cache" / self.set / f"{nb}.json"

    def outputs_file(self, nb: str) -> Path:
        return self.build / "outputs" / self.set / f"{nb}.json"

    def rel(self, p: Path) -> str:
        """``p`` relative to the project folder (the one holding notebooks/), else absolute."""
        try:
            return p.resolve().relative_to(self.notebooks.parent.resolve()).as_posix()
        except ValueError:
            return str(p.resolve())

    def unrel(self, s: str) -> Path:
        return self.notebooks.parent / s

    def plan(self, available: Mapping[str, Path], force: bool):
        """The jobs to run and the results of the notebooks that are up to date."""
        newest = newest_event(self.data)
        shared = {"cache-version": str(cache.CACHE_VERSION), "data": provenance.data_version(self.data),  # fmt: skip
                  "code": cache.code_digest(paths.PACKAGE_DIR)}  # fmt: skip
        shared |= {p.name: cache.sha256_file(p) for p in sorted(paths.ROOT.glob("requirements*.lock"))}  # fmt: skip
        todo: list[_Job] = []
        done: dict[str, NotebookResult] = {}
        for n, params in self.resolved.items():
            try:
                nb = json.loads(available[n].read_text(encoding="utf-8"))
            except ValueError as exc:
                raise BelthawError(f"{self.rel(available[n])}: not a notebook ({exc}); restore it with `git checkout`") from None  # fmt: skip
            hint = cell_hint(self.rel(available[n]), parameters_cell(nb), self.specs[n])
            if hint:
                self.log(hint)
            # "Today" changes a figure in one way only: the stale-data note beside its date.
            stale = newest is not None and (self.today - newest).days > int(params.get("stale_after_days", 90))  # fmt: skip
            inputs = shared | {"notebook": cache.sha256_text(cache.notebook_code(nb)),
                               "parameters": cache.sha256_text(json.dumps(params, sort_keys=True, default=str)),
                               "today": f"stale-note {'on' if stale else 'off'}"}  # fmt: skip
            manifest = cache.read_json(self.manifest(n), None)
            reason = "--force" if force else cache.stale_reason(manifest, inputs, self.unrel)
            if reason is None:
                done[n] = NotebookResult(n, "cached", self.executed(n), "up to date")
            else:
                cell = "\n".join(p.cell_line() for p in self.specs[n].values())
                todo.append(_Job(n, _runnable(nb, cell), inputs, reason))
        return todo, done

    def message(self, job: _Job) -> dict[str, Any]:
        """What the worker gets: the executed notebook (written here), its parameters and its
        kernel's environment."""
        executed, outputs = self.executed(job.name), self.outputs_file(job.name)
        executed.parent.mkdir(parents=True, exist_ok=True)
        outputs.parent.mkdir(parents=True, exist_ok=True)
        outputs.unlink(missing_ok=True)
        executed.write_text(json.dumps(job.nb, indent=1, ensure_ascii=False) + "\n", "utf-8")
        env = {
            OUTPUTS_ENV: str(outputs.resolve()),
            "BELTHAW_FIGURES_DIR": str(self.figures.resolve()),
            "BELTHAW_BUILD_DIR": str(self.build.resolve()),
            "BELTHAW_DATA_DIR": str(self.data.resolve()),
            provenance.TODAY_ENV: f"{self.today:%Y-%m-%d}",
            # connection files of killed kernels would pile up in the user's runtime folder
            "JUPYTER_RUNTIME_DIR": str((self.build / "runtime").resolve()),
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
        }
        return {"path": str(executed), "parameters": self.resolved[job.name], "env": env,
                "cwd": str(self.notebooks.resolve()), "timeout": self.timeout}  # fmt: skip

    def record(self, job: _Job, answer: dict[str, Any]) -> NotebookResult:
        """The result of one job from its worker's answer; the manifest of a success."""
        n, manifest = job.name, self.manifest(job.name)
        r = NotebookResult(n, answer["status"], self.executed(n), job.reason, answer["duration"],
                           ename=answer.get("ename", ""), evalue=answer.get("evalue", ""))  # fmt: skip
        if answer.get("cell") is not None:
            r.cell_index, r.cell_source = _failing_cell(job.nb, answer["cell"])
        # A chart with nothing to draw stops its notebook with EmptySelectionError: that is
        # the notebook's answer for these parameters, not a failure, and its old figures go.
        if r.status == "failed" and r.ename == "EmptySelectionError":
            r.status, r.nothing = "ok", r.evalue
        if r.status == "ok":
            written = [Path(p) for p in cache.read_json(self.outputs_file(n), [])]
            outputs = {self.rel(p): cache.sha256_file(p) for p in written if p.is_file()}
            folder = paths.figure_dir(self.set, self.figures).resolve()
            for rel in set(cache.read_json(manifest, {}).get("outputs", {})) - set(outputs):
                old = self.unrel(rel).resolve()
                if old.parent == folder and old.is_file():  # only inside its set's folder
                    old.unlink()
            if not outputs:
                r.status = "empty"
        if r.status == "ok":
            cache.write_json(manifest, {
                "notebook": n, "set": self.set, "key": cache.key(job.inputs), "inputs": job.inputs,
                "parameters": self.resolved[n], "duration": round(r.duration, 3),
                "executed": self.rel(r.executed), "outputs": outputs,
            })  # fmt: skip
        else:  # failed or empty: no manifest, so the next run tries again
            manifest.unlink(missing_ok=True)
        return r


def _check_run(set_name: str, overrides, sets: ParamSets, cell_timeout: int) -> str:
    """The set the figures go to, after checking ``--set`` and ``--cell-timeout``."""
    if set_name != "default":
        try:
            paths.check_set_name(set_name, "--set")
        except ParameterError as exc:
            raise ParameterError("belthaw run", "--set", str(exc).split(": ", 2)[-1]) from None
    sets.check(set_name)
    if not 1 <= cell_timeout <= MAX_CELL_TIMEOUT:
        raise ParameterError("belthaw run", "--cell-timeout", f"give 1 to {MAX_CELL_TIMEOUT} seconds")  # fmt: skip
    return ADHOC_SET if overrides else set_name


def _prepare(run: _Run, figures: Path) -> None:
    """Before any kernel starts: one check of the data (a broken package is one report, not a
    traceback per kernel), the run's folders writable (else one line), old temp files gone."""
    # Imported here: belthaw.data loads pandas (~0.5 s), which a run with nothing to do must
    # not pay.
    from ..data import validate

    report = validate(run.data)
    if not report.ok:
        raise DataError(report.errors)
    for folder in (figures, run.build / "runtime"):
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise FileSystemError(PermissionError(errno.EACCES, "Permission denied", str(folder)))
    swept = sum(sweep_temp_files(d) for d in {figures, run.figures} if d.is_dir())
    if swept:
        run.log(f"removed {swept} temp file{'s' * (swept != 1)} an interrupted save left")


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
    today: date | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    declared: Mapping[str, tuple[Param, ...]] | None = None,
    as_of: date | str | None = None,
) -> RunResult:
    """Execute ``notebooks`` (default: all) of parameter set ``set_name``.

    ``as_of`` replays the set as the sources stood on that day, into its own folder
    (``as-of-YYYY-MM-DD``, or ``<set>-as-of-YYYY-MM-DD`` for a named set). ``overrides``
    (``{param: value}``, typed or strings, or ``{notebook: {param: value}}``) make a one-off
    run written to set ``adhoc``. Unchanged notebooks with intact files are skipped unless
    ``force``. Parameter, ``params.yaml`` and data-package problems raise before any kernel
    starts; failing notebooks are reported in the result. ``today`` (default
    ``$BELTHAW_TODAY`` or the calendar) is fixed for the whole run. Folders default to
    :mod:`belthaw.paths`; ``declared`` to the declarations in :mod:`belthaw.parameters`.
    """
    t0 = time.perf_counter()
    nb_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR)
    available = paths.notebook_files(nb_dir)
    names = select(notebooks, available)
    sets = load_param_sets(Path(params_file or nb_dir / "params.yaml"), available)
    output_set = _check_run(set_name, overrides, sets, cell_timeout)
    if as_of:
        day = str(as_of)
        overrides = {**(overrides or {}), "as_of": day}
        if output_set != ADHOC_SET:
            output_set = f"as-of-{day}" if set_name == "default" else f"{set_name}-as-of-{day}"
    specs, resolved = resolve_parameters(names, sets, set_name, overrides, output_set, declared,
                                         full_run=set(names) == set(available))  # fmt: skip
    runner = _Run(nb_dir, Path(figures_dir or paths.FIGURES_DIR), Path(build_dir or paths.BUILD_DIR),
                  Path(data_dir or paths.DATA_DIR), output_set, specs, resolved,
                  today or provenance.today(), cell_timeout, log)  # fmt: skip
    todo, done = runner.plan(available, force)
    figures = paths.figure_dir(output_set, runner.figures)
    if done:
        log(f"up to date: {', '.join(done)}")
    if todo:
        _prepare(runner, figures)
        _execute(runner, todo, done, jobs)
        if any(figures.glob("*.md")):  # one index, after every notebook saved its figures
            # Imported here: belthaw.figure.sidecar is needed only when figures were made.
            from ..figure.sidecar import write_index

            write_index(figures, output_set)
    result = RunResult(output_set, [done[n] for n in names], figures)
    result.elapsed = time.perf_counter() - t0
    _summary(result, log, runner.rel(figures))
    return result


def _execute(run: _Run, todo: list[_Job], done: dict[str, NotebookResult], jobs: int | None):
    """Run the jobs, the longest first (by the last durations), a line as each one ends."""
    durations_file = run.build / "cache" / "durations.json"
    durations = cache.read_json(durations_file, {})
    todo.sort(key=lambda j: -float(durations.get(j.name, 0.0)))
    jobs = min(jobs or os.cpu_count() or 1, len(todo))
    run.log(f"running {len(todo)} notebook{'s' * (len(todo) != 1)} of set '{run.set}' "
            f"({jobs} at a time; today {run.today:%Y-%m-%d})")  # fmt: skip
    cached = len(done)

    def finished(i: int, answer: dict[str, Any]) -> None:
        r = done[todo[i].name] = run.record(todo[i], answer)
        durations[r.name] = round(r.duration, 3)
        line = f"[{len(done) - cached}/{len(todo)}] {r.name} {_WORDS[r.status]} {r.duration:.1f}s"
        if r.status == "failed":
            line += f"  ({r.ename}: {r.evalue})".replace("\n", " ")[:200]
        run.log(line + (f"  ({r.nothing})" if r.status == "empty" and r.nothing else ""))

    messages = [run.message(j) for j in todo]
    execute.run_all(messages, jobs, run.build / "runtime" / "kernels.log", finished)
    cache.write_json(durations_file, durations)


def _summary(result: RunResult, log: Callable[[str], Any], figures: str) -> None:
    """The closing lines: counts, where the figures are, each failure and each empty notebook."""
    n = Counter(r.status for r in result.results)
    parts = [f"{n['ok']} ran"] + [f"{n[s]} {what}" for s, what in (("empty", "drew nothing"),
             ("failed", "failed"), ("cached", "up to date")) if n[s]]  # fmt: skip
    log(f"set '{result.set_name}': {', '.join(parts)} in {result.elapsed:.1f}s; figures in {figures}/")  # fmt: skip
    if result.failed:
        log("failed notebooks:")
    for r in result.failed:
        log(f"  - {r.error_line()}")
        log(f"    executed notebook: {r.executed}")
    for r in result.results:
        if r.status == "empty":
            why = r.nothing or "it wrote no file"
            log(f"  - {r.name} drew nothing: {why} (its old figures were removed)")
