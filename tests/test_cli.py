"""The ``belthaw`` command (belthaw.cli): a closed pipe ends any command quietly; a
file-system error is one line naming the path and what to do."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import belthaw.data
import minidata
from belthaw import cli


@pytest.mark.parametrize("args", [["validate"], ["summary"], ["run", "--list"]])
def test_a_closed_pipe_ends_every_command_quietly(tmp_path, args):
    """``belthaw validate | head -1``: the reader goes away before the command writes."""
    env = {**os.environ, "BELTHAW_DATA_DIR": str(minidata.write(tmp_path / "data"))}
    proc = subprocess.Popen([sys.executable, "-m", "belthaw", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)  # fmt: skip
    proc.stdout.close()  # as `head` does once it has its line
    err = proc.communicate(timeout=120)[1].decode()
    assert err == "" and proc.returncode == cli.EXIT_BROKEN_PIPE


@pytest.mark.parametrize(
    "exc,expected",
    [
        (PermissionError(13, "Permission denied", "/srv/data/events.csv"),
         "belthaw validate: /srv/data/events.csv: Permission denied; check the folder's permissions"),
        (OSError(28, "No space left on device", "/srv/build"),
         "belthaw validate: /srv/build: No space left on device; free some disk space"),
    ],
)  # fmt: skip
def test_a_file_system_error_is_one_line(monkeypatch, capsys, exc, expected):
    def fail(*a, **kw):
        raise exc

    monkeypatch.setattr(belthaw.data, "validate", fail)
    assert cli.main(["validate"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1


def test_validate_and_summary_on_a_small_package(tmp_path, capsys):
    data = minidata.write(tmp_path / "data")
    assert cli.main(["validate", "--data-dir", str(data)]) == 0
    assert "OK: 0 error(s)" in capsys.readouterr().out
    assert cli.main(["summary", "--data-dir", str(data)]) == 0
    assert "events by kind:" in capsys.readouterr().out
