"""The records beside every figure and the index of a figures folder.

Each figure gets two sidecars written from the same inputs in the same commit:

* ``<name>.json``: the structured record (finding, scope, caption, alt text, notes,
  source line, references, parameters, provenance, licence, citation). The briefing
  pack (HTML, PDF, Word) is generated from these records only, so the three cannot
  drift from each other or from the figure files.
* ``<name>.md``: the same record for a person browsing the folder.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import paths
from ..charts.figtext import FigureText
from ..errors import BelthawError
from ..style import get_size
from .files import atomic_write_text
from .finish import DPI, FORMATS

_SIDECAR_MARK = "belthaw-figure:"
#: Version of the JSON record layout; the pack refuses records it does not know.
RECORD_SCHEMA = "belthaw-figure-record/1"
#: How a citation names the work the figure comes from.
WORKBOOK = "US–Belarus normalization workbook"
#: The fields a reference carries, in the order the JSON record lists them.
REFERENCE_FIELDS = (
    "source_id",
    "publisher",
    "title",
    "author",
    "published",
    "url",
    "tier",
    "original_publisher",
    "original_title",
    "original_published",
)


def _md(s: str) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(str(s).split()).replace("|", r"\|")


def _one_line(s: str) -> str:
    return " ".join(str(s).split())


def split_ids(source_ids: Iterable[str]) -> list[str]:
    """Source ids in order, ';'-joined items split, repeats dropped.

    >>> split_ids(["a;b", "b", " c "])
    ['a', 'b', 'c']
    """
    if isinstance(source_ids, str):
        source_ids = [source_ids]
    out: list[str] = []
    for item in source_ids:
        for sid in str(item).split(";"):
            sid = sid.strip()
            if sid and sid not in out:
                out.append(sid)
    return out


def references(sources: Iterable[Mapping[str, Any]], source_ids: Iterable[str]) -> list[dict]:
    """One reference per cited source, in the order of ``source_ids`` (unknown ids skipped).

    ``sources`` are rows of ``sources.csv`` (``data.sources.to_dict("records")`` or
    :class:`csv.DictReader` rows). Missing or NaN cells become "".

    >>> rows = [{"source_id": "x", "publisher": "AP", "title": "T", "published": "2025-01-02"}]
    >>> references(rows, ["x;y"])[0]["publisher"]
    'AP'
    """
    by_id = {str(r["source_id"]): r for r in sources}
    out = []
    for sid in split_ids(source_ids):
        row = by_id.get(sid)
        if row is None:
            continue
        ref = {}
        for f in REFERENCE_FIELDS:
            v = row[f] if f in row else ""
            ref[f] = "" if v is None or v != v else _one_line(v)  # v != v: NaN
        out.append(ref)
    return out


def references_from_data_dir(source_ids: Iterable[str], data_dir: Path | None = None) -> list[dict]:
    """References looked up in ``<data_dir>/sources.csv`` (default: the data package)."""
    path = paths.table_path("sources", data_dir)
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return references(csv.DictReader(fh), source_ids)


def data_licence(data_dir: Path | None = None) -> dict[str, str]:
    """The data package's licence as {"name", "title", "url"} (all "" when none is declared).

    >>> sorted(data_licence())
    ['name', 'title', 'url']
    """
    path = Path(data_dir or paths.DATA_DIR) / "datapackage.json"
    try:
        pkg = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pkg = {}
    lic = (pkg.get("licenses") or [{}])[0] if isinstance(pkg, dict) else {}
    if not isinstance(lic, dict):
        lic = {}
    return {
        "name": str(lic.get("name", "")),
        "title": str(lic.get("title", "")),
        "url": str(lic.get("path", "")),
    }


def citation(title: str, data_version: str, as_of: str, licence: str) -> str:
    """The one-line "cite this figure" text.

    >>> citation("Releases rose", "1.1.0+abc", "2026-03-19", "CC-BY-4.0")
    'US–Belarus normalization workbook, Figure "Releases rose", data version 1.1.0+abc, data as of 2026-03-19, CC-BY-4.0'
    """
    line = (
        f'{WORKBOOK}, Figure "{_one_line(title)}", data version {data_version}, data as of {as_of}'
    )
    return f"{line}, {licence}" if licence else line


def reference_text(ref: Mapping[str, str]) -> str:
    """One reference as a reader cites it: publisher (and original), title, date, URL.

    >>> reference_text({"publisher": "Site X", "original_publisher": "AP", "title": "T",
    ...                 "published": "2025-12-12", "url": ""})
    'AP (read via Site X). T. 2025-12-12.'
    """
    pub = ref.get("publisher", "")
    orig = ref.get("original_publisher", "")
    # A re-publication is credited to the outlet that wrote it; the copy read is named after.
    who = f"{orig} (read via {pub})" if orig and orig.casefold() not in pub.casefold() else pub
    parts = [p for p in (who, ref.get("title", ""), ref.get("published", "")) if p]
    # A part ending in its own punctuation ("Freed?", "pardons ...") keeps it, unpadded.
    text = " ".join(p if p.endswith((".", "?", "!", "…")) else p + "." for p in parts)
    if ref.get("url"):
        text += f" {ref['url']}"
    return text


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
) -> dict[str, Any]:
    """The structured record of one figure: everything the pack prints about it."""
    s = get_size(size)
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
        "size": {
            "name": size,
            "width_cm": s.width_cm,
            "height_cm": s.height_cm,
            "width_in": s.width,
            "height_in": s.height,
            "png_px": [int(s.width * DPI), int(s.height * DPI)],
        },
        "formats": list(formats),
        "files": [f"{name}.{f}" for f in formats] + [f"{name}.md", f"{name}.json"],
        "licence": dict(licence),
        "citation": citation(text.title, data_version, as_of, licence.get("name", "")),
    }


def render_json(rec: Mapping[str, Any]) -> str:
    """The record's bytes: fixed key order and indentation, so a rerun gives the same file."""
    return json.dumps(rec, ensure_ascii=False, indent=2) + "\n"


def render_md(rec: Mapping[str, Any]) -> str:
    """The Markdown sidecar, written from the record."""
    name = rec["name"]
    size = rec["size"]
    out = [f"# {rec['title']}", ""]
    if rec["subtitle"]:
        out += [rec["subtitle"], ""]
    if "png" in rec["formats"]:
        alt = _one_line(rec["alt"] or rec["title"]).replace("[", "(").replace("]", ")")
        out += [f"![{alt}]({quote(name)}.png)", ""]
    out += ["## Caption", "", rec["caption"] or "(none)", ""]
    out += ["## Alt text", "", rec["alt"] or "(none)", ""]
    out += ["## Notes", ""]
    out += [f"- {n}" for n in rec["notes"]] or ["(none)"]
    out += ["", "## Cite this figure", "", rec["citation"], ""]
    lic = rec["licence"]
    if lic.get("name"):
        out += [
            f"Data licence: {lic['name']}"
            + (f" ({lic['title']}, {lic['url']})" if lic.get("url") else "")
            + "; the cited sources keep their own rights.",
            "",
        ]
    out += ["## Sources", "", f"On the figure: {rec['source_line']}", ""]
    out += [f"All {len(rec['publishers'])} publishers, in the order used on the figure:", ""]
    out += [f"{i}. {p}" for i, p in enumerate(rec["publishers"], 1)]
    if rec["references"]:
        out += ["", "## References", ""]
        out += [
            f"{i}. {reference_text(r)} (`{r['source_id']}`)"
            for i, r in enumerate(rec["references"], 1)
        ]
    elif rec["source_ids"]:
        out += [
            "",
            "Source ids (data/sources.csv): " + ", ".join(f"`{i}`" for i in rec["source_ids"]),
        ]
    out += ["", "## Parameters", ""]
    if rec["parameters"]:
        out += ["| parameter | value |", "|---|---|"]
        for k, v in rec["parameters"].items():
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
        f"| data version | `{_md(rec['data_version'])}` |",
        f"| data as of | {rec['as_of']} |",
        f"| notebook | `{_md(rec['notebook'])}` |",
        f"| size | {size['name']}: {size['width_cm']:g} x {size['height_cm']:g} cm "
        f"({size['width_in']:g} x {size['height_in']:g} in); "
        f"PNG {size['png_px'][0]} x {size['png_px'][1]} px at {DPI} dpi |",
        "",
        "## Files",
        "",
    ]
    out += [f"- [{f}]({quote(f)})" for f in rec["files"]]
    # Machine-readable copy for write_index; an HTML comment stays invisible when rendered.
    # ">" never occurs in JSON syntax outside strings, so escaping it keeps "-->" out.
    meta = {
        "name": name,
        "title": rec["title"],
        "notebook": rec["notebook"],
        "formats": rec["formats"],
        "size": size["name"],
        "data_version": rec["data_version"],
        "as_of": rec["as_of"],
    }
    blob = json.dumps(meta, sort_keys=True, ensure_ascii=True).replace(">", "\\u003e")
    out += ["", f"<!-- {_SIDECAR_MARK} {blob} -->", ""]
    return "\n".join(out)


def sidecar_files(
    out_dir: Path,
    name: str,
    *,
    references: Sequence[Mapping[str, str]] | None = None,
    **inputs: Any,
) -> dict[Path, bytes]:
    """``{<name>.md: bytes, <name>.json: bytes}`` from the inputs :func:`save` has.

    ``references`` are the cited sources' rows (:func:`references`); when the caller
    has none at hand they are looked up in the data package's ``sources.csv``.
    """
    text: FigureText = inputs["text"]
    refs = (
        references_from_data_dir(text.source_ids)
        if references is None
        else [dict(r) for r in references]
    )
    rec = record(name, refs=refs, licence=data_licence(), **inputs)
    out_dir = Path(out_dir)
    return {
        out_dir / f"{name}.md": render_md(rec).encode("utf-8"),
        out_dir / f"{name}.json": render_json(rec).encode("utf-8"),
    }


def _sidecar(name: str, **inputs: Any) -> str:
    """The Markdown sidecar alone (kept for callers that write only the ``.md``)."""
    text: FigureText = inputs["text"]
    refs = references_from_data_dir(text.source_ids)
    inputs.pop("params", None)
    return render_md(record(name, refs=refs, licence=data_licence(), **inputs))


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
