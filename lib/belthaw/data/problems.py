"""Problems located in the data: where rows are, how a check reports them, the report.

Every check flags rows with a boolean mask; :func:`emit` turns the mask into located
:class:`~belthaw.errors.Problem` s (file, line, column), capped per check so that a
column broken on every row gives a readable report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import Problem

#: Problems of one kind in one column are listed for this many rows, then summarised.
MAX_ROWS_PER_CHECK = 20
#: The report prints at most this many problems; the count of the rest is given.
MAX_REPORT_LINES = 300


@dataclass(frozen=True)
class Where:
    """A table's file name and the line each row starts on (by row label)."""

    file: str
    lines: np.ndarray | None = None  # None: one line per row after the header

    def line(self, i: int) -> int:
        return int(self.lines[i]) if self.lines is not None else int(i) + 2


def sort_key(p: Problem) -> tuple:
    """Order problems by file, line, column, message (a missing line or column first)."""
    return (p.file, p.line or 0, p.column or "", p.message)


def short(v: object, n: int = 60) -> str:
    """A cell value quoted for a message, cut to ``n`` characters."""
    return repr(str(v)[:n])


def emit(out, where: Where, column, mask, message, *, values=None, severity="error") -> None:
    """Add one problem per flagged row (up to the cap), then one line for the rest.

    ``mask`` is a boolean Series, or an array in the order of ``values``. ``message`` may
    show the row's entry in ``values`` as ``{v}`` (cut to 60 characters; ``{v!r}`` quotes
    it), or be a function of that entry.
    """
    if isinstance(mask, pd.Series):
        index, mask = mask.index, mask.to_numpy(dtype=bool, na_value=False)
    else:  # an array: in the order of ``values``
        index, mask = values.index, np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    flagged = index[mask]
    for i in flagged[:MAX_ROWS_PER_CHECK]:
        if callable(message):
            text = message(values.loc[i])
        else:
            text = message if values is None else message.format(v=str(values.loc[i])[:60])
        out.append(Problem(where.file, where.line(i), column or None, text, severity))
    if len(flagged) > MAX_ROWS_PER_CHECK:
        more, first = len(flagged) - MAX_ROWS_PER_CHECK, where.line(flagged[MAX_ROWS_PER_CHECK])
        text = f"... and the same problem on {more} more rows (from line {first} on; only the "
        text += f"first {MAX_ROWS_PER_CHECK} are listed)"
        out.append(Problem(where.file, first, column or None, text, severity))


def flagger(out: list, where: Where):
    """``emit`` bound to a list and a table: ``flag(column, mask, message, values=...)``."""
    return lambda column, mask, message, **kw: emit(out, where, column, mask, message, **kw)


@dataclass
class Report:
    """What validation found. ``ok`` is true when there are no errors (warnings allowed)."""

    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    version: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        lines = []
        if self.rows:
            version = f"  (data version {self.version})" if self.version else ""
            lines.append("tables: " + ", ".join(f"{k} {v}" for k, v in self.rows.items()) + version)
        shown = [f"ERROR   {p}" for p in sorted(self.errors, key=sort_key)]
        shown += [f"warning {p}" for p in sorted(self.warnings, key=sort_key)]
        lines += shown[:MAX_REPORT_LINES]
        if len(shown) > MAX_REPORT_LINES:
            lines.append(
                f"... and {len(shown) - MAX_REPORT_LINES} more problems not shown; "
                "fix the ones above and run again"
            )
        lines.append(
            f"{'OK' if self.ok else 'FAILED'}: {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s)"
        )
        return "\n".join(lines)
