"""Provenance, computed one way for every output: the data version and "today".

* The **data version** is the data package's semantic version plus a content hash of
  every file in the data folder: ``1.1.0+3f2a9c0b51de``. ``belthaw validate`` prints
  it, every figure and sidecar carries it, the run's cache key contains it and the
  briefing pack refuses to mix two.
* **Today** is an input, not a clock reading: ``BELTHAW_TODAY`` (set once per run by
  ``belthaw run --today``, or by hand) fixes it, so the same inputs give the same
  bytes whatever the machine's calendar says. Without it, the calendar is read.

Standard library only: the runner computes both before anything heavy is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

from . import paths
from .errors import BelthawError

TODAY_ENV = "BELTHAW_TODAY"
#: Files in the data folder that are not part of the data (editor and OS litter).
_IGNORED = (".DS_Store", "Thumbs.db", "desktop.ini")


def data_version(data_dir: Path | None = None) -> str:
    """``<version>+<hash>``: ``version`` of ``datapackage.json`` ("unversioned" when absent or
    unreadable), 12 hex characters of sha256 over every file's relative path and bytes."""
    folder = Path(data_dir or paths.DATA_DIR)
    try:
        version = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError):
        version = None
    if not isinstance(version, str) or not 0 < len(version) <= 40:
        version = "unversioned"
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name not in _IGNORED and not p.name.startswith(".~lock"):
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return f"{version}+{h.hexdigest()[:12]}"


def today() -> date:
    """The run's "today": ``$BELTHAW_TODAY`` (YYYY-MM-DD) when set, else the calendar."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if not fixed:
        return date.today()
    try:
        return date.fromisoformat(fixed)
    except ValueError:
        raise BelthawError(
            f"{TODAY_ENV}={fixed[:40]!r} is not a date; set it as YYYY-MM-DD (e.g. 2026-03-19) "
            "or unset it to use the calendar"
        ) from None
