"""The workbook's exceptions, each with a message a user can act on.

A data problem names the file, the line (as a spreadsheet shows it: the header is
line 1) and the column at fault; a :class:`DataError` carries every problem found,
so one run tells a maintainer everything to fix.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass


def quote(value: object) -> str:
    """``repr(value)`` cut to 60 characters, so a pasted essay is quoted back as a prefix."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}… ({len(text)} chars)"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the data: an error (blocks loading) or a warning."""

    file: str
    line: int | None
    column: str | None
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        line = "" if self.line is None else f", line {self.line}"
        column = f", column '{self.column}'" if self.column else ""
        return f"{self.file}{line}{column}: {self.message}"


class BelthawError(Exception):
    """Base class of every error raised on purpose by belthaw.

    Its message is the whole story, so IPython (JupyterLab, papermill's kernels) shows
    that sentence alone instead of a traceback through the library.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class DataError(BelthawError):
    """The data package has errors; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(
            problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.message)
        )
        n = len(self.problems)
        lines = [f"{n} error{'s' if n != 1 else ''} in the data package:"]
        lines += [f"  - {p}" for p in self.problems[:50]]
        if n > 50:
            lines.append(f"  ... and {n - 50} more")
        super().__init__("\n".join(lines))


class ParameterError(BelthawError):
    """A notebook parameter is unknown, of the wrong type, or out of range."""

    def __init__(self, notebook: str, parameter: str, message: str):
        self.notebook, self.parameter = notebook, parameter
        super().__init__(f"{notebook}: parameter '{parameter}': {message}")


class EmptySelectionError(BelthawError):
    """The chosen parameters leave nothing to draw (e.g. a date range with no releases)."""


#: What to do about a file-system error, by errno (the rest: "check the path and the disk").
_ADVICE = {
    errno.ENOSPC: "free some disk space and try again",
    errno.EDQUOT: "free some space in your disk quota and try again",
    errno.EACCES: "check the folder's permissions (or choose a folder you can write to)",
    errno.EPERM: "check the folder's permissions (or choose a folder you can write to)",
    errno.EROFS: "the disk is read-only; use a writable folder",
    errno.ENOTDIR: "a file stands where a folder is needed; move or rename it",
    errno.EISDIR: "a folder stands where a file is needed; move or rename it",
    errno.ENOENT: "check that the path exists",
    errno.ENAMETOOLONG: "use a shorter path",
}


class FileSystemError(BelthawError):
    """A file or folder could not be read or written: names the path and what to do."""

    def __init__(self, exc: OSError, path: str | os.PathLike[str] | None = None):
        self.path = str(path if path is not None else exc.filename or "?")
        advice = _ADVICE.get(exc.errno or 0, "check the path and the disk")
        super().__init__(f"{self.path}: {exc.strerror or type(exc).__name__}; {advice}")
