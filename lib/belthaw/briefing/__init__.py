"""The briefing pack: a set's figures as a briefing in HTML, PDF and Word.

Built only from what the notebooks saved: each figure's JSON record (``<name>.json``),
its files and the tables and data saved beside it. :mod:`.record` gathers them into one
:class:`~.record.Pack`; :mod:`.html_pack`, :mod:`.pdf_pack` and :mod:`.docx_pack` only
lay it out. The pack is written in a new folder beside the output and swapped in whole,
so a reader never sees old documents with new figures; its manifest (inputs' digest and
each output's hash) lets the next ``belthaw brief`` skip an intact, current pack.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from .. import paths
from ..errors import BelthawError, ParameterError
from .docx_pack import render_docx
from .html_pack import render_html
from .pdf_pack import render_pdf
from .record import Pack, load_pack

__all__ = ["FORMATS", "MANIFEST", "Pack", "build", "check_formats", "cli_brief", "load_pack"]

#: Formats of the pack, and the file each one writes.
FORMATS = {"html": "index.html", "pdf": "briefing.pdf", "docx": "briefing.docx"}
MANIFEST = ".belthaw-brief.json"
#: What to do about a file-system error, by its errno.
ADVICE = {
    errno.ENOSPC: "the disk is full: free some space",
    errno.EDQUOT: "the disk quota is used up: free some space",
    errno.EROFS: "the file system is read-only: choose another folder with --out",
    errno.EACCES: "permission denied: fix the folder's permissions or choose another with --out",
    errno.EPERM: "not permitted: fix the folder's permissions or choose another with --out",
}


def check_formats(formats: str) -> list[str]:
    """``"pdf,docx"`` -> known formats, in order, once each."""
    out = list(dict.fromkeys(f.strip().lower().lstrip(".") for f in formats.split(",")))
    for f in out:
        if f not in FORMATS:
            raise BelthawError(f"unknown pack format {f!r}; choose from {', '.join(FORMATS)} "
                               "(comma-separated, e.g. --format pdf,docx)")  # fmt: skip
    return out


def outputs(pack: Pack, fmts: list[str]) -> dict[str, bytes]:
    """Every file of the pack, by name: the documents and, for HTML, the files it links."""
    render = {"html": lambda p: render_html(p).encode(), "pdf": render_pdf, "docx": render_docx}
    linked = [n for n in pack.input_files() if not n.endswith(".json")] if "html" in fmts else []
    files = {n: (pack.folder / n).read_bytes() for n in linked}
    return files | {FORMATS[f]: render[f](pack) for f in fmts}


def inputs_digest(pack: Pack, fmts: list[str]) -> str:
    """Digest of the records, figure files, tables, data and this package's code."""
    h = hashlib.sha256(json.dumps(fmts).encode())
    files = [pack.folder / n for n in pack.input_files()]
    files += sorted(Path(__file__).parent.glob("*.py"))
    for p in files:
        h.update(p.name.encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def is_current(out_dir: Path, digest: str) -> bool:
    """True when ``out_dir`` holds a pack of these inputs with every output intact."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return manifest["inputs"] == digest and all(
            hashlib.sha256((out_dir / name).read_bytes()).hexdigest() == sha
            for name, sha in manifest["outputs"].items()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False  # missing, damaged or foreign: build again


def swap_in(out_dir: Path, files: dict[str, bytes], manifest: dict) -> None:
    """Write ``files`` in a new folder beside ``out_dir``, then put it in ``out_dir``'s place."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if not out_dir.exists():  # a build stopped between its two renames: its old pack returns
        for old in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*"))[:1]:
            os.rename(old, out_dir)
    new = out_dir.with_name(f".{out_dir.name}.new-{os.getpid()}")
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    shutil.rmtree(new, ignore_errors=True)  # left by a stopped build that had this pid
    new.mkdir()
    try:
        for name, data in files.items():
            (new / name).write_bytes(data)
        (new / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        if out_dir.exists():
            os.rename(out_dir, old)
        os.rename(new, out_dir)
    except BaseException:
        if old.exists() and not out_dir.exists():
            os.rename(old, out_dir)
        shutil.rmtree(new, ignore_errors=True)
        raise
    for child in old.iterdir() if old.is_dir() else ():
        if child.is_dir() and not (out_dir / child.name).exists():  # named sets' packs inside
            os.rename(child, out_dir / child.name)
    shutil.rmtree(old, ignore_errors=True)


def fs_error(exc: OSError, reading: bool) -> BelthawError:
    what = ADVICE.get(exc.errno or 0, exc.strerror or str(exc))
    if reading:
        return BelthawError(f"cannot read {exc.filename}: {what}; re-run `belthaw run` "
                            "to write the figures again")  # fmt: skip
    return BelthawError(f"cannot write {exc.filename}: {what}, then run `belthaw brief` "
                        "again (the previous pack is unchanged)")  # fmt: skip


def build(figures_dir: Path, out_dir: Path, *, formats: str = ",".join(FORMATS),
          set_name: str = "default", force: bool = False, since: str | None = None) -> list[Path]:  # fmt: skip
    """Write the pack into ``out_dir`` and return its documents; ``[]`` when the pack
    there is current and intact (``force=True`` builds anyway). ``since`` (a day) adds,
    after the first figure, the table of what changed since that day."""
    fmts, out = check_formats(formats), Path(out_dir)
    try:
        pack = load_pack(Path(figures_dir), set_name, since)
        digest = inputs_digest(pack, fmts) + (f"+since-{since}" if since else "")
        if not force and is_current(out, digest):
            return []
        files = outputs(pack, fmts)
    except OSError as exc:
        raise fs_error(exc, reading=True) from None
    manifest = {"inputs": digest, "formats": fmts, "figures": str(figures_dir),
                "outputs": {n: hashlib.sha256(b).hexdigest() for n, b in files.items()}}  # fmt: skip
    try:
        swap_in(out, files, manifest)
    except OSError as exc:
        raise fs_error(exc, reading=False) from None
    return [out / FORMATS[f] for f in fmts]


def _day(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date YYYY-MM-DD") from None


def cli_brief(argv: list[str]) -> int:
    """``belthaw brief [--set NAME] [--out DIR] [--format html,pdf,docx] [--force] [--since DAY]``."""
    parser = argparse.ArgumentParser(
        prog="belthaw brief",
        description="Build the briefing pack (key findings, numbered figures and captions, "
        "tables, fact-check sheet, references) from a parameter set's figures, as HTML, PDF and Word.",
    )
    add = parser.add_argument
    add("--set", default="default", metavar="NAME",
        help="parameter set whose figures to pack (default: the committed figures/)")  # fmt: skip
    add("--out", type=Path, default=None, metavar="DIR",
        help="output folder (default: build/briefing/, or build/briefing/<set>/ for a named set)")  # fmt: skip
    add("--format", default=",".join(FORMATS), metavar="LIST",
        help="comma-separated formats to write: html, pdf, docx (default: all three)")  # fmt: skip
    add("--force", action="store_true", help="rebuild even when nothing changed since the last build")  # fmt: skip
    add("--since", type=_day, default=None, metavar="YYYY-MM-DD",
        help="add a table of what the sources published after that day changed")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        set_name = paths.check_set_name(args.set, where="--set")
        out = args.out or (paths.BRIEFING_DIR / ("" if set_name == "default" else set_name))
        written = build(paths.figure_dir(set_name), out, formats=args.format,
                        set_name=set_name, force=args.force, since=args.since)  # fmt: skip
    except BelthawError as exc:
        print(f"belthaw brief: {str(exc).removeprefix('belthaw: ')}", file=sys.stderr)
        return 2 if isinstance(exc, ParameterError) else 1  # a bad --set: a usage error
    if not written:
        print(f"belthaw brief: nothing changed since the last build in {out} "
              "(same figures, tables and pack code, every output intact); --force rebuilds")  # fmt: skip
    for p in written:
        print(f"belthaw brief: wrote {p}")
    return 0
