"""The records beside every figure and the index of a figures folder.

``<name>.json`` is the structured record (words, sources, parameters, provenance,
licence, citation, and the sha256 of every file of the figure): the briefing pack is
built from these records only, and, written last, the record is also the manifest.
``<name>.md`` is the same record for a person browsing the folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import paths
from ..charts.figtext import FigureText
from ..errors import BelthawError
from ..style import get_size
from .files import commit_files
from .layout import DPI

#: Version of the JSON record layout; the pack refuses records it does not know.
RECORD_SCHEMA = "belthaw-figure-record/1"
#: How a citation names the work the figure comes from.
WORKBOOK = "US–Belarus normalization workbook"
#: The fields a reference carries, in the order the JSON record lists them.
REFERENCE_FIELDS = tuple(
    "source_id publisher title author published url tier "
    "original_publisher original_title original_published".split()
)


def _one_line(s: Any) -> str:
    return " ".join(str(s).split())


def _cell(s: Any) -> str:
    """Text safe inside a markdown table cell."""
    return _one_line(s).replace("|", r"\|")


def split_ids(source_ids: Iterable[str]) -> list[str]:
    """Source ids in order, ';'-joined items split, blanks and repeats dropped."""
    ids = (sid.strip() for item in source_ids for sid in str(item).split(";"))
    return list(dict.fromkeys(sid for sid in ids if sid))


def references(sources: Iterable[Mapping[str, Any]], source_ids: Iterable[str]) -> list[dict]:
    """One reference per cited source, in the order of ``source_ids`` (unknown ids skipped).

    ``sources`` are rows of ``sources.csv``; missing or NaN cells become "".
    """
    by_id = {str(r["source_id"]): r for r in sources}
    rows = [by_id[sid] for sid in split_ids(source_ids) if sid in by_id]
    blank = [{f: r.get(f) for f in REFERENCE_FIELDS} for r in rows]
    return [{f: "" if v is None or v != v else _one_line(v) for f, v in r.items()} for r in blank]


def data_licence() -> dict[str, str]:
    """The data package's licence as {"name", "title", "url"} (all "" when none is declared)."""
    try:
        path = paths.DATA_DIR / "datapackage.json"
        lic = (json.loads(path.read_text(encoding="utf-8")).get("licenses") or [{}])[0]
        lic = lic if isinstance(lic, dict) else {}
    except (OSError, ValueError, AttributeError):
        lic = {}
    return {k: str(lic.get(src, "")) for k, src in (("name", "name"), ("title", "title"), ("url", "path"))}  # fmt: skip


def citation(title: str, data_version: str, as_of: str, licence: str) -> str:
    """The one-line "cite this figure" text, the licence last when there is one."""
    line = (
        f'{WORKBOOK}, Figure "{_one_line(title)}", data version {data_version}, data as of {as_of}'
    )
    return f"{line}, {licence}" if licence else line


def reference_text(ref: Mapping[str, str]) -> str:
    """One reference as a reader cites it: publisher (and original), title, date, URL."""
    pub = ref.get("publisher", "")
    orig = ref.get("original_publisher", "")
    # A re-publication is credited to the outlet that wrote it; the copy read is named after.
    who = f"{orig} (read via {pub})" if orig and orig.casefold() not in pub.casefold() else pub
    parts = [p for p in (who, ref.get("title", ""), ref.get("published", "")) if p]
    # A part ending in its own punctuation ("Freed?", "pardons ...") keeps it, unpadded.
    text = " ".join(p if p.endswith((".", "?", "!", "…")) else p + "." for p in parts)
    return text + (f" {ref['url']}" if ref.get("url") else "")


def record(
    name: str,
    *,
    text: FigureText,
    publishers: Sequence[str],
    source: str,
    params_json: str,
    data_version: str,
    notebook: str,
    as_of: str,
    size: str,
    formats: Sequence[str],
    notes: Sequence[str],
    refs: Sequence[Mapping[str, str]],
    licence: Mapping[str, str],
    data_csv: str | None = None,
) -> dict[str, Any]:
    """The record of one figure: everything the pack prints; ``files`` is filled by the save."""
    s = get_size(size)
    shape = {"name": size, "width_cm": s.width_cm, "height_cm": s.height_cm, "width_in": s.width,
             "height_in": s.height, "png_px": [int(s.width * DPI), int(s.height * DPI)]}  # fmt: skip
    return {
        "schema": RECORD_SCHEMA,
        "name": name,
        "title": _one_line(text.title),
        "subtitle": text.subtitle,
        "caption": text.caption,
        "alt": text.alt,
        "notes": list(notes),
        "source_line": source,
        "publishers": list(publishers),
        "source_ids": split_ids(text.source_ids),
        "references": [dict(r) for r in refs],
        "parameters": json.loads(params_json),
        "data_version": data_version,
        "as_of": as_of,
        "notebook": notebook,
        "size": shape,
        "formats": list(formats),
        "files": {},
        "licence": dict(licence),
        "citation": citation(text.title, data_version, as_of, licence.get("name", "")),
        "edited": list(text.edited),
        "data_csv": data_csv,
    }


def render_json(rec: Mapping[str, Any]) -> str:
    """The record's bytes: fixed key order and indentation, so a rerun gives the same file."""
    return json.dumps(rec, ensure_ascii=False, indent=2) + "\n"


def _md_sources(rec: Mapping[str, Any]) -> list[str]:
    out = ["## Sources", "", f"On the figure: {rec['source_line']}", ""]
    out += [f"All {len(rec['publishers'])} publishers, in the order used on the figure:", ""]
    out += [f"{i}. {p}" for i, p in enumerate(rec["publishers"], 1)]
    if rec["references"]:
        out += ["", "## References", ""]
        out += [f"{i}. {reference_text(r)} (`{r['source_id']}`)" for i, r in enumerate(rec["references"], 1)]  # fmt: skip
    elif rec["source_ids"]:
        out += ["", "Source ids (data/sources.csv): " + ", ".join(f"`{i}`" for i in rec["source_ids"])]  # fmt: skip
    return out


def _md_provenance(rec: Mapping[str, Any]) -> list[str]:
    out = ["## Parameters", ""]
    if rec["parameters"]:
        out += ["| parameter | value |", "|---|---|"]
        for k, v in rec["parameters"].items():
            shown = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            out.append(f"| `{_cell(k)}` | {_cell(shown)} |")
    else:
        out.append("(none)")
    size = rec["size"]
    out += ["", "## Provenance", "", "| | |", "|---|---|"]
    return out + [
        f"| data version | `{_cell(rec['data_version'])}` |",
        f"| data as of | {rec['as_of']} |",
        f"| notebook | `{_cell(rec['notebook'])}` |",
        f"| size | {size['name']}: {size['width_cm']:g} x {size['height_cm']:g} cm "
        f"({size['width_in']:g} x {size['height_in']:g} in); "
        f"PNG {size['png_px'][0]} x {size['png_px'][1]} px at {DPI} dpi |",
    ]


def render_md(rec: Mapping[str, Any], files: Sequence[str]) -> str:
    """The Markdown sidecar, written from the record; ``files`` are the figure's file names."""
    name = rec["name"]
    out = [f"# {rec['title']}", ""] + ([rec["subtitle"], ""] if rec["subtitle"] else [])
    if "png" in rec["formats"]:
        alt = _one_line(rec["alt"] or rec["title"]).replace("[", "(").replace("]", ")")
        out += [f"![{alt}]({quote(name)}.png)", ""]
    out += ["## Caption", "", rec["caption"] or "(none)", ""]
    out += ["## Alt text", "", rec["alt"] or "(none)", ""]
    out += ["## Notes", "", *([f"- {n}" for n in rec["notes"]] or ["(none)"]), ""]
    if rec["edited"]:
        out += ["## Edited by hand", "", "Written in the notebook, not generated from the "
                "data: " + ", ".join(rec["edited"]) + ".", ""]  # fmt: skip
    if rec["data_csv"]:
        out += ["## Data", "", f"The rows drawn: [{rec['data_csv']}]({quote(rec['data_csv'])}).", ""]  # fmt: skip
    out += ["## Cite this figure", "", rec["citation"], ""]
    lic = rec["licence"]
    if lic.get("name"):
        where = f" ({lic['title']}, {lic['url']})" if lic.get("url") else ""
        out += [f"Data licence: {lic['name']}{where}; the cited sources keep their own rights.", ""]
    out += [*_md_sources(rec), "", *_md_provenance(rec), "", "## Files", ""]
    out += [f"- [{f}]({quote(f)})" for f in files]
    return "\n".join(out) + "\n"


def read_record(path: Path) -> dict[str, Any]:
    """The JSON record of a figure (``<name>.json``), checked to be one."""
    path = Path(path)
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BelthawError(
            f"{path.with_suffix('.md')} has no figure record beside it ({path.name}); "
            "re-run the notebook that makes it (`belthaw run --force`) to write one"
        ) from None
    except ValueError as e:
        raise BelthawError(f"{path}: not a figure record (invalid JSON: {e})") from None
    if not isinstance(rec, dict) or rec.get("schema") != RECORD_SCHEMA:
        raise BelthawError(
            f"{path}: not a figure record of layout {RECORD_SCHEMA!r}; "
            "re-run the notebook that makes it (`belthaw run --force`)"
        )
    return rec


def _index_row(rec: Mapping[str, Any], set_name: str) -> str:
    stem = str(rec["name"])
    title = _cell(rec["title"])
    fmts = rec["formats"]
    png = quote(f"{stem}.png")
    alt = title.replace("[", "(").replace("]", ")")
    thumb = f"[![{alt}]({png})]({png})" if "png" in fmts else "-"
    links = " ".join([*(f"[{f}]({quote(f'{stem}.{f}')})" for f in fmts), f"[md]({quote(stem)}.md)"])
    notebook = f"`{_cell(rec['notebook'])}`" if rec.get("notebook") else "-"
    return f"| {thumb} | {title} | {notebook} | `{_cell(set_name)}` | {links} |"


def write_index(figures_dir: Path, set_name: str | None = None) -> Path:
    """(Re)write ``<figures_dir>/README.md``: one table row per figure record in that folder.

    Rows are sorted by file name, so the file changes only when figures do. Subfolders
    (other parameter sets) get their own index. The "parameter set" column is the
    folder's set (``default`` for figures/).
    """
    root = Path(figures_dir)
    recs = []
    for p in sorted(root.glob("*.json")):
        try:
            recs.append(read_record(p))
        except BelthawError:
            continue  # not a figure record (a data package, a stamp)
    if set_name is None:
        set_name = "default" if root.resolve() == paths.figure_dir().resolve() else root.name
    out = [
        "# Figures",
        "",
        "Written by `belthaw.figure.write_index`; do not edit by hand. "
        "Each figure has a `.md` sidecar with caption, alt text, full sources and parameters.",
        "",
    ]
    if not recs:
        out += ["(no figures yet)"]
    else:
        out += [f"{len(recs)} figure{'s' if len(recs) != 1 else ''}.", ""]
        out += ["| figure | title | notebook | parameter set | formats |", "|---|---|---|---|---|"]
        out += [_index_row(r, set_name) for r in recs]
    return commit_files({root / "README.md": ("\n".join(out) + "\n").encode()})[0]
