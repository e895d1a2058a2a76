"""The worker processes of ``belthaw run``: each executes notebooks with
``papermill.execute_notebook``, one at a time (``python -c WORKER LOG``; not ``-m``: the
package has imported this module already).

A process per worker, not a thread: papermill's ``cwd`` and the kernel's environment (which
notebook, where its list of outputs goes) belong to a process. The runner (:class:`Workers`)
sends one job per line (JSON) on the worker's stdin and reads one answer per line; the
kernels' own output goes to ``LOG``. Workers have their own process group, so the
terminal's Ctrl-C reaches the runner alone, which kills them; each kernel then sees its
parent gone and exits within a second (ipykernel polls for that).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: The kernel the notebooks name (``make install`` registers it).
KERNEL_NAME = "belthaw"
#: How a worker starts: ``python -c WORKER LOG``.
WORKER = "import sys; from belthaw.run.execute import main; sys.exit(main(sys.argv[1:]))"
_OWN_GROUP: dict[str, Any] = (
    {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt" else {"start_new_session": True}
)  # fmt: skip


class Workers:
    """Up to ``jobs`` worker processes of one run, fed from one queue; :meth:`kill` stops them."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.stopped = threading.Event()
        self._procs: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen | None:
        with self._lock:
            if self.stopped.is_set():
                return None
            log = self.log_dir / f"worker-{len(self._procs) + 1}.log"
            proc = subprocess.Popen([sys.executable, "-c", WORKER, str(log)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                    encoding="utf-8", **_OWN_GROUP)  # fmt: skip
            self._procs.append(proc)
            return proc

    def kill(self) -> None:
        with self._lock:
            self.stopped.set()
            for proc in self._procs:
                if proc.poll() is None:
                    proc.kill()

    def _ask(self, proc: subprocess.Popen | None, message: dict[str, Any]) -> dict[str, Any] | None:
        """The worker's answer; None when the run was stopped, a failure when the worker died."""
        try:
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()
            return json.loads(proc.stdout.readline())
        except (OSError, ValueError, AttributeError):
            if self.stopped.is_set():
                return None
            return {"status": "failed", "duration": 0.0, "ename": "WorkerDied",
                    "evalue": f"the worker process stopped (its log: {self.log_dir})"}  # fmt: skip

    def _feed(self, todo: queue.SimpleQueue, message, record, errors: list) -> None:
        proc = None
        try:
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                answer = None
                if not self.stopped.is_set():
                    if proc is None or proc.poll() is not None:
                        proc = self._start()
                    answer = self._ask(proc, message(job))
                record(job, answer)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the main thread
            errors.append(exc)
            self.kill()
        finally:
            if proc is not None:
                proc.stdin.close()
                proc.wait()

    def run(self, jobs: Sequence[Any], n: int, message: Callable, record: Callable) -> dict:
        """``record(job, answer)`` for every job, ``message(job)`` being what its worker gets;
        ``{job.name: record's result}``. On Ctrl-C or any error: kill the workers, re-raise."""
        todo: queue.SimpleQueue = queue.SimpleQueue()
        for job in jobs:
            todo.put(job)
        results: dict[str, Any] = {}
        errors: list[BaseException] = []

        def keep(job: Any, answer: dict[str, Any] | None) -> None:
            results[job.name] = record(job, answer)

        threads = [threading.Thread(target=self._feed, args=(todo, message, keep, errors), daemon=True)
                   for _ in range(min(n, len(jobs)))]  # fmt: skip
        for t in threads:
            t.start()
        try:
            for t in threads:
                while t.is_alive():
                    t.join(0.2)
        except BaseException:
            self.kill()
            for t in threads:
                t.join()
            raise
        if errors:
            raise errors[0]
        return results


# -- the worker side ----------------------------------------------------------------------------


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


def execute(job: dict[str, Any], kernel: str) -> dict[str, Any]:
    """Run one job: ``path`` (executed in place), ``parameters``, ``cwd``, ``env``, ``timeout``.

    Returns ``status`` ("ok" or "failed"), ``duration`` and, on failure, ``ename``,
    ``evalue`` and ``cell`` (the index of the failing cell in the executed notebook).
    """
    # Imported in the worker only (about 1 s): the runner itself never loads papermill.
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started: dict[str, int] = {}
    saved = {k: os.environ.get(k) for k in job["env"]}
    os.environ.update(job["env"])
    answer: dict[str, Any] = {"status": "failed", "cell": None}
    t0 = time.perf_counter()
    try:
        papermill.execute_notebook(
            job["path"], job["path"], parameters=job["parameters"], kernel_name=kernel,
            cwd=job["cwd"], execution_timeout=job["timeout"], progress_bar=False,
            # nbclient options, passed through by papermill: which cell runs; no wait at the end
            on_cell_start=lambda cell, cell_index: started.update(cell=cell_index),
            shutdown_kernel="immediate",
        )  # fmt: skip
        answer["status"] = "ok"
    except PapermillExecutionError as exc:
        answer.update(ename=exc.ename, evalue=exc.evalue, cell=exc.cell_index)
    except CellTimeoutError:
        answer.update(ename="CellTimeout", cell=started.get("cell"),
                      evalue=f"a cell ran longer than {job['timeout']} s and was stopped "
                      "(raise --cell-timeout if it is expected to be slow)")  # fmt: skip
    except DeadKernelError as exc:
        answer.update(ename="DeadKernelError", evalue=str(exc) or "the kernel died",
                      cell=started.get("cell"))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - no kernel, an unwritable build/: the notebook failed
        answer.update(ename=type(exc).__name__, evalue=str(exc), cell=started.get("cell"))
    finally:
        for k, v in saved.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v
    answer["duration"] = time.perf_counter() - t0
    return answer


def main(argv: list[str]) -> int:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    with open(argv[0], "wb") as log:  # the kernels inherit fds 1 and 2: keep them off the pipe
        os.dup2(log.fileno(), sys.stdout.fileno())
        os.dup2(log.fileno(), sys.stderr.fileno())
    logging.getLogger("papermill").setLevel(logging.ERROR)  # the runner reports failures
    kernel = kernel_name()
    for line in sys.stdin:
        answers.write(json.dumps(execute(json.loads(line), kernel)) + "\n")
        answers.flush()
    return 0
