"""Files that are whole or absent, and figure sets that are all old or all new, even after a kill.

Every write goes to a temp file beside its target, then one rename. A *set* of files
(a figure's PNG, SVG, PDF, sidecar and tables) is committed through a journal, so a
SIGKILL or power cut at any instant leaves each set all old or all new once the
next save or run has looked at the folder:

1. ``.belthaw-journal-<id>.json`` is created and locked (``flock``; the kernel drops
   the lock when the process dies, so a live save is never mistaken for a dead one);
2. every new file is written to ``.belthaw-tmp-<id>.<n>`` and synced; the old
   files get hard-link backups ``.belthaw-tmp-<id>.b<n>``;
3. the journal is written (the list temp -> target) and synced: the commit point;
4. each temp is renamed over its target, then the temps, backups and journal go.

:func:`recover_folder` (run by every save in that folder and by :func:`sweep_temp_files`
at the start of ``belthaw run``) finishes what a dead process left: a journal that was
written is rolled forward (its temps renamed, so the set is all new); one that was
not is rolled back (its temps deleted, the targets were never touched). Saves into
one folder take turns at step 3-4, so two runs saving the same figure at once cannot
interleave their files either. The guarantee and its test are in
``docs/guarantees.md``.

Also the outputs protocol: inside ``belthaw run`` a notebook tells the runner which
files it wrote (:func:`record_outputs`), through a JSON file named by an environment
variable. It lives here, below the runner, so the save layer never imports the runner.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

try:  # POSIX; elsewhere liveness falls back to the age of a file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Every temporary file this module creates starts with this (hidden on Unix; easy to sweep).
TMP_PREFIX = ".belthaw-tmp-"
#: A commit's journal: ``.belthaw-journal-<id>.json`` in the folder of its files.
JOURNAL_PREFIX = ".belthaw-journal-"
#: The kernel gets this environment variable: the JSON file record_outputs() appends to.
OUTPUTS_ENV = "BELTHAW_OUTPUTS_FILE"
#: Without ``flock`` (Windows), or for temp files of an unknown name, a leftover is taken
#: for dead only when older than this; a save takes seconds, so ten minutes is generous.
STALE_AFTER_S = 600.0

_JOURNAL_RE = re.compile(rf"^{re.escape(JOURNAL_PREFIX)}([0-9a-f]{{16}})\.json$")
_TMP_RE = re.compile(rf"^{re.escape(TMP_PREFIX)}([0-9a-f]{{16}})\.b?[0-9]+$")
_ROLLBACK = ".rollback"

#: Files held back by an open :func:`transaction` (None outside one).
_PENDING: contextvars.ContextVar[dict[Path, bytes] | None] = contextvars.ContextVar(
    "belthaw_pending_files", default=None
)


# -- low-level helpers ---------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes) -> Path:
    """Create ``path`` (must not exist) with ``data``, synced; returns ``path``.

    ``os.open`` with mode 0o666 (less umask) gives the final file the permissions a
    normal write would, unlike ``mkstemp``'s 0o600.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Exclusive lock on ``folder`` itself: commits and recoveries in one folder take turns."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


class _Journal:
    """One commit's journal file in one folder, created and locked by its owner."""

    def __init__(self, folder: Path):
        self.folder = folder
        while True:
            self.id = secrets.token_hex(8)
            self.path = folder / f"{JOURNAL_PREFIX}{self.id}.json"
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:  # pragma: no cover - 64 random bits
                continue
            if fcntl is not None:
                fcntl.flock(self.fd, fcntl.LOCK_EX)
                # A recovery in another process may have taken the still-empty journal
                # for a dead one and deleted it before our lock: then start again.
                try:
                    same = os.stat(self.path).st_ino == os.fstat(self.fd).st_ino
                except FileNotFoundError:
                    same = False
                if not same:
                    os.close(self.fd)
                    continue
            break
        self.n = 0

    def temp_name(self, backup: bool = False) -> Path:
        self.n += 1
        return self.folder / f"{TMP_PREFIX}{self.id}.{'b' if backup else ''}{self.n}"

    def write(self, entries: list[dict[str, str | None]]) -> None:
        """The commit point: once these bytes are on disk, recovery completes the set."""
        body = json.dumps({"version": 1, "files": entries}, indent=1).encode("utf-8")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, body, 0)
        os.fsync(self.fd)

    def mark_rollback(self) -> None:
        """An error (not a kill) undoes a started commit: recovery must undo it too."""
        marker = self.path.with_name(self.path.name + _ROLLBACK)
        with contextlib.suppress(OSError):
            marker.touch()
            _fsync_dir(self.folder)

    def close(self) -> None:
        """Forget the journal: every file it names is settled."""
        self.path.with_name(self.path.name + _ROLLBACK).unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)
        os.close(self.fd)


# -- committing ----------------------------------------------------------------------------


def _commit_now(files: Mapping[Path, bytes]) -> None:
    """Write ``files`` all or none (see the module docstring); grouped by folder."""
    by_folder: dict[Path, dict[Path, bytes]] = {}
    for target, data in files.items():
        by_folder.setdefault(target.parent, {})[target] = data
    journals: dict[Path, _Journal] = {}
    entries: dict[Path, list[dict[str, str | None]]] = {}
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    replaced: list[Path] = []
    committed: list[Path] = []
    try:
        for folder in sorted(by_folder):
            folder.mkdir(parents=True, exist_ok=True)
            recover_folder(folder)
            j = journals[folder] = _Journal(folder)
            entries[folder] = []
            for target, data in by_folder[folder].items():
                temps[target] = tmp = j.temp_name()
                _write_temp(tmp, data)
                backup = None
                if target.exists():
                    backup = j.temp_name(backup=True)
                    try:
                        os.link(target, backup)
                    except OSError:  # no hard links here: a copy does the same job
                        _write_temp(backup, target.read_bytes())
                backups[target] = backup
                entries[folder].append(
                    {
                        "temp": tmp.name,
                        "target": target.name,
                        "backup": backup.name if backup else None,
                    }
                )
            _fsync_dir(folder)
        for folder in sorted(by_folder):
            j = journals[folder]
            with _folder_lock(folder):
                j.write(entries[folder])
                committed.append(folder)
                for target in by_folder[folder]:
                    os.replace(temps[target], target)
                    replaced.append(target)
                _fsync_dir(folder)
    except BaseException:
        for folder in committed:
            journals[folder].mark_rollback()
        for target in reversed(replaced):  # undo: old bytes back, new files gone
            old = backups.get(target)
            with contextlib.suppress(OSError):
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink(missing_ok=True)
        for p in [*temps.values(), *(b for b in backups.values() if b is not None)]:
            p.unlink(missing_ok=True)
        for j in journals.values():
            j.close()
        raise
    for b in backups.values():
        if b is not None:
            b.unlink(missing_ok=True)
    for j in journals.values():
        j.close()


def commit_files(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every file or none, crash-safe; returns the target paths.

    Inside a :func:`transaction` the files are held back and written with the
    transaction's other files when it ends.
    """
    files = {Path(t): bytes(d) for t, d in files.items()}
    pending = _PENDING.get()
    if pending is not None:
        pending.update(files)
    elif files:
        _commit_now(files)
    return list(files)


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """Every :func:`commit_files` / :func:`atomic_write_text` inside is one all-or-none commit.

    Used for a figure and the tables saved with it. The files appear when the block
    ends without an error; an error discards them all. Nested blocks join the outer one.
    Nothing written inside the block can be read back before it ends.
    """
    if _PENDING.get() is not None:
        yield
        return
    pending: dict[Path, bytes] = {}
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    if pending:
        _commit_now(pending)


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


# -- recovery ------------------------------------------------------------------------------


def _owner_alive(path: Path) -> tuple[bool, int | None]:
    """(is the journal's owner alive, an fd holding its lock when it is not)."""
    if fcntl is None:  # pragma: no cover - Windows: age is all we know
        try:
            return time.time() - path.stat().st_mtime <= STALE_AFTER_S, None
        except OSError:
            return True, None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True, None  # gone already: its owner finished
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return True, None
    return False, fd


def _plain_name(name: object) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and not re.search(r"[/\\\0]", name)


def _read_journal(path: Path, jid: str) -> list[dict[str, str | None]] | None:
    """The journal's file list, or None when it was never completely written.

    Only plain names of this commit's own temps and of files beside the journal are
    obeyed: a journal never moves anything out of, or into, another folder.
    """
    own = f"{TMP_PREFIX}{jid}."
    try:
        doc = json.loads(path.read_bytes() or b"null")
        files = doc["files"]
        ok = isinstance(files, list) and all(
            isinstance(e, dict)
            and _plain_name(e.get("temp")) and str(e["temp"]).startswith(own)
            and _plain_name(e.get("target")) and not str(e["target"]).startswith(".belthaw-")
            and (e.get("backup") is None
                 or (_plain_name(e["backup"]) and str(e["backup"]).startswith(own)))
            for e in files
        )  # fmt: skip
        return files if ok else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _settle(folder: Path, jpath: Path, jid: str) -> str:
    """Finish one dead commit; returns 'forward', 'back' or 'undone'."""
    files = _read_journal(jpath, jid)
    marker = jpath.with_name(jpath.name + _ROLLBACK)
    if files is None:
        outcome = "back"  # never committed: the targets were never touched
    elif marker.exists():
        outcome = "undone"  # an error undid it, the process died before finishing the undo
        for e in files:
            target, backup = folder / str(e["target"]), e.get("backup")
            tmp = folder / str(e["temp"])
            if backup and (folder / backup).exists():
                os.replace(folder / backup, target)
            elif not backup and not tmp.exists():
                target.unlink(missing_ok=True)  # it was new and had been put in place
    else:
        outcome = "forward"
        for e in files:
            tmp = folder / str(e["temp"])
            if tmp.exists():  # a missing temp was renamed before the kill
                os.replace(tmp, folder / str(e["target"]))
    for p in folder.glob(f"{TMP_PREFIX}{jid}.*"):
        p.unlink(missing_ok=True)
    _fsync_dir(folder)
    marker.unlink(missing_ok=True)
    jpath.unlink(missing_ok=True)
    return outcome


def recover_folder(folder: Path | str) -> dict[str, int]:
    """Complete or undo the commits that dead processes left in ``folder``.

    Also deletes temp files whose commit no longer exists. Commits of live
    processes (another run saving at the same time) are left alone. Returns counts
    ``{"forward": .., "back": .., "undone": .., "temps": ..}``.
    """
    folder = Path(folder)
    counts = {"forward": 0, "back": 0, "undone": 0, "temps": 0}
    if not folder.is_dir():
        return counts
    with _folder_lock(folder):
        live: set[str] = set()
        for jpath in sorted(folder.glob(f"{JOURNAL_PREFIX}*.json")):
            m = _JOURNAL_RE.match(jpath.name)
            if not m:
                continue
            alive, fd = _owner_alive(jpath)
            if alive:
                live.add(m.group(1))
                continue
            try:
                counts[_settle(folder, jpath, m.group(1))] += 1
            finally:
                if fd is not None:
                    os.close(fd)
        for p in folder.glob(f"{TMP_PREFIX}*"):
            m = _TMP_RE.match(p.name)
            # A commit creates its journal before its first temp and deletes it after
            # its last: a temp whose journal is gone belongs to nobody.
            if m and m.group(1) not in live and not (folder / f"{JOURNAL_PREFIX}{m.group(1)}.json").exists():  # fmt: skip
                p.unlink(missing_ok=True)
                counts["temps"] += 1
        for marker in folder.glob(f"{JOURNAL_PREFIX}*.json{_ROLLBACK}"):
            if not marker.with_name(marker.name[: -len(_ROLLBACK)]).exists():
                marker.unlink(missing_ok=True)
    return counts


def sweep_temp_files(folder: Path, max_age_s: float = STALE_AFTER_S) -> int:
    """Clean ``folder`` after killed saves: finish their commits (:func:`recover_folder`),
    delete their temp files. Returns how many commits and files were settled.

    Commits of a save going on in another process are recognised by their lock and
    kept. Temp files of an unknown name (an older version of this module) are deleted
    only when older than ``max_age_s``.
    """
    folder = Path(folder)
    counts = recover_folder(folder)
    n = sum(counts.values())
    now = time.time()
    for p in folder.glob(f"{TMP_PREFIX}*"):
        if _TMP_RE.match(p.name):
            continue  # belongs to a live commit (recover_folder removed the dead ones')
        try:
            if p.is_file() and now - p.stat().st_mtime > max_age_s:
                p.unlink()
                n += 1
        except OSError:
            pass
    return n


def sweep_runtime_dir(runtime_dir: Path, max_age_s: float = STALE_AFTER_S) -> int:
    """Delete kernel connection files (``kernel-*.json``) and socket leftovers that killed
    runs left in ``runtime_dir`` (``build/runtime``). Only files older than ``max_age_s``:
    a kernel of a run going on at the same time keeps its connection file."""
    runtime_dir = Path(runtime_dir)
    n = 0
    if not runtime_dir.is_dir():
        return 0
    now = time.time()
    for p in runtime_dir.iterdir():
        try:
            if now - p.lstat().st_mtime <= max_age_s:
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink()
            n += 1
        except OSError:
            pass
    return n


# -- the outputs protocol ------------------------------------------------------------------


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
