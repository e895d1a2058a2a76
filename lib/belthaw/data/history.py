"""The data compared with its last committed version, so a spreadsheet's silent rewrites
show before anything is drawn.

When the data folder is inside a git repository, ``belthaw validate`` reads each table
as committed (``git show HEAD:./<file>``) and summarises, per file, the rows added or
removed and, per column, how many cells changed, with one example. It is a warning: the
edit may be intended. Without git, or outside a repository, it says nothing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd

from ..errors import Problem
from .descriptor import one
from .problems import Where
from .read import Table, parse

#: Columns named in one summary; the rest are counted.
MAX_COLUMNS_NAMED = 4


def committed(data_dir: Path, path: str) -> pd.DataFrame | None:
    """``data_dir/path`` as committed in git's HEAD, as text cells; None when unreadable."""
    try:
        git = ["git", "-C", str(data_dir), "show", f"HEAD:./{path}"]
        proc = subprocess.run(git, capture_output=True, stdin=subprocess.DEVNULL, timeout=20)
        rows, _, broken = parse(proc.stdout.decode("utf-8-sig"))
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None
    header = [h.strip() for h in rows[0]] if rows else []
    if proc.returncode or broken or not header or len(set(header)) != len(header):
        return None
    df = pd.DataFrame([(r + [""] * len(header))[: len(header)] for r in rows[1:]], columns=header)
    return df[~(df == "").all(axis=1)]


def _s(n: int) -> str:
    return "s" if n > 1 else ""


def summary(old: pd.DataFrame, new: pd.DataFrame, key: str | None, where: Where) -> str:
    """What changed from ``old`` to ``new``, in a sentence ("" when nothing did)."""
    if key in old and key in new and old[key].is_unique and new[key].is_unique:
        a, b = old.set_index(key), new.reset_index(names="_label").set_index(key)
        added, removed = (~b.index.isin(a.index)).sum(), (~a.index.isin(b.index)).sum()
        same = b.index[b.index.isin(a.index)]
        a, b = a.loc[same], b.loc[same]
    else:  # rows compared by position
        k = min(len(old), len(new))
        added, removed = len(new) - k, len(old) - k
        a, b = old.iloc[:k], new.iloc[:k].reset_index(names="_label")
    parts = [f"{n} row{_s(n)} {what}" for n, what in ((added, "added"), (removed, "removed")) if n]
    parts += [f"column '{c}' added" for c in new.columns if c not in old]
    parts += [f"column '{c}' removed" for c in old.columns if c not in new]
    changed = []
    for col in [c for c in new.columns if c in old and c != key]:
        diff = a[col].to_numpy() != b[col].to_numpy()
        if diff.any():
            i, n = diff.argmax(), diff.sum()
            was, now = repr(str(a[col].iloc[i])[:40]), repr(str(b[col].iloc[i])[:40])
            line = where.line(b["_label"].iloc[i])
            changed.append(f"{n} cell{_s(n)} of '{col}' changed (e.g. line {line}: {was} -> {now})")
    if len(changed) > MAX_COLUMNS_NAMED:
        more = len(changed) - MAX_COLUMNS_NAMED
        changed = [*changed[:MAX_COLUMNS_NAMED], f"and cells of {more} more columns"]
    return "; ".join(parts + changed)


def changes_since_commit(
    data_dir: Path, tables: dict[str, Table], descriptor: dict
) -> list[Problem]:
    """One warning per table that differs from its committed version."""
    here = data_dir.resolve()
    if not any((p / ".git").exists() for p in (here, *here.parents)):
        return []  # not in a repository: no git process is started
    out = []
    for res in descriptor["resources"]:
        t = tables[res["name"]]
        old = committed(data_dir, res["path"]) if t.text is not None else None
        key = one(res["schema"].get("primaryKey"))
        said = summary(old, t.text, key, t.where) if old is not None else ""
        if said:
            msg = f"changed since the last commit: {said}; if a spreadsheet did this, restore "
            out.append(Problem(t.where.file, None, None, msg + "the file with git", "warning"))
    return out
