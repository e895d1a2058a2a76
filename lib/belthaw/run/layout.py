"""Where one run reads and writes: the notebooks, figures, build and data folders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import paths

_NOTEBOOK_RE = re.compile(r"^\d\d_[\w-]+\.ipynb$")


@dataclass(frozen=True)
class _Layout:
    notebooks_dir: Path
    figures_dir: Path
    build_dir: Path
    params_file: Path
    data_dir: Path
    lib_dir: Path
    lock_files: tuple[Path, ...]

    @property
    def root(self) -> Path:
        return self.notebooks_dir.parent

    def figure_dir(self, set_name: str) -> Path:
        return self.figures_dir if set_name == "default" else self.figures_dir / set_name

    def executed(self, set_name: str, nb: str) -> Path:
        return self.build_dir / "notebooks" / set_name / f"{nb}.ipynb"

    def manifest(self, set_name: str, nb: str) -> Path:
        return self.build_dir / "cache" / set_name / f"{nb}.json"

    def outputs_file(self, set_name: str, nb: str) -> Path:
        return self.build_dir / "outputs" / set_name / f"{nb}.json"

    @property
    def durations_file(self) -> Path:
        return self.build_dir / "cache" / "durations.json"

    def rel(self, p: Path) -> str:
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(p.resolve())

    def unrel(self, s: str) -> Path:
        p = Path(s)
        return p if p.is_absolute() else self.root / p


def _layout(
    notebooks_dir: Path | str | None,
    figures_dir: Path | str | None,
    build_dir: Path | str | None,
    params_file: Path | str | None,
    data_dir: Path | str | None,
) -> _Layout:
    nbdir = Path(notebooks_dir) if notebooks_dir else paths.NOTEBOOKS_DIR
    return _Layout(
        notebooks_dir=nbdir,
        figures_dir=Path(figures_dir) if figures_dir else paths.FIGURES_DIR,
        build_dir=Path(build_dir) if build_dir else paths.BUILD_DIR,
        params_file=Path(params_file) if params_file else nbdir / "params.yaml",
        data_dir=Path(data_dir) if data_dir else paths.DATA_DIR,
        lib_dir=paths.PACKAGE_DIR,
        lock_files=tuple(sorted(paths.ROOT.glob("requirements*.lock"))),
    )


def discover_notebooks(notebooks_dir: Path | None = None) -> dict[str, Path]:
    """``{name: path}`` of every ``NN_name.ipynb`` in the notebooks folder, in name order."""
    folder = notebooks_dir or paths.NOTEBOOKS_DIR
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.ipynb")) if _NOTEBOOK_RE.match(p.name)}
