"""The briefing pack: one HTML page and one PDF with every figure of a set, ready to copy from.

Built from what the notebooks saved (figure files + their ``.md`` sidecars), so
the pack always shows exactly the committed figures: each at its print size,
with its finding, scope, how to read it, notes, sources and the data date.
The PDF keeps the figures as vector graphics (each figure's own PDF page is
placed on the A4 page), so text stays text when pasted or edited.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import BelthawError

A4 = (8.27, 11.69)  # inches
MARGIN = 0.8  # inches


@dataclass
class Entry:
    """One figure of the pack, read back from its sidecar."""

    name: str
    folder: Path
    meta: dict
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.meta.get("title", self.name))

    @property
    def subtitle(self) -> str:
        return self.sections.get("", "").split("\n\n")[0].strip()

    def file(self, ext: str) -> Path:
        return self.folder / f"{self.name}.{ext}"


def _sections(md: str) -> dict[str, str]:
    """Split a sidecar into {heading: body}; the text before the first '## ' is under ''."""
    body = re.sub(r"<!--.*?-->", "", md, flags=re.S)
    body = re.sub(r"^# .*\n", "", body, count=1)
    parts = re.split(r"^## (.+)$", body, flags=re.M)
    out = {"": re.sub(r"!\[.*?\]\(.*?\)", "", parts[0]).strip()}
    for head, text in zip(parts[1::2], parts[2::2], strict=False):
        out[head.strip()] = text.strip()
    return out


def entries(folder: Path | None = None) -> list[Entry]:
    """Every figure in ``folder`` (default: the committed figures), in notebook order."""
    from .figure.sidecar import read_sidecar

    folder = Path(folder or paths.figure_dir("default"))
    found = []
    for md in sorted(folder.glob("*.md")):
        if md.name == "README.md":
            continue
        meta = read_sidecar(md)
        found.append(Entry(md.stem, folder, meta, _sections(md.read_text(encoding="utf-8"))))
    if not found:
        raise BelthawError(
            f"no figures in {folder}: run `belthaw run` first (the pack is built from them)"
        )
    return found


def _list_items(text: str, limit: int | None = None) -> list[str]:
    items = [ln[2:].strip() for ln in text.splitlines() if ln.startswith(("- ", "* "))]
    numbered = [re.sub(r"^\d+\.\s+", "", ln).strip() for ln in text.splitlines()]
    numbered = [
        n for n, ln in zip(numbered, text.splitlines(), strict=True) if re.match(r"^\d+\.", ln)
    ]
    out = numbered or items
    return out[:limit] if limit else out


def _notes(e: Entry) -> list[str]:
    text = e.sections.get("Notes", "")
    return [] if text.strip() in ("", "(none)") else _list_items(text) or [text.strip()]


def render_html(items: list[Entry], as_of: str) -> str:
    """The pack as one self-contained HTML page (figures referenced beside it)."""
    css = (
        "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:18cm;margin:2em auto;"
        "color:#222;line-height:1.4}figure{margin:0 0 1em}img{width:16cm;border:1px solid #ddd}"
        "h2{font-size:1.15em;margin-top:2.2em}.meta{color:#555;font-size:.9em}"
        "details{font-size:.85em;color:#444}"
    )
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Briefing pack: US-Belarus prisoner releases and sanctions relief</title>",
        f"<style>{css}</style></head><body>",
        "<h1>Briefing pack: US-Belarus prisoner releases and sanctions relief</h1>",
        f'<p class="meta">Data as of {html.escape(as_of)}. Each figure is shown at its print '
        "width (16 cm on an A4 page); right-click to copy it, or take the SVG or PDF for "
        "vector quality.</p>",
    ]
    for e in items:
        size = e.meta.get("size", "")
        links = " · ".join(
            f'<a href="{html.escape(e.name)}.{ext}">{ext.upper()}</a>'
            for ext in e.meta.get("formats", [])
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in _notes(e))
        sources = _list_items(e.sections.get("Sources", ""))
        out += [
            f'<section id="{html.escape(e.name)}">',
            f"<h2>{html.escape(e.title)}</h2>",
            f"<p>{html.escape(e.subtitle)}</p>",
            f'<figure><img src="{html.escape(e.name)}.png" '
            f'alt="{html.escape(e.sections.get("Alt text", ""))}"></figure>',
            f"<p><strong>How to read it.</strong> {html.escape(e.sections.get('Caption', ''))}</p>",
            f"<ul>{notes}</ul>" if notes else "",
            f'<p class="meta">Notebook {html.escape(str(e.meta.get("notebook", "")))} · size '
            f"{html.escape(size)} · data version {html.escape(str(e.meta.get('data_version', '')))}"
            f" · download {links}</p>",
            f"<details><summary>Sources ({len(sources)})</summary><ol>"
            + "".join(f"<li>{html.escape(s)}</li>" for s in sources)
            + "</ol></details>",
            "</section>",
        ]
    out.append("</body></html>")
    return "\n".join(x for x in out if x) + "\n"


def _text_page(e: Entry, fig_height: float, as_of: str) -> bytes:
    """An A4 page of text (caption, notes, sources, provenance) under room left for the figure."""
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure

    from .figure.save import render_context

    with render_context("a4-full"):
        fig = Figure(figsize=A4)
        FigureCanvasPdf(fig)
        y = A4[1] - MARGIN

        def put(text: str, size: float, weight: str = "normal", width: int = 95, gap=0.12):
            nonlocal y
            if not text:
                return
            wrapped = "\n".join(textwrap.fill(p, width) for p in text.split("\n"))
            fig.text(MARGIN / A4[0], y / A4[1], wrapped, fontsize=size, weight=weight, va="top")
            y -= (wrapped.count("\n") + 1) * size * 1.35 / 72 + gap

        # The figure carries its own title, scope and source line: it goes first, as pasted.
        y -= fig_height + 0.25
        put("How to read it: " + e.sections.get("Caption", ""), 8.5)
        for n in _notes(e):
            put("Note: " + n, 8)
        srcs = _list_items(e.sections.get("Sources", ""))
        more = f" and {len(srcs) - 12} more (see {e.name}.md)" if len(srcs) > 12 else ""
        put("Sources: " + "; ".join(srcs[:12]) + more, 7.5)
        put(
            f"Data as of {as_of}; data version {e.meta.get('data_version', '')}; "
            f"notebook {e.meta.get('notebook', '')}; size {e.meta.get('size', '')}.",
            7.5,
        )
        buf = io.BytesIO()
        fig.savefig(
            buf,
            format="pdf",
            metadata={"Creator": "belthaw", "Producer": "belthaw", "CreationDate": None},
        )
    return buf.getvalue()


def render_pdf(items: list[Entry], as_of: str) -> bytes:
    """The pack as a PDF: one A4 page per figure, the figure's own vector page placed on it."""
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter()
    for e in items:
        fig_page = PdfReader(e.file("pdf")).pages[0]
        w_in = float(fig_page.mediabox.width) / 72
        h_in = float(fig_page.mediabox.height) / 72
        scale = min(1.0, (A4[0] - 2 * MARGIN) / w_in, (A4[1] * 0.62) / h_in)
        text_page = PdfReader(io.BytesIO(_text_page(e, h_in * scale, as_of))).pages[0]
        page = writer.add_page(text_page)
        top_gap = MARGIN
        x = MARGIN * 72
        y = (A4[1] - top_gap - h_in * scale) * 72
        page.merge_transformed_page(fig_page, Transformation().scale(scale, scale).translate(x, y))
    writer.add_metadata({"/Title": "Briefing pack", "/Producer": "belthaw", "/Creator": "belthaw"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def build(
    figures_dir: Path | None = None, out_dir: Path | None = None, *, as_of: str | None = None
) -> list[Path]:
    """Write ``index.html`` (+ the figure files it shows) and ``briefing.pdf`` into ``out_dir``.

    >>> build()                                    # doctest: +SKIP
    [PosixPath('build/briefing/index.html'), PosixPath('build/briefing/briefing.pdf')]
    """
    from .figure.files import atomic_write_text, commit_files

    items = entries(figures_dir)
    out_dir = Path(out_dir or paths.BRIEFING_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = as_of or str(items[0].meta.get("as_of", ""))
    for e in items:
        for ext in e.meta.get("formats", []):
            shutil.copy2(e.file(ext), out_dir / f"{e.name}.{ext}")
    html_path = atomic_write_text(out_dir / "index.html", render_html(items, as_of))
    (pdf_path,) = commit_files({out_dir / "briefing.pdf": render_pdf(items, as_of)})
    return [html_path, pdf_path]


def cli_brief(argv: list[str]) -> int:
    """``belthaw brief [--set NAME] [--out DIR]``: messages start with ``belthaw brief:``."""
    parser = argparse.ArgumentParser(prog="belthaw brief", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="default", help="parameter set whose figures to pack")
    parser.add_argument("--out", type=Path, default=None, help="output folder (build/briefing/)")
    args = parser.parse_args(argv)
    try:
        written = build(paths.figure_dir(args.set), args.out)
    except BelthawError as exc:
        print(f"belthaw brief: {exc}")
        return 1
    for p in written:
        print(f"wrote {p}")
    return 0
