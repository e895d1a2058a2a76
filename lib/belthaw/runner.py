"""``belthaw run``: execute the notebooks with papermill, in parallel, cached.

Public API:

* :func:`run` - execute notebooks of one parameter set, returns :class:`RunResult`;
* :func:`cli_run` - the ``belthaw run`` command line, returns an exit code;
* :func:`record_outputs` - called by the save layer inside a notebook to tell the
  runner which files it wrote (no-op outside ``belthaw run``).

See ``docs/runner.md`` for the command line, ``params.yaml`` and the cache.
Importing this module is cheap: papermill is imported inside the functions
that execute notebooks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paths
from .errors import BelthawError, ParameterError
from .params import (
    ParamSets,
    ParamsFileError,
    ParamSpec,
    coerce_and_check,
    load_param_sets,
    notebook_params,
    parameter_error,
)

__all__ = [
    "run",
    "cli_run",
    "record_outputs",
    "discover_notebooks",
    "RunResult",
    "NotebookResult",
    "OUTPUTS_ENV",
    "ADHOC_SET",
]

#: The kernel gets this environment variable: the JSON file record_outputs() appends to.
OUTPUTS_ENV = "BELTHAW_OUTPUTS_FILE"
#: One-off ``-p``/``-y`` runs go to this set (figures/adhoc/, git-ignored).
ADHOC_SET = "adhoc"
#: Bump when the cache-key recipe changes: every manifest becomes stale.
CACHE_VERSION = 1
KERNEL_NAME = "python3"
_NOTEBOOK_RE = re.compile(r"^\d\d_[\w-]+\.ipynb$")


# --------------------------------------------------------------------------- outputs protocol


def record_outputs(paths_written: Iterable[str | os.PathLike[str]]) -> None:
    """Tell ``belthaw run`` which files this notebook wrote (call once per saved file or batch).

    Appends the absolute paths to the JSON list in ``$BELTHAW_OUTPUTS_FILE``;
    does nothing when the variable is not set (interactive Jupyter, tests).
    """
    target = os.environ.get(OUTPUTS_ENV)
    if not target:
        return
    file = Path(target)
    try:
        existing = json.loads(file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        existing = []
    for p in paths_written:
        s = str(Path(p).resolve())
        if s not in existing:
            existing.append(s)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(existing, indent=1), encoding="utf-8")
    os.replace(tmp, file)


# --------------------------------------------------------------------------- results


@dataclass
class NotebookResult:
    """What happened to one notebook."""

    name: str
    status: str  # "ok" | "failed" | "cached" | "cancelled"
    duration: float = 0.0
    cell_index: int | None = None  # index of the failing cell in the source notebook
    cell_source: str = ""  # first line of the failing cell
    ename: str = ""
    evalue: str = ""
    executed: Path | None = None  # build/notebooks/<set>/<name>.ipynb
    outputs: list[Path] = field(default_factory=list)
    reason: str = ""  # why it ran (cache miss reason) or was skipped

    def error_line(self) -> str:
        where = f"cell {self.cell_index}" if self.cell_index is not None else "kernel start"
        if self.cell_source:
            where += f" (`{self.cell_source}`)"
        return f"{self.name}: failed in {where}: {self.ename}: {self.evalue}"


@dataclass
class RunResult:
    """All notebooks of one ``run()``; ``exit_code`` is what ``belthaw run`` returns."""

    set_name: str
    results: list[NotebookResult] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def failed(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ran(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status in ("ok", "failed")]

    @property
    def cached(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status == "cached"]

    @property
    def ok(self) -> bool:
        return not self.failed and all(r.status != "cancelled" for r in self.results)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def __getitem__(self, name: str) -> NotebookResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Layout:
    notebooks_dir: Path
    figures_dir: Path
    build_dir: Path
    params_file: Path
    data_dir: Path
    lib_dir: Path
    lock_file: Path

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
        lock_file=paths.ROOT / "requirements.lock",
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


# --------------------------------------------------------------------------- hashing / cache


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _code_files(lib_dir: Path) -> list[Path]:
    files = [*lib_dir.rglob("*.py"), *lib_dir.rglob("*.mplstyle")]
    return sorted(p for p in files if "__pycache__" not in p.parts)


def _data_files(layout: _Layout, reads: list[str] | None) -> list[Path]:
    if reads is None:
        files = sorted(layout.data_dir.glob("*.csv"))
    else:
        files = [layout.data_dir / f"{t}.csv" for t in sorted(set(reads))]
    return [*files, layout.data_dir / "datapackage.json"]


class _Hasher:
    """Hashes each input file once per run (the code and data are shared by all notebooks)."""

    def __init__(self) -> None:
        self._memo: dict[Path, str] = {}
        self._code: dict[Path, str] = {}
        self._lock = threading.Lock()

    def __call__(self, path: Path) -> str:
        with self._lock:
            if path not in self._memo:
                self._memo[path] = _sha256_file(path) if path.exists() else "missing"
            return self._memo[path]

    def code_digest(self, lib_dir: Path) -> str:
        """sha256 over every library file (path + content digest); computed once per run."""
        with self._lock:
            cached = self._code.get(lib_dir)
        if cached is None:
            code = hashlib.sha256()
            for p in _code_files(lib_dir):
                code.update(f"{p.relative_to(lib_dir).as_posix()}\0{self(p)}\n".encode())
            cached = code.hexdigest()
            with self._lock:
                self._code[lib_dir] = cached
        return cached


def _inputs(
    layout: _Layout, nb_path: Path, params: dict[str, Any], reads: list[str] | None, h: _Hasher
) -> dict[str, str]:
    """Every input of one notebook execution -> digest. The cache key hashes this mapping."""
    inputs = {"cache-version": str(CACHE_VERSION), "notebook": h(nb_path)}
    inputs["parameters"] = hashlib.sha256(
        json.dumps(params, sort_keys=True, default=str).encode()
    ).hexdigest()
    for p in _data_files(layout, reads):
        inputs[f"data/{p.name}"] = h(p)
    inputs["code"] = h.code_digest(layout.lib_dir)
    inputs["requirements.lock"] = h(layout.lock_file)
    return inputs


def _cached_notebook_params(
    layout: _Layout, nb_path: Path, h: _Hasher, pending: dict[Path, Any]
) -> dict[str, ParamSpec]:
    """:func:`belthaw.params.notebook_params`, memoised in ``build/cache/params/``.

    Parsing the parameters cell needs papermill's translator, and importing papermill
    costs 0.5-3 s; a run where every notebook is up to date needs nothing else from
    papermill. The memo is keyed on everything the parse depends on (the notebook's
    bytes, the library code, requirements.lock and the installed papermill version),
    so the result is the same as calling ``notebook_params`` directly. Only successful
    parses are stored: a notebook with parameter problems is re-parsed (and raises)
    every time. New memos go to ``pending`` (memo path -> record); :func:`run` writes them
    once the parameters have been checked, so a run that stops on a parameter error
    writes nothing.
    """
    import ast

    key = _key(
        {
            "cache-version": str(CACHE_VERSION),
            "notebook": h(nb_path),
            "code": h.code_digest(layout.lib_dir),
            "requirements.lock": h(layout.lock_file),
            "papermill": _papermill_version(),
        }
    )
    memo = layout.build_dir / "cache" / "params" / f"{nb_path.stem}.json"
    data = _read_json(memo, {})
    if isinstance(data, dict) and data.get("key") == key:
        try:
            return {
                s["name"]: ParamSpec(
                    name=s["name"],
                    type=s["type"],
                    default=ast.literal_eval(s["default"]),
                    help=s["help"],
                    choices=tuple(s["choices"]) if s["choices"] is not None else None,
                    is_date=bool(s["is_date"]),
                    item_type=s["item_type"],
                )
                for s in data["specs"]
            }
        except (KeyError, TypeError, ValueError, SyntaxError):
            pass  # unreadable memo: parse again
    specs = notebook_params(nb_path)
    record = {
        "key": key,
        "notebook": nb_path.name,
        "specs": [
            {
                "name": s.name,
                "type": s.type,
                "default": repr(s.default),
                "help": s.help,
                "choices": list(s.choices) if s.choices is not None else None,
                "is_date": s.is_date,
                "item_type": s.item_type,
            }
            for s in specs.values()
        ],
    }
    pending[memo] = record
    return specs


_PAPERMILL_VERSION: str | None = None


def _papermill_version() -> str:
    global _PAPERMILL_VERSION
    if _PAPERMILL_VERSION is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            _PAPERMILL_VERSION = version("papermill")
        except PackageNotFoundError:
            _PAPERMILL_VERSION = "missing"
    return _PAPERMILL_VERSION


def _key(inputs: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(inputs), sort_keys=True).encode()).hexdigest()


def _stale_reason(layout: _Layout, manifest_path: Path, inputs: dict[str, str]) -> str | None:
    """None when the recorded run is still valid, else a short reason."""
    try:
        m = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "never ran"
    except ValueError:
        return "manifest unreadable"
    if m.get("key") != _key(inputs):
        old = m.get("inputs", {})
        changed = sorted(k for k in inputs.keys() | old.keys() if inputs.get(k) != old.get(k))
        return "changed: " + ", ".join(changed) if changed else "key changed"
    for rel, digest in m.get("outputs", {}).items():
        p = layout.unrel(rel)
        if not p.exists():
            return f"output missing: {rel}"
        if _sha256_file(p) != digest:
            return f"output edited: {rel}"
    executed = m.get("executed")
    if executed and not layout.unrel(executed).exists():
        return "executed notebook missing"
    return None


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return default


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str) + "\n", "utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- execution


class _Cancelled(Exception):
    pass


class _KernelDied(Exception):
    def __init__(self, cell_index: int | None, message: str):
        super().__init__(message)
        self.cell_index = cell_index


class _Kernels:
    """Kernels in flight, so Ctrl-C can kill them (each runs in its own process group)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kms: set[Any] = set()
        self.cancelled = threading.Event()

    def add(self, km: Any) -> None:
        with self._lock:
            self._kms.add(km)
        if self.cancelled.is_set():
            self.kill_all()

    def discard(self, km: Any) -> None:
        with self._lock:
            self._kms.discard(km)

    def kill_all(self) -> None:
        with self._lock:
            kms = list(self._kms)
        for km in kms:
            proc = getattr(getattr(km, "provisioner", None), "process", None)
            pid = getattr(proc, "pid", None)
            if not pid:
                continue
            try:  # the kernel is a session leader (start_new_session): kill its whole group
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


_ENGINE_NAME = "belthaw"
_engine_lock = threading.Lock()
_engine_registered = False


def _register_engine() -> None:
    """Register papermill engine 'belthaw': nbclient, with per-notebook kernel env/cwd,
    immediate kernel shutdown, kernel tracking for Ctrl-C and dead-kernel cell reporting."""
    global _engine_registered
    with _engine_lock:
        if _engine_registered:
            return
        from jupyter_core.utils import run_sync
        from nbclient.exceptions import DeadKernelError
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NBClientEngine, papermill_engines
        from papermill.log import logger
        from papermill.utils import merge_kwargs, remove_args

        class _Client(PapermillNotebookClient):
            current_cell: int | None = None
            kernels: _Kernels | None = None
            ipc_prefix: str | None = None

            def create_kernel_manager(self) -> Any:
                # IPC (unix sockets) instead of TCP: no race between kernels started at
                # the same time for the same free port ("Address already in use").
                km = super().create_kernel_manager()
                if self.ipc_prefix:
                    km.transport = "ipc"
                    km.ip = self.ipc_prefix
                return km

            async def async_start_new_kernel(self, **kwargs: Any) -> None:
                if self.kernels is not None and self.kernels.cancelled.is_set():
                    raise _Cancelled()
                await super().async_start_new_kernel(**kwargs)
                if self.kernels is not None:
                    self.kernels.add(self.km)

            async def _async_cleanup_kernel(self) -> None:
                km = self.km
                try:
                    await super()._async_cleanup_kernel()
                finally:
                    if self.kernels is not None and km is not None:
                        self.kernels.discard(km)

            # nbclient's sync wrappers are bound to the base coroutines: re-bind them.
            start_new_kernel = run_sync(async_start_new_kernel)
            _cleanup_kernel = run_sync(_async_cleanup_kernel)

            def execute_cell(self, cell: Any, cell_index: int, *a: Any, **kw: Any) -> Any:
                self.current_cell = cell_index
                if self.kernels is not None and self.kernels.cancelled.is_set():
                    raise _Cancelled()
                return super().execute_cell(cell, cell_index, *a, **kw)

        class BelthawEngine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(
                cls,
                nb_man: Any,
                kernel_name: str,
                log_output: bool = False,
                stdout_file: Any = None,
                stderr_file: Any = None,
                start_timeout: int = 60,
                execution_timeout: int | None = None,
                kernel_start: dict[str, Any] | None = None,
                kernels: _Kernels | None = None,
                **kwargs: Any,
            ) -> Any:
                kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
                final = merge_kwargs(
                    kwargs,
                    timeout=execution_timeout,
                    startup_timeout=start_timeout,
                    kernel_name=kernel_name,
                    log=logger,
                    log_output=log_output,
                    stdout_file=stdout_file,
                    stderr_file=stderr_file,
                    shutdown_kernel="immediate",
                )
                client = _Client(nb_man, **final)
                client.kernels = kernels
                ipc_dir = tempfile.mkdtemp(prefix="belthaw-")  # short: socket paths <= 107
                client.ipc_prefix = os.path.join(ipc_dir, "k")
                try:
                    return client.execute(**(kernel_start or {}))
                except DeadKernelError as exc:
                    raise _KernelDied(client.current_cell, str(exc) or "kernel died") from None
                finally:
                    shutil.rmtree(ipc_dir, ignore_errors=True)

        papermill_engines.register(_ENGINE_NAME, BelthawEngine)
        _engine_registered = True


def _source_cell_index(nb_path: Path, index: int) -> int:
    """Cell index during execution -> index in the source notebook.

    papermill inserts an ``injected-parameters`` cell right after the cell
    tagged ``parameters`` (or at the top when there is none).
    """
    cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
    tagged = [
        i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    injected_at = tagged[0] + 1 if tagged else 0
    return index - 1 if index > injected_at else index


def _first_line(src: str) -> str:
    for line in src.splitlines():
        if line.strip():
            return line.strip()[:60]
    return ""


def _execute_one(
    layout: _Layout,
    set_name: str,
    name: str,
    nb_path: Path,
    params: dict[str, Any],
    kernels: _Kernels,
) -> NotebookResult:
    """Run one notebook with papermill; never raises for notebook errors."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _register_engine()
    executed = layout.executed(set_name, name)
    executed.parent.mkdir(parents=True, exist_ok=True)
    outputs_file = layout.outputs_file(set_name, name)
    outputs_file.parent.mkdir(parents=True, exist_ok=True)
    outputs_file.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update(
        {
            OUTPUTS_ENV: str(outputs_file.resolve()),
            "BELTHAW_FIGURES_DIR": str(layout.figures_dir.resolve()),
            "BELTHAW_BUILD_DIR": str(layout.build_dir.resolve()),
            "BELTHAW_DATA_DIR": str(layout.data_dir.resolve()),
            "BELTHAW_SET": set_name,
            "BELTHAW_NOTEBOOK": name,
        }
    )
    env.setdefault("PYTHONHASHSEED", "0")
    log_path = executed.with_suffix(".log")
    result = NotebookResult(name, "ok", executed=executed)
    t0 = time.perf_counter()
    with open(log_path, "wb") as kernel_log:
        try:
            pm.execute_notebook(
                str(nb_path),
                str(executed),
                parameters=params,
                engine_name=_ENGINE_NAME,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                # cwd is set on the kernel (kernel_start), not via papermill's
                # process-wide chdir, which is not thread-safe.
                kernel_start={
                    "cwd": str(layout.notebooks_dir.resolve()),
                    "env": env,
                    "stdout": kernel_log,
                    "stderr": kernel_log,
                },
                kernels=kernels,
            )
        except PapermillExecutionError as exc:
            result.status = "failed"
            result.ename, result.evalue = exc.ename, exc.evalue
            result.cell_source = _first_line(exc.source)
            result.cell_index = _source_cell_index(nb_path, exc.cell_index)
        except _KernelDied as exc:
            result.status = "failed"
            result.ename, result.evalue = "DeadKernelError", f"{exc} (kernel log: {log_path})"
            if exc.cell_index is not None:
                result.cell_index = _source_cell_index(nb_path, exc.cell_index)
                cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
                if 0 <= result.cell_index < len(cells):
                    src = cells[result.cell_index].get("source", "")
                    result.cell_source = _first_line("".join(src))
        except _Cancelled:
            result.status = "cancelled"
        except Exception as exc:  # noqa: BLE001 - kernel start failures etc.
            result.status = "cancelled" if kernels.cancelled.is_set() else "failed"
            result.ename, result.evalue = type(exc).__name__, str(exc)
    if kernels.cancelled.is_set() and result.status == "failed":
        result.status = "cancelled"
    result.duration = time.perf_counter() - t0
    if result.status == "ok":
        recorded = _read_json(outputs_file, [])
        result.outputs = [Path(p) for p in recorded]
    return result


# --------------------------------------------------------------------------- progress


class _Progress:
    """Live line on a TTY; plain ``[2/5] name ok 3.1s`` lines otherwise."""

    def __init__(self, total: int, log: Callable[[str], Any], live: bool):
        self.total, self.log, self.live = total, log, live
        self.done = 0
        self.running: dict[str, float] = {}
        self.t0 = time.perf_counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if live:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _status(self) -> str:
        names = ", ".join(self.running) or "-"
        return f"[{self.done}/{self.total}] running: {names}  {time.perf_counter() - self.t0:5.1f}s"

    def _draw(self) -> None:
        cols = 100
        try:
            cols = os.get_terminal_size().columns
        except OSError:
            pass
        sys.stdout.write("\r\x1b[2K" + self._status()[: cols - 1])
        sys.stdout.flush()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            with self._lock:
                self._draw()

    def start(self, name: str) -> None:
        with self._lock:
            self.running[name] = time.perf_counter()
            if self.live:
                self._draw()

    def finish(self, r: NotebookResult) -> None:
        with self._lock:
            self.running.pop(r.name, None)
            self.done += 1
            word = {"ok": "ok", "failed": "FAILED", "cancelled": "cancelled"}.get(r.status)
            line = f"[{self.done}/{self.total}] {r.name} {word} {r.duration:.1f}s"
            if r.status == "failed":
                line += f"  ({r.ename}: {r.evalue})".replace("\n", " ")[:200]
            if self.live:
                sys.stdout.write("\r\x1b[2K")
            self.log(line)
            if self.live:
                self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        if self.live:
            sys.stdout.write("\r\x1b[2K")
            sys.stdout.flush()


# --------------------------------------------------------------------------- run


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
    parse: Callable[[Path], dict[str, ParamSpec]] | None = None,
) -> tuple[dict[str, dict[str, ParamSpec]], dict[str, dict[str, Any]]]:
    """Specs and fully resolved, checked parameters of each notebook.

    ``parse`` reads one notebook's specs (default :func:`notebook_params`; :func:`run`
    passes a memoised version). Raises one :class:`ParameterError` listing the problems
    of every notebook.
    """
    parse = parse or notebook_params
    specs: dict[str, dict[str, ParamSpec]] = {}
    resolved: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    problems_all: list[tuple[str, str]] = []
    for n in names:
        try:
            specs[n] = parse(available[n])
        except ParameterError as exc:
            errors.append(str(exc))
            problems_all += getattr(exc, "problems", [(exc.parameter, str(exc))])
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
            errors.append(f"-p/-y: parameter '{p}': {msg}")
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
            resolved[n] = coerce_and_check(n, spec, values)
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
) -> RunResult:
    """Execute ``notebooks`` (default: all) of parameter set ``set_name``.

    ``overrides`` (``{param: value}``, values typed or strings, or
    ``{notebook: {param: value}}``) make this a one-off run written to set
    ``adhoc``. Unchanged notebooks are skipped unless ``force``. Parameter and
    ``params.yaml`` problems raise :class:`ParameterError` before any kernel
    starts; failing notebooks are reported in the result, never raised.
    ``KeyboardInterrupt`` kills the running kernels and is re-raised.
    The ``*_dir``/``params_file`` arguments default to :mod:`belthaw.paths`.
    """
    t0 = time.perf_counter()
    layout = _layout(notebooks_dir, figures_dir, build_dir, params_file, data_dir)
    available = discover_notebooks(layout.notebooks_dir)
    names = _select(notebooks, available)
    tables = sorted({*paths.TABLES, *(p.stem for p in layout.data_dir.glob("*.csv"))})
    sets = load_param_sets(layout.params_file, available, tables)
    if set_name == ADHOC_SET and not overrides:
        raise ParameterError("belthaw run", "--set", "the 'adhoc' set takes -p/-y overrides")
    sets.values_for(set_name, "", [])  # unknown set -> error now
    output_set = ADHOC_SET if overrides else set_name
    hasher = _Hasher()
    new_memos: dict[Path, Any] = {}
    specs, resolved = resolve_parameters(
        names,
        available,
        sets,
        set_name,
        overrides,
        output_set,
        parse=lambda p: _cached_notebook_params(layout, p, hasher, new_memos),
    )
    for memo, record in new_memos.items():
        try:
            _write_json(memo, record)
        except OSError:  # a read-only build folder only costs the next run the parse
            pass

    todo: list[tuple[str, dict[str, str], str]] = []
    result = RunResult(output_set)
    by_name: dict[str, NotebookResult] = {}
    for n in names:
        inputs = _inputs(layout, available[n], resolved[n], sets.reads.get(n), hasher)
        reason = (
            "--force" if force else _stale_reason(layout, layout.manifest(output_set, n), inputs)
        )
        if reason is None:
            by_name[n] = NotebookResult(
                n, "cached", executed=layout.executed(output_set, n), reason="up to date"
            )
        else:
            todo.append((n, inputs, reason))
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
            f"'{output_set}' ({min(jobs, len(todo))} at a time)"
        )
    progress = _Progress(len(todo), log, live)

    def work(n: str, inputs: dict[str, str], reason: str) -> NotebookResult:
        if kernels.cancelled.is_set():
            return NotebookResult(n, "cancelled")
        progress.start(n)
        r = _execute_one(layout, output_set, n, available[n], resolved[n], kernels)
        r.reason = reason
        manifest = layout.manifest(output_set, n)
        if r.status == "ok":
            outputs = {layout.rel(p): _sha256_file(p) for p in r.outputs if p.exists()}
            _write_json(
                manifest,
                {
                    "notebook": n,
                    "set": output_set,
                    "key": _key(inputs),
                    "inputs": inputs,
                    "parameters": resolved[n],
                    "duration": round(r.duration, 3),
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
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


def _write_figure_index(folder: Path, set_name: str, log: Callable[[str], Any]) -> None:
    """Rewrite the folder's figures index once, after every notebook has saved.

    Done here rather than in each notebook: notebooks run in parallel, and the
    last one to write the index could otherwise miss a sibling's figure.
    """
    if not any(folder.glob("*.md")):
        return
    from .save import write_index

    try:
        write_index(folder, set_name)
    except Exception as exc:  # the figures are written; a broken index must not fail the run
        log(f"warning: could not write {folder / 'README.md'}: {exc}")


def _summary(result: RunResult, log: Callable[[str], Any]) -> None:
    ok = sum(r.status == "ok" for r in result.results)
    parts = [f"{ok} ran"]
    if result.failed:
        parts.append(f"{len(result.failed)} failed")
    if result.cached:
        parts.append(f"{len(result.cached)} up to date")
    cancelled = sum(r.status == "cancelled" for r in result.results)
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    log(f"set '{result.set_name}': {', '.join(parts)} in {result.elapsed:.1f}s")
    if result.failed:
        log("failed notebooks:")
        for r in result.failed:
            log(f"  - {r.error_line()}")
            if r.executed:
                log(f"    executed notebook: {r.executed}")


# --------------------------------------------------------------------------- --list


def list_notebooks(
    *,
    notebooks_dir: Path | str | None = None,
    params_file: Path | str | None = None,
    data_dir: Path | str | None = None,
    log: Callable[[str], Any] = print,
) -> None:
    """Print the notebooks, the parameter sets and every notebook's parameters."""
    layout = _layout(notebooks_dir, None, None, params_file, data_dir)
    available = discover_notebooks(layout.notebooks_dir)
    sets = load_param_sets(layout.params_file, available)
    log(f"notebooks ({layout.notebooks_dir}):")
    for n, p in available.items():
        reads = sets.reads.get(n)
        log(f"  {n}" + (f"  reads: {', '.join(reads)}" if reads else ""))
        try:
            specs = notebook_params(p)
        except ParameterError as exc:
            log(f"      ! {exc}")
            continue
        for s in specs.values():
            log(f"      {s.describe()}")
    log("parameter sets:")
    for s in sets.set_names:
        where = "figures/" if s == "default" else f"figures/{s}/"
        values = sets.sets.get(s, {})
        desc = "; ".join(f"{k}: {json.dumps(v, default=str)}" for k, v in values.items() if v)
        log(f"  {s} -> {where}" + (f"  ({desc})" if desc else ""))
    log(f"  {ADHOC_SET} -> figures/{ADHOC_SET}/  (one-off -p/-y runs, git-ignored)")


# --------------------------------------------------------------------------- CLI


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
        )
    except KeyboardInterrupt:
        print("belthaw run: interrupted", file=sys.stderr)
        return 130
    except BelthawError as exc:
        print(f"belthaw run: {exc}", file=sys.stderr)
        return 2
    return result.exit_code


def _read_override_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsFileError(path, "", "file not found") from None
    except yaml.YAMLError as exc:
        raise ParamsFileError(path, "", f"not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ParamsFileError(path, "(top level)", "expected a mapping {name: value}")
    return dict(data)


if __name__ == "__main__":  # pragma: no cover - `python -m belthaw.runner run ...`
    argv = sys.argv[1:]
    if argv[:1] == ["run"]:
        argv = argv[1:]
    sys.exit(cli_run(argv))
