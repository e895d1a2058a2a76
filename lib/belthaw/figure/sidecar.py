"""The sidecar beside every figure (``<name>.md``: caption, alt text, sources, parameters,
provenance) and the index of a figures folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import paths
from ..charts.figtext import FigureText
from ..style import get_size
from .files import atomic_write_text
from .finish import DPI, FORMATS

_SIDECAR_MARK = "belthaw-figure:"


def _md(s: str) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(str(s).split()).replace("|", r"\|")


def _sidecar(
    name: str,
    *,
    text: FigureText,
    publishers: list[str],
    source: str,
    params: Mapping[str, Any],
    params_json: str,
    data_version: str,
    notebook: str,
    as_of: str,
    size: str,
    formats: list[str],
    notes: list[str],
) -> str:
    s = get_size(size)
    px_w, px_h = int(s.width * DPI), int(s.height * DPI)
    files = [f"{name}.{f}" for f in formats]
    out = [f"# {' '.join(text.title.split())}", ""]
    if text.subtitle:
        out += [text.subtitle, ""]
    if "png" in formats:
        alt = " ".join((text.alt or text.title).split()).replace("[", "(").replace("]", ")")
        out += [f"![{alt}]({quote(name)}.png)", ""]
    out += ["## Caption", "", text.caption or "(none)", ""]
    out += ["## Alt text", "", text.alt or "(none)", ""]
    out += ["## Notes", ""]
    out += [f"- {n}" for n in notes] or ["(none)"]
    out += ["", "## Sources", "", f"On the figure: {source}", ""]
    out += [f"All {len(publishers)} publishers, in the order used on the figure:", ""]
    out += [f"{i}. {p}" for i, p in enumerate(publishers, 1)]
    if text.source_ids:
        out += [
            "",
            "Source ids (data/sources.csv): " + ", ".join(f"`{i}`" for i in text.source_ids),
        ]
    out += ["", "## Parameters", ""]
    if params:
        out += ["| parameter | value |", "|---|---|"]
        for k, v in json.loads(params_json).items():
            shown = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            out.append(f"| `{_md(k)}` | {_md(shown)} |")
    else:
        out.append("(none)")
    out += [
        "",
        "## Provenance",
        "",
        "| | |",
        "|---|---|",
        f"| data version | `{_md(data_version)}` |",
        f"| data as of | {as_of} |",
        f"| notebook | `{_md(notebook)}` |",
        f"| size | {size}: {s.width_cm:g} x {s.height_cm:g} cm ({s.width:g} x {s.height:g} in); "
        f"PNG {px_w} x {px_h} px at {DPI} dpi |",
        "",
        "## Files",
        "",
    ]
    out += [f"- [{f}]({quote(f)})" for f in [*files, f"{name}.md"]]
    # Machine-readable copy for write_index; an HTML comment stays invisible when rendered.
    # ">" never occurs in JSON syntax outside strings, so escaping it keeps "-->" out.
    meta = {
        "name": name,
        "title": text.title,
        "notebook": notebook,
        "formats": formats,
        "size": size,
        "data_version": data_version,
        "as_of": as_of,
    }
    blob = json.dumps(meta, sort_keys=True, ensure_ascii=True).replace(">", "\\u003e")
    out += ["", f"<!-- {_SIDECAR_MARK} {blob} -->", ""]
    return "\n".join(out)


def read_sidecar(path: Path) -> dict[str, Any]:
    raw = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    m = re.search(r"<!--\s*" + re.escape(_SIDECAR_MARK) + r"\s*(\{.*?\})\s*-->", raw, re.S)
    if m:
        try:
            meta = json.loads(m.group(1))
        except json.JSONDecodeError:
            meta = {}
    if not meta.get("title"):  # a hand-written .md: first heading, else the file name
        h = re.search(r"^#\s+(.+)$", raw, re.M)
        meta["title"] = h.group(1).strip() if h else path.stem
    if not meta.get("formats"):
        meta["formats"] = [f for f in FORMATS if path.with_suffix(f".{f}").exists()]
    return meta


def write_index(figures_dir: Path, set_name: str | None = None) -> Path:
    """(Re)write ``<figures_dir>/README.md``: one table row per figure sidecar in that folder.

    Rows are sorted by file name, so the file changes only when figures do. Subfolders
    (other parameter sets) get their own index and are left out here: the committed
    ``figures/README.md`` must not depend on which uncommitted sets a machine happens
    to hold. The "parameter set" column is the folder's set (``default`` for figures/).

    >>> import tempfile, pathlib
    >>> write_index(pathlib.Path(tempfile.mkdtemp())).name
    'README.md'
    """
    root = Path(figures_dir)
    root.mkdir(parents=True, exist_ok=True)
    sidecars = sorted(
        p
        for p in root.glob("*.md")
        if p.is_file() and p.name.casefold() != "readme.md" and not p.name.startswith(".")
    )
    if set_name is None:
        set_name = "default" if root.resolve() == paths.figure_dir().resolve() else root.name

    out = [
        "# Figures",
        "",
        "Written by `belthaw.save.write_index`; do not edit by hand. "
        "Each figure has a `.md` sidecar with caption, alt text, full sources and parameters.",
        "",
    ]
    if not sidecars:
        out += ["(no figures yet)", ""]
    else:
        out += [
            f"{len(sidecars)} figure{'s' if len(sidecars) != 1 else ''}.",
            "",
            "| figure | title | notebook | parameter set | formats |",
            "|---|---|---|---|---|",
        ]
        for p in sidecars:
            meta = read_sidecar(p)
            rel = p.relative_to(root)
            stem = rel.with_suffix("").as_posix()
            folder = rel.parent.as_posix()
            title = _md(meta["title"])
            fmts = [f for f in meta["formats"] if f in FORMATS]
            if "png" in fmts:
                png = quote(f"{stem}.png")
                alt = title.replace("[", "(").replace("]", ")")
                thumb = f"[![{alt}]({png})]({png})"
            else:
                thumb = "-"
            links = " ".join(f"[{f}]({quote(f'{stem}.{f}')})" for f in fmts)
            links = (links + " " if links else "") + f"[md]({quote(rel.as_posix())})"
            notebook = f"`{_md(meta['notebook'])}`" if meta.get("notebook") else "-"
            pset = set_name if folder == "." else folder
            out.append(f"| {thumb} | {title} | {notebook} | `{_md(pset)}` | {links} |")
        out.append("")
    return atomic_write_text(root / "README.md", "\n".join(out))
