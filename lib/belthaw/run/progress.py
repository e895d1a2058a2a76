"""What a run prints: a live status line on a terminal, plain lines otherwise, and the summary."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .engine import NotebookResult, RunResult


class _Progress:
    """Live line on a TTY; plain ``[2/5] name ok 3.1s`` lines otherwise."""

    def __init__(self, total: int, log: Callable[[str], Any], live: bool):
        self.total, self.log, self.live = total, log, live
        self.done = 0
        self.running: dict[str, float] = {}
        self.t0 = time.perf_counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if live:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _status(self) -> str:
        names = ", ".join(self.running) or "-"
        return f"[{self.done}/{self.total}] running: {names}  {time.perf_counter() - self.t0:5.1f}s"

    def _draw(self) -> None:
        cols = 100
        try:
            cols = os.get_terminal_size().columns
        except OSError:
            pass
        sys.stdout.write("\r\x1b[2K" + self._status()[: cols - 1])
        sys.stdout.flush()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            with self._lock:
                self._draw()

    def start(self, name: str) -> None:
        with self._lock:
            self.running[name] = time.perf_counter()
            if self.live:
                self._draw()

    def finish(self, r: NotebookResult) -> None:
        with self._lock:
            self.running.pop(r.name, None)
            self.done += 1
            word = {
                "ok": "ok",
                "empty": "NOTHING DRAWN",
                "failed": "FAILED",
                "cancelled": "cancelled",
            }.get(r.status)
            line = f"[{self.done}/{self.total}] {r.name} {word} {r.duration:.1f}s"
            if r.status == "failed":
                line += f"  ({r.ename}: {r.evalue})".replace("\n", " ")[:200]
            if self.live:
                sys.stdout.write("\r\x1b[2K")
            self.log(line)
            if self.live:
                self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        if self.live:
            sys.stdout.write("\r\x1b[2K")
            sys.stdout.flush()


def _summary(result: RunResult, log: Callable[[str], Any]) -> None:
    ok = sum(r.status == "ok" for r in result.results)
    parts = [f"{ok} ran"]
    if result.empty:
        parts.append(f"{len(result.empty)} drew nothing")
    if result.failed:
        parts.append(f"{len(result.failed)} failed")
    if result.cached:
        parts.append(f"{len(result.cached)} up to date")
    cancelled = sum(r.status == "cancelled" for r in result.results)
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    log(f"set '{result.set_name}': {', '.join(parts)} in {result.elapsed:.1f}s")
    if result.failed:
        log("failed notebooks:")
        for r in result.failed:
            log(f"  - {r.error_line()}")
            if r.executed:
                log(f"    executed notebook: {r.executed}")
    for r in result.empty:
        log(f"  - {r.name}: drew nothing; its old figures were removed (reason in {r.executed})")
