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
from .problems import Where, short
from .read import Table, parse

#: Columns named in one summary; the rest are counted.
MAX_COLUMNS_NAMED = 4


def committed(data_dir: Path, path: str) -> str | None:
    """The text of ``data_dir/path`` in git's HEAD; None when there is none to read."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(data_dir), "show", f"HEAD:./{path}"],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=20,
            check=False,
        )
        return proc.stdout.decode("utf-8-sig") if proc.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None


def as_frame(text: str) -> pd.DataFrame | None:
    """A committed table as text cells, like :attr:`Table.text` (None when unreadable)."""
    rows, _, broken = parse(text)
    header = [h.strip() for h in rows[0]] if rows else []
    if broken or not header or len(set(header)) != len(header):
        return None
    n = len(header)
    df = pd.DataFrame([(r + [""] * n)[:n] for r in rows[1:]], columns=header, dtype=str)
    return df[~(df == "").all(axis=1)]


def summary(old: pd.DataFrame, new: pd.DataFrame, key: str | None, where: Where) -> str:
    """What changed from ``old`` to ``new``, in a sentence ("" when nothing did)."""
    parts = []
    if key in old and key in new and old[key].is_unique and new[key].is_unique:
        a, b = old.set_index(key), new.reset_index(names="_label").set_index(key)
        added, removed = (~b.index.isin(a.index)).sum(), (~a.index.isin(b.index)).sum()
        same = b.index[b.index.isin(a.index)]
        a, b = a.loc[same], b.loc[same]
    else:  # rows compared by position
        k = min(len(old), len(new))
        added, removed = max(0, len(new) - k), max(0, len(old) - k)
        a, b = old.iloc[:k], new.iloc[:k].reset_index(names="_label")
    for n, what in ((added, "added"), (removed, "removed")):
        if n:
            parts.append(f"{n} row{'s' if n > 1 else ''} {what}")
    parts += [f"column '{c}' added" for c in new.columns if c not in old]
    parts += [f"column '{c}' removed" for c in old.columns if c not in new]
    changed = []
    for col in [c for c in new.columns if c in old and c != key]:
        diff = a[col].to_numpy() != b[col].to_numpy()
        if diff.any():
            i = diff.argmax()
            line = where.line(b["_label"].iloc[i])
            was, now = short(a[col].iloc[i], 40), short(b[col].iloc[i], 40)
            changed.append(
                f"{diff.sum()} cell{'s' if diff.sum() > 1 else ''} of '{col}' "
                f"changed (e.g. line {line}: {was} -> {now})"
            )
    if len(changed) > MAX_COLUMNS_NAMED:
        more = len(changed) - MAX_COLUMNS_NAMED
        changed = [*changed[:MAX_COLUMNS_NAMED], f"and cells of {more} more columns"]
    return "; ".join(parts + changed)


def changes_since_commit(
    data_dir: Path, tables: dict[str, Table], descriptor: dict
) -> list[Problem]:
    """One warning per table that differs from its committed version."""
    out: list[Problem] = []
    here = data_dir.resolve()
    if not any((p / ".git").exists() for p in (here, *here.parents)):
        return out  # not in a repository: no git process is started
    for res in descriptor.get("resources", []):
        t = tables.get(res["name"])
        text = committed(data_dir, res["path"]) if t is not None and t.text is not None else None
        old = as_frame(text) if text is not None else None
        if old is None:
            continue
        pk = res["schema"].get("primaryKey")
        key = (
            pk[0] if isinstance(pk, list) and len(pk) == 1 else pk if isinstance(pk, str) else None
        )
        said = summary(old, t.text, key, t.where)
        if said:
            msg = f"changed since the last commit: {said}; if a spreadsheet did this, restore the file with git"
            out.append(Problem(t.where.file, None, None, msg, "warning"))
    return out
