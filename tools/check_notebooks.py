"""Check the committed notebooks: the ``parameters`` cell is exactly the one its declaration in
``belthaw/parameters.py`` gives, and no cell carries outputs or execution counts (executed
notebooks are build outputs).

Used by pre-commit and by the test suite, so a contributor who skips pre-commit is still
told. Exit 1 with one line per problem. ``--fix`` rewrites each parameters cell from the
declaration and strips outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from belthaw.parameters import NOTEBOOKS, cell_source  # noqa: E402
from belthaw.run.sets import cell_problem  # noqa: E402


def problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    cells = nb.get("cells", [])
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        out.append(f"{path}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    elif path.stem not in NOTEBOOKS:
        out.append(f"{path}: no parameters declared for '{path.stem}' in belthaw/parameters.py")
    else:
        problem = cell_problem(path, path.stem)
        if problem:
            out.append(f"{path}: {problem}")
    for i, cell in enumerate(cells):
        if cell.get("outputs"):
            out.append(f"{path}: cell {i} has outputs; strip them (nbstripout)")
        if cell.get("execution_count") is not None:
            out.append(f"{path}: cell {i} has an execution count; strip it (nbstripout)")
    return out


def fix(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []) and path.stem in NOTEBOOKS:
            cell["source"] = cell_source(path.stem).splitlines(keepends=True)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    do_fix = "--fix" in argv
    files = [Path(a) for a in argv if a != "--fix"] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    files = [f for f in files if f.suffix == ".ipynb"]
    if do_fix:
        for f in files:
            fix(f)
    found = [p for f in files for p in problems(f)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
