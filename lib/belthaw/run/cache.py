"""The run cache: a notebook is skipped when nothing it reads changed (the data, the library
code, the locks, its code cells, its parameters, whether the stale-data note is on) and the
files it wrote last time are still there, byte for byte (docs/runner.md, "Cache")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

#: Bump when the recipe changes: every manifest becomes stale.
CACHE_VERSION = 3


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def code_digest(lib_dir: Path) -> str:
    """One digest of every library file (path and content)."""
    files = sorted(p for p in [*lib_dir.rglob("*.py"), *lib_dir.rglob("*.mplstyle")]
                   if "__pycache__" not in p.parts)  # fmt: skip
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.relative_to(lib_dir).as_posix()}\0{sha256_file(p)}\n".encode())
    return h.hexdigest()


def notebook_code(nb: Mapping[str, Any]) -> str:
    """The sources of the code cells but the ``parameters`` one: all of a notebook that can
    change its figures (JupyterLab's saved outputs and parameter edits do not)."""
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"
             and "parameters" not in c.get("metadata", {}).get("tags", [])]  # fmt: skip
    return "\n\0\n".join("".join(c.get("source", "")) for c in cells)


def key(inputs: Mapping[str, str]) -> str:
    return sha256_text(json.dumps(dict(inputs), sort_keys=True))


def stale_reason(
    manifest: Mapping[str, Any] | None, inputs: Mapping[str, str], locate: Callable[[str], Path]
) -> str | None:
    """None when the recorded run still holds, else a short reason. ``locate`` maps a recorded
    (project-relative) path to the file."""
    if manifest is None:
        return "never ran"
    if manifest.get("key") != key(inputs):
        old = manifest.get("inputs", {})
        changed = sorted(k for k in inputs.keys() | old.keys() if inputs.get(k) != old.get(k))
        return "changed: " + ", ".join(changed)
    for rel, digest in manifest.get("outputs", {}).items():
        if not locate(rel).is_file():
            return f"output missing: {rel}"
        if sha256_file(locate(rel)) != digest:
            return f"output edited: {rel}"
    if not locate(manifest.get("executed", "")).is_file():
        return "executed notebook missing"
    return None


def read_json(path: Path, default: Any) -> Any:
    """The file's content; ``default`` when it is missing or damaged (a killed run's half file:
    the notebook then runs again)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return default


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, default=str) + "\n", "utf-8")
