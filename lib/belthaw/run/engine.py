"""Running one notebook: papermill with our engine (kernel tracking, immediate shutdown,
a per-cell time limit, the failing cell named), and the results of a run.

Importing this module is cheap: papermill is imported inside the functions that
execute notebooks, never in a kernel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .layout import _Layout

from ..figure.files import OUTPUTS_ENV
from ..provenance import TODAY_ENV
from .cache import _read_json

#: The kernel the notebooks name (``make install`` registers it); the runner uses it only
#: when it runs this very interpreter, else the interpreter's own ``python3`` kernel, so a
#: user-level ``belthaw`` kernel left by another clone can never run our notebooks.
KERNEL_NAME = "belthaw"
#: A cell running longer than this is stopped and reported (``belthaw run --cell-timeout``).
DEFAULT_CELL_TIMEOUT = 300
MAX_CELL_TIMEOUT = 24 * 3600
#: Prefix of the folder each run's kernel sockets live in (swept when a killed run left one).
KERNEL_DIR_PREFIX = "belthaw-k-"


@dataclass
class NotebookResult:
    """What happened to one notebook."""

    name: str
    status: str  # "ok" | "empty" (ran, drew nothing) | "failed" | "cached" | "cancelled"
    duration: float = 0.0
    cell_index: int | None = None  # index of the failing cell in the source notebook
    cell_source: str = ""  # first line of the failing cell
    ename: str = ""
    evalue: str = ""
    executed: Path | None = None  # build/notebooks/<set>/<name>.ipynb
    outputs: list[Path] = field(default_factory=list)
    reason: str = ""  # why it ran (cache miss reason) or was skipped
    removed: list[Path] = field(default_factory=list)  # stale figure files deleted

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
        return [r for r in self.results if r.status in ("ok", "empty", "failed")]

    @property
    def empty(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status == "empty"]

    @property
    def cached(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status == "cached"]

    @property
    def ok(self) -> bool:
        return all(r.status in ("ok", "cached") for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 all drawn; 1 a notebook failed or was cancelled; 3 a notebook drew nothing."""
        if self.ok:
            return 0
        return 3 if all(r.status in ("ok", "cached", "empty") for r in self.results) else 1

    def __getitem__(self, name: str) -> NotebookResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)


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
                if self.ipc_prefix and os.name != "nt":  # no unix sockets on Windows: tcp
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
                try:
                    return super().execute_cell(cell, cell_index, *a, **kw)
                except Exception as exc:
                    if type(exc).__name__ == "CellTimeoutError":
                        exc._belthaw_cell = cell_index  # type: ignore[attr-defined]
                    raise

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
                ipc_dir = tempfile.mkdtemp(prefix=KERNEL_DIR_PREFIX)  # short: socket paths <= 107
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
    *,
    today,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
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
            TODAY_ENV: f"{today:%Y-%m-%d}",
            # Connection files of killed kernels would pile up in the user's runtime dir.
            "JUPYTER_RUNTIME_DIR": str((layout.build_dir / "runtime").resolve()),
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
                kernel_name=kernel_name(),
                execution_timeout=cell_timeout,
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
        except Exception as exc:  # noqa: BLE001 - kernel start failures, cell time limit
            result.status = "cancelled" if kernels.cancelled.is_set() else "failed"
            result.ename, result.evalue = type(exc).__name__, str(exc)
            if type(exc).__name__ == "CellTimeoutError":
                result.ename = "CellTimeout"
                result.evalue = (
                    f"a cell ran longer than {cell_timeout} s and was stopped "
                    "(raise --cell-timeout if it is expected to be slow)"
                )
                index = getattr(exc, "cell_index", None)
                if index is None:
                    index = _timed_out_cell(exc)
                if index is not None:
                    result.cell_index = _source_cell_index(nb_path, index)
                    cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
                    if 0 <= result.cell_index < len(cells):
                        result.cell_source = _first_line(
                            "".join(cells[result.cell_index].get("source", ""))
                        )
    if kernels.cancelled.is_set() and result.status == "failed":
        result.status = "cancelled"
    result.duration = time.perf_counter() - t0
    if result.status == "ok":
        recorded = _read_json(outputs_file, [])
        result.outputs = [Path(p) for p in recorded]
    return result


def _timed_out_cell(exc: Exception) -> int | None:
    """nbclient's CellTimeoutError carries no index; the executing client remembers it."""
    return getattr(exc, "_belthaw_cell", None)


def sweep_kernel_dirs(max_age_s: float = 3600.0) -> int:
    """Remove kernel socket folders that killed runs left in the temp folder (older than an hour,
    so a run going on in parallel keeps its own)."""
    n = 0
    now = time.time()
    for d in Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}*"):
        try:
            if d.is_dir() and now - d.stat().st_mtime > max_age_s:
                shutil.rmtree(d, ignore_errors=True)
                n += 1
        except OSError:
            pass
    return n


def kernel_name() -> str:
    """``belthaw`` when that kernel runs this interpreter, else this interpreter's ``python3``."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        exe = spec.argv[0]
        if os.path.exists(exe) and os.path.samefile(exe, sys.executable):
            return KERNEL_NAME
    except (ImportError, NoSuchKernel, OSError, IndexError):
        pass
    return "python3"
