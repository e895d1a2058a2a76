"""A worker of ``belthaw run``: executes notebooks with ``papermill.execute_notebook``, one at
a time, in a process of its own (``python -m belthaw.run.execute LOG``).

A process per worker, not a thread: papermill's ``cwd`` and the kernel's environment
(which notebook, where its outputs list goes) belong to a process. The runner sends one
job per line (JSON) on stdin and reads one answer per line; the kernels' own output goes
to ``LOG``. When the runner kills a worker (Ctrl-C), its kernel sees its parent gone and
exits within a second (ipykernel polls for that).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

import papermill
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

#: The kernel the notebooks name (``make install`` registers it).
KERNEL_NAME = "belthaw"


def kernel_name() -> str:
    """``belthaw`` when that kernel runs this interpreter, else this interpreter's ``python3``
    (so a ``belthaw`` kernel another clone registered never runs our notebooks)."""
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
    with open(argv[0], "ab") as log:  # the kernels inherit fds 1 and 2: keep them off the pipe
        os.dup2(log.fileno(), sys.stdout.fileno())
        os.dup2(log.fileno(), sys.stderr.fileno())
    logging.getLogger("papermill").setLevel(logging.ERROR)  # the runner reports failures
    kernel = kernel_name()
    for line in sys.stdin:
        answers.write(json.dumps(execute(json.loads(line), kernel)) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
