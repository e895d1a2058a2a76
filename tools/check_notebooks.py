"""Check the committed notebooks: a tagged `parameters` cell, every parameter typed and
commented, and no outputs or execution counts (executed notebooks are build outputs).

Used by pre-commit and by the test suite, so a contributor who skips pre-commit is
still told. Exit 1 with one line per problem.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAM_LINE = re.compile(r"^[A-Za-z_]\w*\s*:\s*[\w\[\], ]+\s*=\s*.+#\s*\S")


def problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    cells = nb.get("cells", [])
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        out.append(f"{path}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    for cell in tagged:
        for n, line in enumerate("".join(cell["source"]).splitlines(), 1):
            if line.strip() and not line.startswith("#") and not PARAM_LINE.match(line):
                out.append(
                    f"{path}: parameters line {n} must read 'name: type = default  # help': {line}"
                )
    for i, cell in enumerate(cells):
        if cell.get("outputs"):
            out.append(f"{path}: cell {i} has outputs; strip them (nbstripout)")
        if cell.get("execution_count") is not None:
            out.append(f"{path}: cell {i} has an execution count; strip it (nbstripout)")
    return out


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    found = [p for f in files if f.suffix == ".ipynb" for p in problems(f)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
