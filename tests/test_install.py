"""How the project installs: runtime vs dev split, per-platform locks, the named kernel.

The platform test asks the package index (uv resolves the locks for Linux, macOS and
Windows); the others read files or ask make for its plan (`make -n`), and install nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_env  # noqa: E402
from belthaw import setup_cmd  # noqa: E402

UV = shutil.which("uv", path=str(BIN)) or shutil.which("uv")


def make_plan(target: str, tmp_path: Path) -> str:
    """What `make TARGET` would run for a venv that does not exist yet."""
    proc = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make (Linux/macOS)")
def test_make_run_installs_the_runtime_lock_only(tmp_path):
    plan = make_plan("run", tmp_path)
    assert "-r requirements.lock -e ." in plan
    assert "requirements-dev.lock" not in plan and "[dev]" not in plan
    assert "--no-deps" not in plan  # resolved install: the lock pins every platform
    assert "ipykernel install --sys-prefix --name belthaw" in plan


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make (Linux/macOS)")
def test_make_test_installs_the_dev_lock(tmp_path):
    plan = make_plan("test", tmp_path)
    assert "-r requirements-dev.lock -e '.[dev]'" in plan
    assert "--no-deps" not in plan
    assert "ipykernel install --sys-prefix --name belthaw" in plan


def test_setup_cmd_does_what_make_does(tmp_path):
    venv = tmp_path / "venv"
    rt = setup_cmd.commands(venv, dev=False, user_kernel=True, python="python3")
    dev = setup_cmd.commands(venv, dev=True, user_kernel=False, python="python3")
    assert rt[0] == ["python3", "-m", "venv", str(venv)]
    assert rt[1][-4:] == ["-r", "requirements.lock", "-e", "."]
    assert dev[1][-4:] == ["-r", "requirements-dev.lock", "-e", ".[dev]"]
    assert [c[-1] for c in rt[2:]] == ["--sys-prefix", "--user"]
    assert [c[-1] for c in dev[2:]] == ["--sys-prefix"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"KERNEL      := {setup_cmd.KERNEL}\n" in makefile
    assert f"KERNEL_NAME := {setup_cmd.KERNEL_DISPLAY}\n" in makefile


def test_notebooks_ask_for_the_belthaw_kernel():
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        spec = json.loads(nb.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert spec == {
            "display_name": setup_cmd.KERNEL_DISPLAY,
            "language": "python",
            "name": setup_cmd.KERNEL,
        }, nb.name


def test_the_belthaw_kernel_runs_this_environment():
    """make install registers it inside .venv (--sys-prefix), which wins over a user-level
    kernel of the same name for .venv's Jupyter: notebooks opened there run this Python."""
    from jupyter_client.kernelspec import KernelSpecManager

    ksm = KernelSpecManager()
    spec = ksm.get_kernel_spec(setup_cmd.KERNEL)
    assert os.path.samefile(spec.argv[0], sys.executable), (
        f"kernel 'belthaw' ({ksm.find_kernel_specs()[setup_cmd.KERNEL]}) runs {spec.argv[0]}, "
        f"not {sys.executable}: run `make install`"
    )
    assert spec.display_name == setup_cmd.KERNEL_DISPLAY


# --------------------------------------------------------------------------- platforms

needs_uv = pytest.mark.skipif(UV is None, reason="uv is in the dev lock (make test installs it)")
TARGETS = ("x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc")


@needs_uv
@pytest.mark.hygiene
def test_locks_resolve_on_linux_macos_and_windows():
    """Each lock, resolved by uv for each platform on the oldest and newest supported
    Python (wheels only), gives exactly the lock's lines whose markers hold there.
    `make lock` runs the full check (Intel macOS, Python 3.12 too)."""
    problems = sync_env.check_platforms(UV, platforms=TARGETS, pythons=("3.11", "3.13"))
    assert not problems, "\n".join(problems)


@needs_uv
def test_platform_check_catches_a_linux_only_freeze(tmp_path):
    """The old lock was a Linux `pip freeze`: colorama (tqdm, click on Windows) was missing."""
    lock = tmp_path / "requirements.lock"
    lock.write_text("tqdm==4.67.1\n", encoding="utf-8")
    assert sync_env.check_platform(UV, lock, "x86_64-unknown-linux-gnu", "3.11") == []
    problems = sync_env.check_platform(UV, lock, "x86_64-pc-windows-msvc", "3.11")
    assert len(problems) == 1 and "needs colorama==" in problems[0], problems
