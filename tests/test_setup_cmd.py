"""Installing (belthaw.setup_cmd, the Makefile): UTF-8 mode for every Python the install starts,
and the nbstripout git filter that keeps notebook outputs out of commits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from belthaw import setup_cmd

ROOT = Path(__file__).resolve().parents[1]
NBSTRIPOUT = Path(sys.executable).with_name("nbstripout")


def test_setup_runs_its_commands_in_utf8_mode(monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    env = setup_cmd.install_env()
    out = subprocess.run([sys.executable, "-c", "import sys; print(sys.flags.utf8_mode)"],
                         env=env, capture_output=True, text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == "1"


def test_make_exports_utf8_mode(tmp_path):
    (tmp_path / "probe.mk").write_text("include Makefile\nprobe:\n\t@echo utf8=$$PYTHONUTF8\n")
    out = subprocess.run(["make", "-s", "-f", str(tmp_path / "probe.mk"), "probe"], cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    assert "utf8=1" in out.stdout, out.stderr


@pytest.mark.slow
def test_the_git_filter_keeps_outputs_out_of_commits(tmp_path):
    repo = tmp_path / "clone"
    repo.mkdir()
    shutil.copy(ROOT / "Makefile", repo)
    shutil.copy(ROOT / ".gitattributes", repo)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    made = subprocess.run(["make", "-s", "nbstripout", f"BIN={NBSTRIPOUT.parent}"], cwd=repo,
                          capture_output=True, text=True)  # fmt: skip
    assert "installed" in made.stdout, made.stdout + made.stderr
    assert (repo / ".gitattributes").read_text() == (ROOT / ".gitattributes").read_text()
    nb = {"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "source": "print(1)",
                     "execution_count": 3, "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (repo / "01_x.ipynb").write_text(json.dumps(nb))
    subprocess.run([*git, "add", "01_x.ipynb"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    committed = json.loads(subprocess.run([*git, "show", "HEAD:01_x.ipynb"], capture_output=True,
                                          text=True, check=True).stdout)  # fmt: skip
    cell = committed["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None and "".join(cell["source"]) == "print(1)"  # fmt: skip
