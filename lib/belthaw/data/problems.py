"""Problems located in the data: where rows are, how a check reports them, the report.

Every check flags rows with a boolean mask; :func:`emit` turns the mask into located
:class:`~belthaw.errors.Problem` s (file, line, column), capped per check so that a
column broken on every row gives a readable report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

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


def emit(out, where: Where, column, mask, message, *, values=None, severity="error") -> None:
    """Add one problem per flagged row (up to the cap), then one line for the rest.

    ``mask`` is a boolean Series, or an array in the order of ``values``. ``message`` may
    show the row's entry in ``values`` as ``{v}`` (cut to 60 characters; ``{v!r}`` quotes
    it) or, when ``values`` is a frame, its fields by name; or be a function of the entry.
    """
    if isinstance(mask, pd.Series):
        index, mask = mask.index, mask.to_numpy(dtype=bool, na_value=False)
    else:
        index = values.index
    flagged = index[np.asarray(mask, dtype=bool)]
    for i in flagged[:MAX_ROWS_PER_CHECK]:
        text = message
        if callable(message):
            text = message(values.loc[i])
        elif values is not None:
            row = values.loc[i]
            named = row.items() if isinstance(values, pd.DataFrame) else [("v", row)]
            text = message.format(**{k: str(x)[:60] for k, x in named})
        out.append(Problem(where.file, where.line(i), column or None, text, severity))
    if len(flagged) > MAX_ROWS_PER_CHECK:
        more, first = len(flagged) - MAX_ROWS_PER_CHECK, where.line(flagged[MAX_ROWS_PER_CHECK])
        text = f"... and the same problem on {more} more rows (from line {first} on; only the "
        text += f"first {MAX_ROWS_PER_CHECK} are listed)"
        out.append(Problem(where.file, first, column or None, text, severity))


def flagger(out: list, where: Where):
    """``emit`` bound to a list and a table: ``flag(column, mask, message, values=...)``."""
    return partial(emit, out, where)


def _order(p: Problem) -> tuple:
    """Errors first, then by file, line, column (a missing line or column first), message."""
    return (p.severity != "error", p.file, p.line or 0, p.column or "", p.message)


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
        label = {"error": "ERROR", "warning": "warning"}
        shown = [f"{label[p.severity]:8}{p}" for p in sorted(self.problems, key=_order)]
        lines += shown[:MAX_REPORT_LINES]
        if len(shown) > MAX_REPORT_LINES:
            more = len(shown) - MAX_REPORT_LINES
            lines.append(
                f"... and {more} more problems not shown; fix the ones above and run again"
            )
        lines.append(
            f"{'OK' if self.ok else 'FAILED'}: {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s)"
        )
        return "\n".join(lines)
