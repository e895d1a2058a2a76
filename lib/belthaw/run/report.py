"""What a run reports: each notebook's result, a line as each one finishes, and the summary
(where the figures went, what failed and where, why a notebook drew nothing)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_WORDS = {"ok": "ok", "empty": "NOTHING DRAWN", "failed": "FAILED", "cancelled": "cancelled"}


@dataclass
class NotebookResult:
    """What happened to one notebook."""

    name: str
    status: str  # "ok" | "empty" (ran, wrote no file) | "failed" | "cached" | "cancelled"
    duration: float = 0.0
    cell_index: int | None = None  # the failing cell, as an index of the notebook's cells
    cell_source: str = ""  # its first line
    ename: str = ""
    evalue: str = ""
    executed: Path | None = None  # build/notebooks/<set>/<name>.ipynb
    outputs: list[Path] = field(default_factory=list)
    reason: str = ""  # why it ran (what changed) or was skipped
    removed: list[Path] = field(default_factory=list)  # files it no longer writes, deleted
    nothing: str = ""  # for "empty": the notebook's own "nothing to draw ..." line

    def error_line(self) -> str:
        where = f"cell {self.cell_index}" if self.cell_index is not None else "kernel start"
        if self.cell_source == "injected parameters":
            where = "the injected parameters"
        elif self.cell_source:
            where += f" (`{self.cell_source}`)"
        return f"{self.name}: failed in {where}: {self.ename}: {self.evalue}"

    def empty_line(self) -> str:
        why = self.nothing or "it wrote no file and printed no line starting 'nothing to draw'"
        return f"{self.name} drew nothing: {why} (its old figures were removed)"


@dataclass
class RunResult:
    """All notebooks of one ``run()``; ``exit_code`` is what ``belthaw run`` returns."""

    set_name: str
    results: list[NotebookResult] = field(default_factory=list)
    figures_dir: Path | None = None
    elapsed: float = 0.0

    def _with(self, *statuses: str) -> list[NotebookResult]:
        return [r for r in self.results if r.status in statuses]

    @property
    def failed(self) -> list[NotebookResult]:
        return self._with("failed")

    @property
    def ran(self) -> list[NotebookResult]:
        return self._with("ok", "empty", "failed")

    @property
    def empty(self) -> list[NotebookResult]:
        return self._with("empty")

    @property
    def cached(self) -> list[NotebookResult]:
        return self._with("cached")

    @property
    def ok(self) -> bool:
        return len(self._with("ok", "cached")) == len(self.results)

    @property
    def exit_code(self) -> int:
        """0 all drawn; 1 a notebook failed or was cancelled; 3 a notebook drew nothing."""
        if self.ok:
            return 0
        return 3 if len(self._with("ok", "cached", "empty")) == len(self.results) else 1

    def __getitem__(self, name: str) -> NotebookResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)


class Progress:
    """``[2/5] name ok 3.1s`` as each notebook finishes (from the runner's worker threads)."""

    def __init__(self, total: int, log: Callable[[str], Any]):
        self.total, self.log, self.done = total, log, 0
        self._lock = threading.Lock()

    def finish(self, r: NotebookResult) -> None:
        with self._lock:
            self.done += 1
            line = f"[{self.done}/{self.total}] {r.name} {_WORDS.get(r.status, r.status)} {r.duration:.1f}s"  # fmt: skip
            if r.status == "failed":
                line += f"  ({r.ename}: {r.evalue})".replace("\n", " ")[:200]
            if r.status == "empty" and r.nothing:
                line += f"  ({r.nothing})"
            self.log(line)


def summary(result: RunResult, log: Callable[[str], Any], figures: str) -> None:
    """The closing lines: counts, where the figures are, each failure and each empty notebook."""
    parts = [f"{len(result._with('ok'))} ran"]
    for n, what in ((len(result.empty), "drew nothing"), (len(result.failed), "failed"),
                    (len(result.cached), "up to date"),
                    (len(result._with("cancelled")), "cancelled")):  # fmt: skip
        if n:
            parts.append(f"{n} {what}")
    log(f"set '{result.set_name}': {', '.join(parts)} in {result.elapsed:.1f}s; figures in {figures}/")  # fmt: skip
    if result.failed:
        log("failed notebooks:")
        for r in result.failed:
            log(f"  - {r.error_line()}")
            log(f"    executed notebook: {r.executed}")
    for r in result.empty:
        log(f"  - {r.empty_line()}")
