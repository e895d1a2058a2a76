"""belthaw.run.execute: one notebook through papermill in a worker, with a real kernel.

The kernel here is a registered kernel spec whose launcher exits before the kernel binds
its ports the first ``N`` times it is started (as a kernel does when another program took
one of its ports), then starts ipykernel.
"""

from __future__ import annotations

import json
import sys

import nbformat
import pytest

from belthaw.run import execute

pytestmark = pytest.mark.notebooks

LAUNCHER = """\
import pathlib, sys
count = pathlib.Path({count!r})
n = int(count.read_text()) if count.exists() else 0
count.write_text(str(n + 1))
if n < {failures}:
    sys.exit(1)  # dead before its first reply
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def _job(tmp_path, monkeypatch, failures: int) -> tuple[dict, object]:
    count = tmp_path / "starts.txt"
    spec = tmp_path / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (spec / "launch.py").write_text(LAUNCHER.format(count=str(count), failures=failures))
    argv = [sys.executable, str(spec / "launch.py"), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "flaky", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setattr(execute, "kernel_name", lambda: "flaky")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("answer = 6 * 7\nprint(answer)")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    job = {"path": str(path), "parameters": {}, "cwd": str(tmp_path), "env": {}, "timeout": 60}
    return job, count


@pytest.mark.parametrize("failures", [0, 1, execute.KERNEL_START_TRIES - 1])
def test_a_kernel_that_dies_starting_is_started_again(tmp_path, monkeypatch, failures):
    job, count = _job(tmp_path, monkeypatch, failures)
    answer = execute.execute(job)
    assert answer["status"] == "ok", answer
    assert int(count.read_text()) == failures + 1
    out = nbformat.read(job["path"], as_version=4).cells[-1].outputs
    assert out[0]["text"] == "42\n"  # the cell ran once, in the kernel that started


def test_a_kernel_that_never_starts_fails_the_notebook_after_the_tries(tmp_path, monkeypatch):
    job, count = _job(tmp_path, monkeypatch, failures=99)
    answer = execute.execute(job)
    assert answer["status"] == "failed"
    assert "died before replying to kernel_info" in answer["evalue"]
    assert answer.get("cell") is None  # no cell ran: the runner says "kernel start"
    assert int(count.read_text()) == execute.KERNEL_START_TRIES
