"""The workbook's errors (belthaw.errors): one sentence in IPython and papermill, not a
traceback; file-system errors that name the path and what to do."""

from __future__ import annotations

import errno
import json

import pytest

from belthaw.errors import BelthawError, DataError, FileSystemError, ParameterError, Problem


@pytest.mark.parametrize(
    "exc,line",
    [
        (ParameterError("01_releases", "size", "'a3' is not allowed"),
         "ParameterError: 01_releases: parameter 'size': 'a3' is not allowed"),
        (BelthawError("could not write to figures/"), "BelthawError: could not write to figures/"),
        (DataError([Problem("events.csv", 3, "date", "not a date")]),
         "DataError: 1 error in the data package:\n  - events.csv, line 3, column 'date': not a date"),
    ],
)  # fmt: skip
def test_render_traceback_is_the_sentence_alone(exc, line):
    assert exc._render_traceback_() == [line]


def test_ipython_shows_the_sentence_without_a_traceback(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell(
        "from belthaw.errors import ParameterError\n"
        "def check():\n    raise ParameterError('01_releases', 'size', 'not a size')\n"
        "check()"
    )
    out = capsys.readouterr().out
    assert out.strip() == "ParameterError: 01_releases: parameter 'size': not a size"


@pytest.mark.notebooks
def test_papermill_reports_the_sentence_alone(tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    code = "from belthaw.errors import ParameterError\nraise ParameterError('nb', 'size', 'not a size')"  # fmt: skip
    nb = {"cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "source": code, "outputs": [],
                     "execution_count": None}],
          "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}},
          "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "in.ipynb").write_text(json.dumps(nb))
    with pytest.raises(PapermillExecutionError) as exc:
        papermill.execute_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb",
                                   kernel_name="python3", progress_bar=False)  # fmt: skip
    assert exc.value.traceback == ["ParameterError: nb: parameter 'size': not a size"]


@pytest.mark.parametrize(
    "code,advice",
    [
        (errno.ENOSPC, "free some disk space"),
        (errno.EACCES, "check the folder's permissions"),
        (errno.EROFS, "the disk is read-only"),
        (errno.ENOTDIR, "a file stands where a folder is needed"),
        (errno.EIO, "check the path and the disk"),
    ],
)
def test_file_system_errors_name_the_path_and_what_to_do(code, advice):
    exc = OSError(code, "strerror text", "/work/figures/x.png")
    message = str(FileSystemError(exc))
    assert message.startswith("/work/figures/x.png: strerror text; ") and advice in message
    assert str(FileSystemError(exc, "build/")).startswith("build/: ")
    assert "\n" not in message
