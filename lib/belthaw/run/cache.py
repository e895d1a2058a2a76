"""The run cache: a notebook is skipped when nothing it can read or depend on has changed.

The key of one notebook execution hashes every file of the data folder, the declared
parameters' resolved values, the notebook itself, the library code, the lock file,
and the one thing "today" changes in a figure (whether the stale-data note is on).
A manifest per notebook records the key and the digests of the files it wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .layout import _Layout

#: Bump when the cache-key recipe changes: every manifest becomes stale.
CACHE_VERSION = 2


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _code_files(lib_dir: Path) -> list[Path]:
    files = [*lib_dir.rglob("*.py"), *lib_dir.rglob("*.mplstyle")]
    return sorted(p for p in files if "__pycache__" not in p.parts)


class _Hasher:
    """Hashes each input file once per run (the code and data are shared by all notebooks)."""

    def __init__(self) -> None:
        self._memo: dict[Path, str] = {}
        self._code: dict[Path, str] = {}
        self._lock = threading.Lock()

    def __call__(self, path: Path) -> str:
        with self._lock:
            if path not in self._memo:
                self._memo[path] = _sha256_file(path) if path.exists() else "missing"
            return self._memo[path]

    def code_digest(self, lib_dir: Path) -> str:
        """sha256 over every library file (path + content digest); computed once per run."""
        with self._lock:
            cached = self._code.get(lib_dir)
        if cached is None:
            code = hashlib.sha256()
            for p in _code_files(lib_dir):
                code.update(f"{p.relative_to(lib_dir).as_posix()}\0{self(p)}\n".encode())
            cached = code.hexdigest()
            with self._lock:
                self._code[lib_dir] = cached
        return cached


def _key(inputs: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(inputs), sort_keys=True).encode()).hexdigest()


def _stale_reason(layout: _Layout, manifest_path: Path, inputs: dict[str, str]) -> str | None:
    """None when the recorded run is still valid, else a short reason."""
    try:
        m = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "never ran"
    except ValueError:
        return "manifest unreadable"
    if m.get("key") != _key(inputs):
        old = m.get("inputs", {})
        changed = sorted(k for k in inputs.keys() | old.keys() if inputs.get(k) != old.get(k))
        return "changed: " + ", ".join(changed) if changed else "key changed"
    for rel, digest in m.get("outputs", {}).items():
        p = layout.unrel(rel)
        if not p.exists():
            return f"output missing: {rel}"
        if _sha256_file(p) != digest:
            return f"output edited: {rel}"
    executed = m.get("executed")
    if executed and not layout.unrel(executed).exists():
        return "executed notebook missing"
    return None


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return default


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str) + "\n", "utf-8")
    os.replace(tmp, path)
