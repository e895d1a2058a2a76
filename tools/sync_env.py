"""Write environment.yml from requirements.lock, so conda users get the very same versions.

Run by `make lock` after the lock is regenerated; tests/test_environment.py fails
when the two files drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Conda environment for the belthaw workbook. GENERATED from requirements.lock by
# `make lock` (tools/sync_env.py): do not edit by hand. The pip path (README) and
# this file install the same packages at the same versions.
name: belthaw
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def pins(lock_text: str) -> list[str]:
    return [
        line.strip()
        for line in lock_text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def render(lock_text: str) -> str:
    body = "".join(f"      - {p}\n" for p in pins(lock_text))
    return HEADER + body + "      - -e .\n"


def main() -> int:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    (ROOT / "environment.yml").write_text(render(lock), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
