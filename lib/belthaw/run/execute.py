"""The worker processes of ``belthaw run``: each executes one notebook at a time with
``papermill.execute_notebook``.

Processes, not threads: papermill's ``cwd`` and the kernel's environment (which notebook,
where its list of outputs goes) belong to a process. The kernels' own output goes to a log
file, not the terminal. Ctrl-C reaches the runner alone, which terminates the workers; each
kernel then sees its parent gone and exits within a second (ipykernel polls for that).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

#: The kernel the notebooks name (``make install`` registers it).
KERNEL_NAME = "belthaw"
#: Kernel starts tried before a notebook fails. A kernel dies before its first reply when
#: another program takes one of its ports between jupyter_client choosing the five and the
#: kernel binding them; with two notebooks (or two runs) starting at once that happens now
#: and then, and a second start picks new ports.
KERNEL_START_TRIES = 3


def run_all(jobs: list[dict[str, Any]], n: int, log: Path, done: Callable[[int, dict], Any]):
    """``done(index, answer)`` for each job as it finishes, ``n`` at a time, started in job
    order. On Ctrl-C or any error the workers are terminated and it is re-raised."""
    log.write_bytes(b"")
    # concurrent.futures, not multiprocessing.Pool: a worker killed from outside (say by
    # the out-of-memory killer) fails its notebook instead of leaving the run waiting.
    pool = ProcessPoolExecutor(n, initializer=_start_worker, initargs=(str(log),))
    try:
        futures = {pool.submit(execute, job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            try:
                answer = future.result()
            except BrokenProcessPool:
                # One dead worker breaks the pool: the notebooks still queued or running
                # in the other worker are stopped too, and are reported the same way.
                answer = {"status": "failed", "ename": "WorkerDied", "duration": 0.0,
                          "evalue": "a worker process of this run was killed before this "
                          "notebook finished; run it again"}  # fmt: skip
            done(futures[future], answer)
    except BaseException:
        for child in multiprocessing.active_children():
            child.terminate()
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _start_worker(log: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner's to handle
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    for stream in (1, 2):  # the kernels inherit fds 1 and 2: keep them off the terminal
        os.dup2(fd, stream)


@functools.cache
def kernel_name() -> str:
    """``belthaw`` when that kernel runs this interpreter, else this interpreter's ``python3``
    (so a ``belthaw`` kernel another clone registered never runs our notebooks)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        exe = KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0]
        if os.path.exists(exe) and os.path.samefile(exe, sys.executable):
            return KERNEL_NAME
    except (NoSuchKernel, OSError, IndexError):
        pass
    return "python3"


def execute(job: dict[str, Any]) -> dict[str, Any]:
    """Run one job: ``path`` (executed in place), ``parameters``, ``cwd``, ``env``, ``timeout``.

    Returns ``status`` ("ok" or "failed"), ``duration`` and, on failure, ``ename``,
    ``evalue`` and ``cell`` (the index of the failing cell in the executed notebook).
    """
    # Imported in the worker only (about 1 s): the runner itself never loads papermill.
    import papermill
    from nbclient.exceptions import CellTimeoutError

    os.environ.update(job["env"])  # every job sets the same variables
    started: dict[str, int] = {}
    answer: dict[str, Any] = {"status": "ok"}
    t0 = time.perf_counter()
    for attempt in range(1, KERNEL_START_TRIES + 1):
        try:
            papermill.execute_notebook(
                job["path"], job["path"], parameters=job["parameters"], kernel_name=kernel_name(),
                cwd=job["cwd"], execution_timeout=job["timeout"], progress_bar=False,
                # nbclient options, passed through by papermill: which cell runs; no wait at the end
                on_cell_start=lambda cell, cell_index: started.update(cell=cell_index),
                shutdown_kernel="immediate",
            )  # fmt: skip
        except CellTimeoutError:
            answer.update(status="failed", ename="CellTimeout", cell=started.get("cell"),
                          evalue=f"a cell ran longer than {job['timeout']} s and was stopped "
                          "(raise --cell-timeout if it is expected to be slow)")  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - a cell's error, a dead kernel, no kernel: it failed
            if not started and attempt < KERNEL_START_TRIES and _kernel_died_starting(exc):
                continue  # nothing ran yet: papermill replaces its parameters cell on a rerun
            answer.update(status="failed", ename=getattr(exc, "ename", type(exc).__name__),
                          evalue=getattr(exc, "evalue", str(exc)),
                          cell=getattr(exc, "cell_index", started.get("cell")))  # fmt: skip
        break
    answer["duration"] = time.perf_counter() - t0
    return answer


def _kernel_died_starting(exc: BaseException) -> bool:
    return isinstance(exc, RuntimeError) and "died before replying to kernel_info" in str(exc)
