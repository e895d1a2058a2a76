"""``belthaw run``: the notebooks of one parameter set through papermill, in parallel, cached.

Parameters come from the declarations (:mod:`belthaw.parameters`) and the sets in
``notebooks/params.yaml`` (:mod:`.sets`); every declared value is injected, so a
parameters cell JupyterLab saved with an edit never changes a run (it is named, with the
fix). Unchanged notebooks whose files are intact are skipped (:mod:`.cache`); the others
run in worker processes (:mod:`.execute`). The command line is :mod:`.cli`.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import time
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
from . import cache
from .execute import Workers
from .report import NotebookResult, Progress, RunResult, summary
from .sets import ParamSets, cell_hint, did_you_mean, load_param_sets, parameters_cell

__all__ = ["ADHOC_SET", "Layout", "NotebookResult", "RunResult", "newest_event", "run"]

#: One-off ``-p``/``-y`` runs go to this set (figures/adhoc/, git-ignored).
ADHOC_SET = "adhoc"
#: A cell running longer than this is stopped and reported (``--cell-timeout``).
DEFAULT_CELL_TIMEOUT = 300
MAX_CELL_TIMEOUT = 24 * 3600
_NOTHING_RE = re.compile(r"^[\s*_>#`]*(nothing to draw\b.*)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Layout:
    """Where one run reads and writes; each folder defaults to :mod:`belthaw.paths`."""

    notebooks: Path
    figures: Path
    build: Path
    data: Path
    params_file: Path

    @classmethod
    def of(cls, notebooks=None, figures=None, build=None, data=None, params_file=None) -> Layout:
        nb = Path(notebooks or paths.NOTEBOOKS_DIR)
        return cls(nb, Path(figures or paths.FIGURES_DIR), Path(build or paths.BUILD_DIR),
                   Path(data or paths.DATA_DIR), Path(params_file or nb / "params.yaml"))  # fmt: skip

    def figure_dir(self, set_name: str) -> Path:
        return paths.figure_dir(set_name, self.figures)

    def executed(self, set_name: str, nb: str) -> Path:
        return self.build / "notebooks" / set_name / f"{nb}.ipynb"

    def manifest(self, set_name: str, nb: str) -> Path:
        return self.build / "cache" / set_name / f"{nb}.json"

    def outputs_file(self, set_name: str, nb: str) -> Path:
        return self.build / "outputs" / set_name / f"{nb}.json"

    def rel(self, p: Path) -> str:
        """``p`` relative to the project folder (the one holding notebooks/), else absolute."""
        try:
            return p.resolve().relative_to(self.notebooks.parent.resolve()).as_posix()
        except ValueError:
            return str(p.resolve())

    def unrel(self, s: str) -> Path:
        return self.notebooks.parent / s


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
        if (key in names or key == "all") and isinstance(value, Mapping):
            (common if key == "all" else per_nb.setdefault(key, {})).update(value)
        else:
            common[key] = value
    known = sorted({p for s in specs.values() for p in s})
    unknown = [(f"-p/-y: parameter '{str(p)[:60]}'", p) for p in common]
    if full_run:  # a typo in defaults/all is detectable only when every notebook is in the run
        entry = sets.sets.get(set_name, {})
        unknown += [(f"{sets.file}: defaults.{p}", p) for p in sets.defaults]
        unknown += [(f"{sets.file}: sets.{set_name}.all.{p}", p) for p in entry.get("all", {})]
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


@dataclass
class _Job:
    name: str
    nb: dict[str, Any]  # what runs (:func:`_runnable`)
    inputs: dict[str, str]
    reason: str  # why it runs


class _Runner:
    """One run: its layout, set, parameters and results."""

    def __init__(self, layout: Layout, output_set: str, specs, resolved, log, today, timeout):
        self.layout, self.set, self.specs, self.resolved = layout, output_set, specs, resolved
        self.log, self.today, self.timeout = log, today, timeout
        self.progress: Progress | None = None

    def plan(self, names: list[str], available: Mapping[str, Path], force: bool) -> list[_Job | NotebookResult]:  # fmt: skip
        lay = self.layout
        newest = newest_event(lay.data)
        shared = {"cache-version": str(cache.CACHE_VERSION), "data": provenance.data_version(lay.data),  # fmt: skip
                  "code": cache.code_digest(paths.PACKAGE_DIR)}  # fmt: skip
        shared |= {p.name: cache.sha256_file(p) for p in sorted(paths.ROOT.glob("requirements*.lock"))}  # fmt: skip
        plan: list[_Job | NotebookResult] = []
        for n in names:
            try:
                nb = json.loads(available[n].read_text(encoding="utf-8"))
            except ValueError as exc:
                raise BelthawError(f"{lay.rel(available[n])}: not a notebook ({exc}); restore it with `git checkout`") from None  # fmt: skip
            hint = cell_hint(lay.rel(available[n]), parameters_cell(nb), self.specs[n])
            if hint:
                self.log(hint)
            params = self.resolved[n]
            # "Today" changes a figure in one way only: the stale-data note beside its date.
            stale = newest is not None and (self.today - newest).days > int(params.get("stale_after_days", 90))  # fmt: skip
            inputs = shared | {"notebook": cache.sha256_text(cache.notebook_code(nb)),
                               "parameters": cache.sha256_text(json.dumps(params, sort_keys=True, default=str)),
                               "today": f"stale-note {'on' if stale else 'off'}"}  # fmt: skip
            manifest = cache.read_json(lay.manifest(self.set, n), None)
            reason = "--force" if force else cache.stale_reason(manifest, inputs, lay.unrel)
            cell = "\n".join(p.cell_line() for p in self.specs[n].values())
            plan.append(NotebookResult(n, "cached", executed=lay.executed(self.set, n), reason="up to date")
                        if reason is None else _Job(n, _runnable(nb, cell), inputs, reason))  # fmt: skip
        return plan

    def message(self, job: _Job) -> dict[str, Any]:
        lay, n = self.layout, job.name
        executed, outputs = lay.executed(self.set, n), lay.outputs_file(self.set, n)
        executed.parent.mkdir(parents=True, exist_ok=True)
        outputs.parent.mkdir(parents=True, exist_ok=True)
        outputs.unlink(missing_ok=True)
        executed.write_text(json.dumps(job.nb, indent=1, ensure_ascii=False) + "\n", "utf-8")
        env = {
            OUTPUTS_ENV: str(outputs.resolve()),
            "BELTHAW_FIGURES_DIR": str(lay.figures.resolve()),
            "BELTHAW_BUILD_DIR": str(lay.build.resolve()),
            "BELTHAW_DATA_DIR": str(lay.data.resolve()),
            provenance.TODAY_ENV: f"{self.today:%Y-%m-%d}",
            # connection files of killed kernels would pile up in the user's runtime folder
            "JUPYTER_RUNTIME_DIR": str((lay.build / "runtime").resolve()),
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
        }
        return {"path": str(executed), "parameters": self.resolved[n], "env": env,
                "cwd": str(lay.notebooks.resolve()), "timeout": self.timeout}  # fmt: skip

    def record(self, job: _Job, answer: dict[str, Any] | None) -> NotebookResult:
        """The result of one job from its worker's answer (None: cancelled)."""
        lay, n = self.layout, job.name
        r = NotebookResult(n, "cancelled", executed=lay.executed(self.set, n), reason=job.reason)
        manifest = lay.manifest(self.set, n)
        if answer is not None:
            r.status, r.duration = answer["status"], answer["duration"]
            r.ename, r.evalue = answer.get("ename", ""), answer.get("evalue", "")
            self._locate(r, job.nb, answer.get("cell"))
        # A chart with nothing to draw stops its notebook with EmptySelectionError: that is
        # the notebook's answer for these parameters, not a failure, and its old figures go.
        empty_reason = r.evalue if r.status == "failed" and r.ename == "EmptySelectionError" else ""
        if empty_reason:
            r.status = "ok"
        if r.status == "ok":
            recorded = [Path(p) for p in cache.read_json(lay.outputs_file(self.set, n), [])]
            r.outputs = [p for p in recorded if p.is_file()]
            outputs = {lay.rel(p): cache.sha256_file(p) for p in r.outputs}
            old = set(cache.read_json(manifest, {}).get("outputs", {}))
            r.removed = self._remove_stale(old - set(outputs))
            if not outputs:
                r.status, r.nothing = "empty", empty_reason or nothing_drawn_reason(r.executed)
        if r.status == "ok":
            cache.write_json(manifest, {
                "notebook": n, "set": self.set, "key": cache.key(job.inputs), "inputs": job.inputs,
                "parameters": self.resolved[n], "duration": round(r.duration, 3),
                "executed": lay.rel(r.executed), "outputs": outputs,
            })  # fmt: skip
        else:  # failed, cancelled or empty: no manifest, so the next run tries again
            manifest.unlink(missing_ok=True)
        self.progress.finish(r)
        return r

    @staticmethod
    def _locate(r: NotebookResult, nb: dict[str, Any], index: int | None) -> None:
        """The failing cell, as an index of the notebook's own cells (papermill inserted the
        injected-parameters cell after the parameters cell, or first)."""
        if index is None:
            return
        cells = nb.get("cells", [])
        tags = [c.get("metadata", {}).get("tags", []) for c in cells]
        injected = next((i + 1 for i, t in enumerate(tags) if "parameters" in t), 0)
        if index == injected:
            r.cell_source = "injected parameters"
            return
        r.cell_index = index - 1 if index > injected else index
        if 0 <= r.cell_index < len(cells):
            src = "".join(cells[r.cell_index].get("source", ""))
            r.cell_source = next((ln.strip()[:60] for ln in src.splitlines() if ln.strip()), "")

    def _remove_stale(self, rels: set[str]) -> list[Path]:
        """Delete files a notebook wrote before and no longer writes (only inside its set)."""
        folder = self.layout.figure_dir(self.set).resolve()
        removed = []
        for rel in sorted(rels):
            p = self.layout.unrel(rel).resolve()
            if p.parent == folder and p.is_file():
                p.unlink()
                removed.append(p)
        return removed


def nothing_drawn_reason(executed: Path) -> str:
    """The notebook's own line saying why it drew nothing: the first output line that starts
    with "nothing to draw" (any case; Markdown emphasis allowed)."""
    nb = cache.read_json(executed, {})
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for text in (out.get("text", ""), data.get("text/markdown", ""), data.get("text/plain", "")):  # fmt: skip
                found = _NOTHING_RE.search("".join(text) if isinstance(text, list) else text)
                if found:
                    return re.sub(r"[*`]", "", found.group(1)).strip()[:300]
    return ""


def _writable(*folders: Path) -> None:
    """Make the run's folders; one that cannot be made or written stops the run here, in one
    line, instead of failing every notebook."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise FileSystemError(PermissionError(errno.EACCES, "Permission denied", str(folder)))


def _check_run(set_name: str, overrides, sets: ParamSets, cell_timeout: int) -> str:
    """The set the figures go to, after checking ``--set`` and ``--cell-timeout``."""
    if set_name == ADHOC_SET and not overrides:
        raise ParameterError("belthaw run", "--set", "the 'adhoc' set takes -p/-y overrides")
    if set_name != "default":
        try:
            paths.check_set_name(set_name, "--set")
        except ParameterError as exc:
            raise ParameterError("belthaw run", "--set", str(exc).split(": ", 2)[-1]) from None
    sets.check(set_name)
    if not 1 <= cell_timeout <= MAX_CELL_TIMEOUT:
        raise ParameterError("belthaw run", "--cell-timeout", f"give 1 to {MAX_CELL_TIMEOUT} seconds")  # fmt: skip
    return ADHOC_SET if overrides else set_name


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

    ``as_of`` replays the set as the sources stood on that day: every notebook gets
    ``as_of``, and the figures go to a folder of their own, ``as-of-YYYY-MM-DD`` (or
    ``<set>-as-of-YYYY-MM-DD`` for a named set).

    ``overrides`` (``{param: value}``, typed or strings, or ``{notebook: {param: value}}``)
    make a one-off run written to set ``adhoc``. Unchanged notebooks with intact files are
    skipped unless ``force``. Parameter, ``params.yaml`` and data-package problems raise
    (:class:`ParameterError`, :class:`DataError`) before any kernel starts; failing
    notebooks are reported in the result. ``today`` (default ``$BELTHAW_TODAY`` or the
    calendar) is fixed for the whole run. ``KeyboardInterrupt`` stops the workers and
    their kernels and is re-raised. Folders default to :mod:`belthaw.paths`; ``declared``
    to the declarations in :mod:`belthaw.parameters`.
    """
    t0 = time.perf_counter()
    lay = Layout.of(notebooks_dir, figures_dir, build_dir, data_dir, params_file)
    available = paths.notebook_files(lay.notebooks)
    names = select(notebooks, available)
    sets = load_param_sets(lay.params_file, available)
    output_set = _check_run(set_name, overrides, sets, cell_timeout)
    if as_of:
        day = str(as_of)
        overrides = {**(overrides or {}), "as_of": day}
        if output_set != ADHOC_SET:
            output_set = f"as-of-{day}" if set_name == "default" else f"{set_name}-as-of-{day}"
    specs, resolved = resolve_parameters(names, sets, set_name, overrides, output_set, declared,
                                         full_run=set(names) == set(available))  # fmt: skip
    runner = _Runner(lay, output_set, specs, resolved, log, today or provenance.today(), cell_timeout)  # fmt: skip
    plan = runner.plan(names, available, force)
    todo = [j for j in plan if isinstance(j, _Job)]
    done = {r.name: r for r in plan if isinstance(r, NotebookResult)}
    figures = lay.figure_dir(output_set)
    if todo:
        # One check of the data before any kernel starts: a broken package stops the run with
        # one report, not one traceback per kernel. Imported here: belthaw.data loads pandas
        # (~0.5 s), which a run with nothing to do must not pay.
        from ..data import validate

        report = validate(lay.data)
        if not report.ok:
            raise DataError(report.errors)
        _writable(figures, lay.build / "runtime")
        swept = sum(sweep_temp_files(d) for d in {figures, lay.figures} if d.is_dir())
        if swept:
            log(f"removed {swept} temp file{'s' * (swept != 1)} an interrupted save left")
    if done:
        log(f"up to date: {', '.join(done)}")
    durations = cache.read_json(lay.build / "cache" / "durations.json", {})
    todo.sort(key=lambda j: -float(durations.get(j.name, 0.0)))
    jobs = max(1, jobs or os.cpu_count() or 1)
    if todo:
        log(f"running {len(todo)} notebook{'s' * (len(todo) != 1)} of set '{output_set}' "
            f"({min(jobs, len(todo))} at a time; today {runner.today:%Y-%m-%d})")  # fmt: skip
    runner.progress = Progress(len(todo), log)
    workers = Workers(lay.build / "runtime")
    done |= workers.run(todo, jobs, runner.message, runner.record)
    result = RunResult(output_set, [done[n] for n in names], figures_dir=figures)
    for r in result.ran:
        durations[r.name] = round(r.duration, 3)
    if result.ran:
        cache.write_json(lay.build / "cache" / "durations.json", durations)
        _write_figure_index(figures, output_set, log)
    result.elapsed = time.perf_counter() - t0
    summary(result, log, lay.rel(figures))
    return result


def _write_figure_index(folder: Path, set_name: str, log: Callable[[str], Any]) -> None:
    """Rewrite the folder's figure index once, after every notebook saved (notebooks run in
    parallel: the last one to write it could miss a sibling's figure)."""
    if not any(folder.glob("*.md")):
        return
    # Imported here: belthaw.figure.sidecar is needed only when figures were made.
    from ..figure.sidecar import write_index

    try:
        write_index(folder, set_name)
    except Exception as exc:  # noqa: BLE001 - the figures are written; a broken index must not fail the run
        log(f"warning: could not write {folder / 'README.md'}: {exc}")
