"""Writing a figure's files so that a reader never sees half a file, and an interrupted save is
found afterwards.

Each file is written to a temp file in its own folder, then renamed over the target
(``os.replace``): a reader sees the old file or the new one. A figure's files are all
staged first and renamed after, and its JSON record goes last, holding the sha256 of
every other file of the figure: that record is the manifest. A save killed part way
leaves files that do not match the record, which :func:`figure_problems` reports, so
the next run draws the figure again.

Also the outputs protocol: inside ``belthaw run`` a notebook tells the runner which
files it wrote (:func:`record_outputs`), through a JSON file named by an environment
variable. It lives here, below the runner, so the save layer never imports the runner.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import BelthawError

#: Every temporary file this module creates starts with this (hidden on Unix; easy to sweep).
TMP_PREFIX = ".belthaw-tmp-"
#: The kernel gets this environment variable: the JSON file record_outputs() appends to.
OUTPUTS_ENV = "BELTHAW_OUTPUTS_FILE"

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

# What to do about the usual reasons a folder cannot be written.
_ADVICE = {
    errno.ENOSPC: "free some disk space",
    errno.EDQUOT: "free some space under your disk quota",
    errno.EROFS: "the disk is read-only: save to another folder",
    errno.EACCES: "check that you may write to it (permissions)",
    errno.EPERM: "check that you may write to it (permissions)",
}


def check_name(name: str) -> str:
    """``name`` if it is a plain file name (letters, digits, ``-_.``), else a BelthawError."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or ".." in name:
        raise BelthawError(
            f"figure name {name!r} is not a plain file name: use letters, digits, '-', '_' "
            "and '.', starting with a letter or digit (e.g. 'releases-cumulative')"
        )
    return name


def file_error(exc: OSError, folder: Path) -> BelthawError:
    """One sentence for a failed write: the folder, the reason, what to do."""
    why = exc.strerror or str(exc)
    advice = _ADVICE.get(exc.errno or 0, "check the folder and the disk")
    return BelthawError(f"could not write to {folder}: {why}; {advice}, then save again")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commit_files(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every file through a temp file beside it, all staged before any is renamed.

    A failure while staging (a full disk, say) removes the temp files and leaves every
    target as it was; the error is a :class:`BelthawError` naming the folder. Files
    are renamed in the order given, so the one that must come last (a manifest) is
    last. Returns the target paths.
    """
    staged: list[tuple[Path, Path]] = []
    folder = Path(".")
    try:
        for target, data in files.items():
            target = Path(target)
            folder = target.parent
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f"{TMP_PREFIX}{secrets.token_hex(8)}"
            staged.append((tmp, target))
            tmp.write_bytes(bytes(data))
        for tmp, target in staged:
            folder = target.parent
            os.replace(tmp, target)
    except BaseException as e:  # a full disk, or Ctrl-C: no temp file stays behind
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise file_error(e, folder) from None
        raise
    return [target for _, target in staged]


def atomic_write_text(path: Path | str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, ``\\n`` line endings; creates the folder.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sub" / "note.md"
    >>> atomic_write_text(p, "# hello\\n").read_text()
    '# hello\\n'
    """
    path = Path(path)
    commit_files({path: text.encode(encoding)})
    return path


def figure_problems(folder: Path | str, name: str) -> list[str]:
    """What is wrong with the saved files of figure ``name`` in ``folder``; [] when whole.

    A file missing, truncated or changed since its record was written (an interrupted
    save, a hand edit) is named, as is a missing or unreadable record.
    """
    folder = Path(folder)
    record = folder / f"{name}.json"
    try:
        rec = json.loads(record.read_text(encoding="utf-8"))
        files = rec["files"]
        if not isinstance(files, dict):
            raise TypeError
    except FileNotFoundError:
        return [f"{record} is missing (the figure was never saved, or its save was interrupted)"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{record} is not a complete figure record (its save was interrupted)"]
    problems = []
    for file, digest in files.items():
        path = folder / str(file)
        try:
            data = path.read_bytes()
        except OSError:
            problems.append(f"{path} is missing")
            continue
        if sha256(data) != digest:
            problems.append(f"{path} does not match {record.name} (truncated or changed)")
    return problems


def sweep_temp_files(folder: Path, max_age_s: float = 600.0) -> int:
    """Delete the temp files killed saves left in ``folder``; returns how many.

    Only files older than ``max_age_s``: a save takes seconds, and one going on in
    another run at the same moment keeps its temp files.
    """
    n = 0
    now = time.time()
    for p in Path(folder).glob(f"{TMP_PREFIX}*"):
        try:
            if now - p.stat().st_mtime > max_age_s:
                p.unlink()
                n += 1
        except OSError:
            pass
    return n


def record_outputs(paths_written: Iterable[str | os.PathLike[str]]) -> None:
    """Tell ``belthaw run`` which files this notebook wrote (call once per saved file or batch).

    Appends the absolute paths to the JSON list in ``$BELTHAW_OUTPUTS_FILE``;
    does nothing when the variable is not set (interactive Jupyter, tests).
    """
    target = os.environ.get(OUTPUTS_ENV)
    if not target:
        return
    file = Path(target)
    try:
        existing = json.loads(file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        existing = []
    for p in paths_written:
        s = str(Path(p).resolve())
        if s not in existing:
            existing.append(s)
    commit_files({file: json.dumps(existing, indent=1).encode("utf-8")})
