"""Interrupted runs: Ctrl-C stops ``belthaw run`` cleanly with every figure whole; a cell
stuck in a loop is stopped and named.

(These test the runner; an interrupted save is tested in test_figure_files.py and
test_figure_save.py through ``figure_problems``.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import minidata
from belthaw.errors import ParameterError
from belthaw.figure import files
from belthaw.parameters import Param

pytestmark = pytest.mark.slow  # belthaw run as a subprocess, killed and timed out

BELTHAW = str(Path(sys.executable).with_name("belthaw"))


# --------------------------------------------------------------------------- Ctrl-C of a run


def test_ctrl_c_stops_belthaw_run_with_130_and_no_half_written_figure(tmp_path):
    data = minidata.write(tmp_path / "data")
    figures, build = tmp_path / "figures", tmp_path / "build"
    env = {
        **os.environ,
        "BELTHAW_DATA_DIR": str(data),
        "BELTHAW_FIGURES_DIR": str(figures),
        "BELTHAW_BUILD_DIR": str(build),
        "BELTHAW_TODAY": "2026-01-15",
    }
    env.pop(files.OUTPUTS_ENV, None)
    proc = subprocess.Popen(
        [BELTHAW, "run", "--force", "-j", "2", "01", "03"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Interrupt once the first figure file exists: kernels are then saving.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if figures.is_dir() and any(p.suffix == ".png" for p in figures.iterdir()):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err and "Traceback" not in err
    time.sleep(1.5)  # killed kernels notice their parent is gone within a second
    files.sweep_temp_files(figures, max_age_s=-1)  # what the next run's sweep removes
    assert [p.name for p in figures.iterdir() if p.name.startswith(files.TMP_PREFIX)] == []
    for record in figures.glob("*.json"):  # a figure with a record is whole
        assert files.figure_problems(figures, record.stem) == [], record.stem


# --------------------------------------------------------------------------- cell time limit

DECLARED = {"01_stuck": (Param("nap", int, 30, "seconds to sleep", minimum=0, maximum=3600),)}


def _notebook(path: Path, cells: list[tuple[str, list[str]]]) -> Path:
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}",
             "metadata": {"tags": tags}, "outputs": [], "source": src}
            for i, (src, tags) in enumerate(cells)
        ],  # fmt: skip
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _run_forced(tmp_path: Path, declared, **options):
    """``belthaw run --force`` of ``tmp_path/notebooks`` on the small data: (result, lines)."""
    from belthaw.run.runner import run

    lines: list[str] = []
    result = run(
        notebooks_dir=tmp_path / "notebooks", figures_dir=tmp_path / "figures",
        build_dir=tmp_path / "build", params_file=tmp_path / "notebooks" / "params.yaml",
        data_dir=minidata.write(tmp_path / "data"), declared=declared, log=lines.append,
        force=True, **options,
    )  # fmt: skip
    return result, lines


def test_cell_timeout_stops_a_stuck_cell_and_names_notebook_and_cell(tmp_path):

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    params_cell = "\n".join(p.cell_line() for p in DECLARED["01_stuck"])
    _notebook(
        nbdir / "01_stuck.ipynb",
        [
            (params_cell, ["parameters"]),
            ("import time", []),
            ("time.sleep(nap)  # stuck", []),
            ("print('never')", []),
        ],
    )
    result, lines = _run_forced(tmp_path, DECLARED, cell_timeout=2)
    r = result["01_stuck"]
    assert r.status == "failed" and r.ename == "CellTimeout"
    assert r.cell_index == 2 and r.cell_source == "time.sleep(nap)  # stuck"
    text = "\n".join(lines)
    assert "01_stuck: failed in cell 2" in text and "longer than 2 s" in text
    assert result.exit_code == 1


def test_cell_timeout_out_of_range_is_refused(tmp_path):
    from belthaw.run.runner import run

    with pytest.raises(ParameterError, match="--cell-timeout"):
        run(notebooks_dir=tmp_path, declared=DECLARED, cell_timeout=0)


# --------------------------------------------------------------------------- a killed worker

DECLARED_KILLED = {"01_killed": (Param("n", int, 1, "unused", minimum=0, maximum=9),)}


def test_a_worker_killed_from_outside_fails_its_notebook_instead_of_hanging(tmp_path):

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    params_cell = "\n".join(p.cell_line() for p in DECLARED_KILLED["01_killed"])
    # The kernel's parent is the worker process: what the out-of-memory killer might take.
    kill = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nimport time; time.sleep(30)"
    _notebook(nbdir / "01_killed.ipynb", [(params_cell, ["parameters"]), (kill, [])])
    result, lines = _run_forced(tmp_path, DECLARED_KILLED)
    r = result["01_killed"]
    assert r.status == "failed" and r.ename == "WorkerDied", lines
    assert "killed before this notebook finished" in "\n".join(lines)
    assert result.exit_code == 1
