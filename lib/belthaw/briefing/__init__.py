"""The briefing pack: a set's figures as a briefing in HTML, PDF and Word.

Built only from what the notebooks saved: each figure's JSON record
(``<name>.json``: finding, caption, notes, references, citation, provenance), its
files and the tables saved beside it. :mod:`.record` gathers them into one
:class:`~.record.Pack` (story order, figure and table numbers, one reference list);
:mod:`.html_pack`, :mod:`.pdf_pack` and :mod:`.docx_pack` only lay that out, so the
three formats say the same thing. A stamp of the inputs' digest in the output folder
lets ``belthaw brief`` skip the build when nothing changed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from .. import paths
from ..errors import BelthawError, ParameterError
from .record import Pack, inputs_digest, load_pack

__all__ = ["FORMATS", "build", "cli_brief", "load_pack", "Pack"]

#: Formats of the pack, and the file each one writes.
FORMATS: dict[str, str] = {"html": "index.html", "pdf": "briefing.pdf", "docx": "briefing.docx"}
STAMP = ".belthaw-brief.json"


def _check_formats(formats) -> list[str]:
    if isinstance(formats, str):
        formats = [f for f in formats.split(",")]
    out: list[str] = []
    for f in formats:
        f = f.strip().lower().lstrip(".")
        if f not in FORMATS:
            raise BelthawError(
                f"unknown pack format {f!r}; choose from {', '.join(FORMATS)} "
                "(comma-separated, e.g. --format pdf,docx)"
            )
        if f not in out:
            out.append(f)
    if not out:
        raise BelthawError(f"no pack format given; choose from {', '.join(FORMATS)}")
    return out


def build(
    figures_dir: Path | None = None,
    out_dir: Path | None = None,
    *,
    formats=tuple(FORMATS),
    set_name: str = "default",
    force: bool = False,
) -> list[Path]:
    """Write the pack (``index.html`` + figure files, ``briefing.pdf``, ``briefing.docx``).

    Returns the written files; an empty list when the stamp in ``out_dir`` shows the
    same inputs were already built (``force=True`` builds anyway).

    >>> build(out_dir=Path("build/briefing"))        # doctest: +SKIP
    [PosixPath('build/briefing/index.html'), PosixPath('build/briefing/briefing.pdf'), ...]
    """
    from ..figure.files import atomic_write_text, commit_files

    fmts = _check_formats(formats)
    folder = Path(figures_dir or paths.figure_dir(set_name))
    pack = load_pack(folder, set_name)
    out_dir = Path(out_dir or paths.BRIEFING_DIR)
    digest = inputs_digest(pack, fmts)
    stamp = out_dir / STAMP
    targets = [out_dir / FORMATS[f] for f in fmts]
    if not force and stamp.exists() and all(p.exists() for p in targets):
        try:
            if json.loads(stamp.read_text(encoding="utf-8")).get("inputs") == digest:
                return []
        except ValueError:
            pass  # a damaged stamp: build again
    out_dir.mkdir(parents=True, exist_ok=True)
    payload: dict[Path, bytes] = {}
    if "html" in fmts:
        from .html_pack import render_html

        for f in pack.figures:
            for ext in f.record["formats"]:
                shutil.copyfile(f.file(ext), out_dir / f"{f.name}.{ext}")
        for t in pack.tables:
            shutil.copyfile(folder / t.spec.file, out_dir / t.spec.file)
        payload[out_dir / FORMATS["html"]] = render_html(pack).encode("utf-8")
    if "pdf" in fmts:
        from .pdf_pack import render_pdf

        payload[out_dir / FORMATS["pdf"]] = render_pdf(pack)
    if "docx" in fmts:
        from .docx_pack import render_docx

        payload[out_dir / FORMATS["docx"]] = render_docx(pack)
    written = commit_files(payload)
    stamp_text = json.dumps({"inputs": digest, "formats": fmts, "figures": str(folder)}, indent=1)
    atomic_write_text(stamp, stamp_text + "\n")
    return written


def cli_brief(argv: list[str]) -> int:
    """``belthaw brief [--set NAME] [--out DIR] [--format html,pdf,docx] [--force]``."""
    parser = argparse.ArgumentParser(
        prog="belthaw brief",
        description="Build the briefing pack (key findings, numbered figures and captions, "
        "tables, references) from a parameter set's figures, as HTML, PDF and Word.",
    )
    parser.add_argument(
        "--set", default="default", metavar="NAME",
        help="parameter set whose figures to pack (default: the committed figures/)",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, default=None, metavar="DIR",
        help="output folder (default: build/briefing/, or build/briefing/<set>/ for a named set)",
    )  # fmt: skip
    parser.add_argument(
        "--format", default=",".join(FORMATS), metavar="LIST",
        help="comma-separated formats to write: html, pdf, docx (default: all three)",
    )  # fmt: skip
    parser.add_argument(
        "--force", action="store_true", help="rebuild even when nothing changed since the last build"
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        set_name = paths.check_set_name(args.set, where="--set")
        figures = paths.figure_dir(set_name)
        out = args.out or (
            paths.BRIEFING_DIR if set_name == "default" else paths.BRIEFING_DIR / set_name
        )
        written = build(figures, out, formats=args.format, set_name=set_name, force=args.force)
    except ParameterError as exc:  # a bad --set: nothing was read or written
        print(f"belthaw brief: {str(exc).removeprefix('belthaw: ')}", file=sys.stderr)
        return 2
    except BelthawError as exc:
        print(f"belthaw brief: {str(exc).removeprefix('belthaw: ')}", file=sys.stderr)
        return 1
    if not written:
        print(
            f"belthaw brief: nothing changed since the last build in {out} "
            "(same figures, tables and pack code); --force rebuilds"
        )
        return 0
    for p in written:
        print(f"belthaw brief: wrote {p}")
    return 0
