"""Files that are whole or absent: every write goes to a temp file, then one rename.

Also the outputs protocol: inside ``belthaw run`` a notebook tells the runner which
files it wrote (:func:`record_outputs`), through a JSON file named by an environment
variable. It lives here, below the runner, so the save layer never imports the runner.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Every temporary file this module creates starts with this (hidden on Unix; easy to sweep).
TMP_PREFIX = ".belthaw-tmp-"
#: The kernel gets this environment variable: the JSON file record_outputs() appends to.
OUTPUTS_ENV = "BELTHAW_OUTPUTS_FILE"


def _write_temp(directory: Path, data: bytes) -> Path:
    """Write ``data`` to a new temp file in ``directory`` and return its path.

    Same directory as the target, so ``os.replace`` is a rename on one file
    system (atomic), never a copy. ``os.open`` with mode 0o666 (less umask) gives
    the final file the permissions a normal write would, unlike ``mkstemp``'s 0o600.
    """
    while True:
        tmp = directory / f"{TMP_PREFIX}{secrets.token_hex(6)}"
        try:
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        break
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _backup(target: Path) -> Path:
    """A temp copy of ``target`` (a hard link when the file system allows) for rollback."""
    tmp = target.parent / f"{TMP_PREFIX}bak-{secrets.token_hex(6)}"
    try:
        os.link(target, tmp)
        return tmp
    except OSError:
        return _write_temp(target.parent, target.read_bytes())


def commit_files(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every file or none: all temps first, then replace all, rolling back on error."""
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    replaced: list[Path] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            temps[target] = _write_temp(target.parent, data)
        for target in temps:
            backups[target] = _backup(target) if target.exists() else None
        for target, tmp in temps.items():
            os.replace(tmp, target)
            replaced.append(target)
    except BaseException:
        for target in reversed(replaced):  # undo: old bytes back, new files gone
            old = backups.get(target)
            try:
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:  # pragma: no cover - nothing better to do mid-failure
                pass
        for tmp in [*temps.values(), *(b for b in backups.values() if b is not None)]:
            tmp.unlink(missing_ok=True)
        raise
    for b in backups.values():
        if b is not None:
            b.unlink(missing_ok=True)
    return list(files)


def atomic_write_text(path: Path | str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically: readers see the old file or the new one, never half.

    Line endings are written as ``\\n`` on every platform (same bytes everywhere).
    Creates the parent folder if needed. Returns the path.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sub" / "note.md"
    >>> atomic_write_text(p, "# hello\\n").read_text()
    '# hello\\n'
    """
    path = Path(path)
    commit_files({path: text.encode(encoding)})
    return path


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
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(existing, indent=1), encoding="utf-8")
    os.replace(tmp, file)


def sweep_temp_files(folder: Path, max_age_s: float = 600.0) -> int:
    """Delete temp files a killed save left in ``folder`` (older than ``max_age_s``, so a save
    going on in another process keeps its own). Returns how many were removed."""
    import time

    n = 0
    now = time.time()
    for p in folder.glob(f"{TMP_PREFIX}*"):
        try:
            if p.is_file() and now - p.stat().st_mtime > max_age_s:
                p.unlink()
                n += 1
        except OSError:
            pass
    return n
