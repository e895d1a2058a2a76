"""Writing a figure's files so that no reader sees half a file and an interrupted save is found.

Each file goes to a temp file beside it and is renamed over the target. A figure's JSON
record goes last with the sha256 of every other file: it is the manifest, which
:func:`figure_problems` checks. Also the outputs protocol of ``belthaw run``
(:func:`record_outputs`).
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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commit_files(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every file through a temp file beside it, all staged before any is renamed.

    A failure while staging leaves every target as it was and no temp file behind; an
    OSError becomes one sentence naming the folder. Files are renamed in the order
    given, so a manifest given last lands last. Returns the target paths.
    """
    staged: list[tuple[Path, Path]] = []
    folder = Path(".")
    try:
        for target, data in files.items():
            folder = Path(target).parent
            folder.mkdir(parents=True, exist_ok=True)
            staged.append((folder / f"{TMP_PREFIX}{secrets.token_hex(8)}", Path(target)))
            staged[-1][0].write_bytes(bytes(data))
        for tmp, target in staged:
            folder = target.parent
            os.replace(tmp, target)
    except BaseException as e:  # a full disk, or Ctrl-C: no temp file stays behind
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            advice = _ADVICE.get(e.errno or 0, "check the folder and the disk")
            why = e.strerror or str(e)
            raise BelthawError(
                f"could not write to {folder}: {why}; {advice}, then save again"
            ) from None
        raise
    return [target for _, target in staged]


def figure_problems(folder: Path | str, name: str) -> list[str]:
    """What is wrong with the saved files of figure ``name`` in ``folder``; [] when whole.

    A file missing, truncated or changed since its record was written (an interrupted
    save, a hand edit) is named, as is a missing or unreadable record.
    """
    record = Path(folder) / f"{name}.json"
    try:
        files = json.loads(record.read_text(encoding="utf-8"))["files"]
        if not isinstance(files, dict):
            raise TypeError
    except FileNotFoundError:
        return [f"{record} is missing (the figure was never saved, or its save was interrupted)"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{record} is not a complete figure record (its save was interrupted)"]
    problems = []
    for file, digest in files.items():
        path = Path(folder) / str(file)
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"{path} does not match {record.name} (truncated or changed)")
    return problems


def sweep_temp_files(folder: Path, max_age_s: float = 600.0) -> int:
    """Delete the temp files killed saves left in ``folder``; returns how many.

    Only files older than ``max_age_s``: a save going on in another run keeps its own.
    """
    n = 0
    for p in Path(folder).glob(f"{TMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - p.stat().st_mtime > max_age_s:
                p.unlink()
                n += 1
    return n


def record_outputs(paths_written: Iterable[str | os.PathLike[str]]) -> None:
    """Tell ``belthaw run`` which files this notebook wrote (call once per saved file or batch).

    Appends the absolute paths to the JSON list in ``$BELTHAW_OUTPUTS_FILE``;
    does nothing when the variable is not set (interactive Jupyter, tests).
    """
    target = os.environ.get(OUTPUTS_ENV)
    if not target:
        return
    try:
        existing = json.loads(Path(target).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        existing = []
    new = dict.fromkeys(str(Path(p).resolve()) for p in paths_written)
    existing += [p for p in new if p not in existing]
    commit_files({Path(target): json.dumps(existing, indent=1).encode("utf-8")})
