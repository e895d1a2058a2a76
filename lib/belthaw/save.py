"""Finish and save figures: every format, atomic, byte-for-byte reproducible, with provenance.

A figure leaves the workbook only through :func:`save`. It

* draws the finding (title), scope (subtitle), notes, source line and data date
  onto the figure itself (:func:`finish_figure`), so a PNG pasted into a briefing
  carries its own provenance even when the caption is lost;
* writes ``<name>.png``, ``.svg``, ``.pdf`` at exactly the named size, plus a
  ``<name>.md`` sidecar with the full source list, parameters and data version;
* writes all files or none (:func:`atomic_write_text`, temp files + ``os.replace``);
* gives the same bytes for the same figure on every run and every machine, so a
  ``git diff`` of ``figures/`` shows only real changes.

Importing this module imports neither matplotlib nor pyplot; both load on first use.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import secrets
import warnings
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import paths
from .errors import BelthawError
from .figtext import FigureText
from .style import MIN_FONT_PT, get_size, house_style, size_of

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "FORMATS",
    "TMP_PREFIX",
    "atomic_write_text",
    "finish_figure",
    "save",
    "source_line",
    "write_index",
]

#: The formats :func:`save` can write, in the order they are written.
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: Every temporary file this module creates starts with this (hidden on Unix; easy to sweep).
TMP_PREFIX = ".belthaw-tmp-"
#: Raster resolution of the PNG (and of anything rasterised inside SVG/PDF).
DPI = 300
#: Written as "creator"/"producer"/"software" instead of matplotlib's versioned string,
#: so upgrading matplotlib does not change the bytes of every figure.
CREATOR = "belthaw"
AUTHOR = "belthaw workbook"

# Layout, in points. The outer margin keeps text off the paper edge when a
# briefing template adds no border of its own.
_MARGIN_PT = 6.0
_GAP_PT = 2.0  # between stacked header / footer blocks
_AXES_GAP_PT = 5.0  # between the text blocks and the plotting area
_MIN_PLOT_SHARE = 0.25  # below this, the plot is too squeezed to read: fail loudly

_GID = "belthaw:"  # prefix of the gid of every artist finish_figure adds
_SIDECAR_MARK = "belthaw-figure:"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)
}


# --------------------------------------------------------------------------- atomic files


def _write_temp(directory: Path, data: bytes) -> Path:
    """Write ``data`` to a new temp file in ``directory`` and return its path.

    Same directory as the target, so ``os.replace`` is a rename on one file
    system (atomic), never a copy. ``os.open`` with mode 0o666 (less umask) gives
    the final file the permissions a normal write would, unlike ``mkstemp``'s 0o600.
    """
    while True:
        tmp = directory / f"{TMP_PREFIX}{secrets.token_hex(6)}"
        try:
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        break
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _backup(target: Path) -> Path:
    """A temp copy of ``target`` (a hard link when the file system allows) for rollback."""
    tmp = target.parent / f"{TMP_PREFIX}bak-{secrets.token_hex(6)}"
    try:
        os.link(target, tmp)
        return tmp
    except OSError:
        return _write_temp(target.parent, target.read_bytes())


def _commit(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every file or none: all temps first, then replace all, rolling back on error."""
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    replaced: list[Path] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            temps[target] = _write_temp(target.parent, data)
        for target in temps:
            backups[target] = _backup(target) if target.exists() else None
        for target, tmp in temps.items():
            os.replace(tmp, target)
            replaced.append(target)
    except BaseException:
        for target in reversed(replaced):  # undo: old bytes back, new files gone
            old = backups.get(target)
            try:
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:  # pragma: no cover - nothing better to do mid-failure
                pass
        for tmp in [*temps.values(), *(b for b in backups.values() if b is not None)]:
            tmp.unlink(missing_ok=True)
        raise
    for b in backups.values():
        if b is not None:
            b.unlink(missing_ok=True)
    return list(files)


def atomic_write_text(path: Path | str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically: readers see the old file or the new one, never half.

    Line endings are written as ``\\n`` on every platform (same bytes everywhere).
    Creates the parent folder if needed. Returns the path.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sub" / "note.md"
    >>> atomic_write_text(p, "# hello\\n").read_text()
    '# hello\\n'
    """
    path = Path(path)
    _commit({path: text.encode(encoding)})
    return path


# --------------------------------------------------------------------------- source line


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        s = " ".join(str(item).split())
        if s and s.casefold() not in seen:
            seen.add(s.casefold())
            out.append(s)
    return out


def source_line(
    publishers: Sequence[str], *, max_names: int = 6, sidecar_name: str | None = None
) -> str:
    """The one-line attribution printed under a figure.

    ``publishers`` come most important first (the caller decides); the order is
    kept, blanks and repeats (case-insensitive) dropped. Beyond ``max_names`` the
    rest is counted and, given ``sidecar_name``, pointed to the sidecar file.

    >>> source_line(["AP", "Reuters", "AP"])
    'Source: AP; Reuters'
    >>> source_line(["AP", "Reuters", "Viasna", "BBC"], max_names=2, sidecar_name="releases")
    'Source: AP; Reuters and 2 others (full list in releases.md)'
    """
    if isinstance(publishers, str):
        publishers = [publishers]
    if max_names < 1:
        raise BelthawError(f"source_line: max_names must be at least 1, got {max_names}")
    names = _unique(publishers)
    if not names:
        raise BelthawError(
            "source_line: no publishers given; every figure needs at least one source "
            "(pass dataset.publishers(text.source_ids))"
        )
    line = "Source: " + "; ".join(names[:max_names])
    rest = len(names) - max_names
    if rest > 0:
        line += f" and {rest} other{'s' if rest != 1 else ''}"
        if sidecar_name:
            md = sidecar_name if sidecar_name.endswith(".md") else f"{sidecar_name}.md"
            line += f" (full list in {md})"
    return line


# --------------------------------------------------------------------------- finish_figure


def _as_of_str(as_of: Any) -> str:
    try:
        if isinstance(as_of, str):
            s = as_of.strip()
            date.fromisoformat(s)
            if len(s) != 10:
                raise ValueError
            return s
        if isinstance(as_of, datetime | date) or hasattr(as_of, "strftime"):
            return as_of.strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        pass
    raise BelthawError(f"as_of must be a date as YYYY-MM-DD (e.g. '2025-09-11'), got {as_of!r}")


def _renderer(fig: Figure):
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:  # Agg canvases, including Jupyter's inline backend
        return get()
    return fig._get_renderer()  # any other canvas: matplotlib builds a throwaway one


def _wrap(text: str, prop, width_px: float, renderer) -> str:
    """Greedy word wrap by measured width (not character count: "WWW" is wider than "iii")."""

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0]

    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            candidate = f"{line} {word}" if line else word
            if width(candidate) <= width_px:
                line = candidate
                continue
            if line:
                lines.append(line)
            while len(word) > 1 and width(word) > width_px:  # a URL longer than the figure
                cut = max(1, max(k for k in range(1, len(word) + 1) if width(word[:k]) <= width_px))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return "\n".join(lines)


def _remove_tagged(fig: Figure) -> None:
    for t in list(fig.texts):
        if str(t.get_gid() or "").startswith(_GID):
            t.remove()


def _fit_axes(fig: Figure, bottom: float, top: float, renderer) -> None:
    """Confine the axes (with tick labels, axis labels, legends) to ``bottom..top`` of the figure.

    Constrained layout measures every decoration at draw time, so long tick
    labels never run into the title or the source line. A figure already using
    tight layout keeps it (switching would break its colorbars).
    """
    from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

    rect = (0.0, bottom, 1.0, top - bottom)
    engine = fig.get_layout_engine()
    try:
        if isinstance(engine, TightLayoutEngine):
            fig.set_layout_engine(TightLayoutEngine(rect=rect))
        else:
            fig.set_layout_engine(ConstrainedLayoutEngine(rect=rect))
        return
    except RuntimeError:  # incompatible engine (colorbars made under another engine)
        pass
    # Fallback: place subplots in the band, then pull them in by what sticks out.
    fig.subplots_adjust(bottom=bottom, top=top)
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    boxes = [b for b in boxes if b is not None]
    if boxes:
        from matplotlib.transforms import Bbox

        u = Bbox.union(boxes)
        h = fig.bbox.height
        below = max(0.0, bottom * h - u.y0) / h
        above = max(0.0, u.y1 - top * h) / h
        sp = fig.subplotpars
        fig.subplots_adjust(bottom=sp.bottom + below, top=sp.top - above)


def finish_figure(
    fig: Figure,
    text: FigureText,
    *,
    source_line: str,
    as_of: str,
    notes: Sequence[str] = (),
    as_of_note: str = "",
) -> Figure:
    """Put the finding, scope, notes, source and data date on the figure; fit the axes between.

    Top: ``text.title`` (bold, wrapped to the figure width) and ``text.subtitle``.
    Bottom, in small type (>= 7 pt): ``text.notes`` then ``notes`` (one "Note:" each),
    the ``source_line`` (wrapped), and "Data as of YYYY-MM-DD". The axes are laid
    out in the band left between, so nothing overlaps, at the figure's own size
    (no ``bbox_inches="tight"`` later). Calling it again replaces these texts
    (each is tagged with a ``gid`` starting ``belthaw:``), it never duplicates them.

    Font sizes follow the named size the figure has (``a4-full``, ``a4-half``,
    ``slide``), else ``rcParams["font.size"]``.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(6.3, 4.2)); ax = fig.add_subplot()
    >>> t = FigureText("Releases came in three waves", "Sep 2024 - Sep 2025", "", "")
    >>> fig = finish_figure(fig, t, source_line="Source: AP", as_of="2025-09-11")
    >>> sorted(x.get_gid() for x in fig.texts)
    ['belthaw:as_of', 'belthaw:source', 'belthaw:subtitle', 'belthaw:title']
    """
    as_of_s = _as_of_str(as_of)
    _remove_tagged(fig)
    # Measure at the resolution the files are written at: Agg hints glyphs, and at
    # 100 dpi a bold line measures ~3 % narrower than it prints at 300 dpi.
    old_dpi = fig.dpi
    fig.dpi = DPI
    try:
        _finish(fig, text, source_line, as_of_s, notes, as_of_note)
    except BaseException:
        _remove_tagged(fig)  # no half-finished figure left behind
        raise
    finally:
        fig.dpi = old_dpi
    # Remembered so that save(), which finishes the figure again, keeps these notes.
    fig._belthaw_extra_notes = tuple(notes)  # type: ignore[attr-defined]
    fig._belthaw_as_of_note = as_of_note  # type: ignore[attr-defined]
    return fig


def _finish(
    fig: Figure,
    text: FigureText,
    source_line: str,
    as_of_s: str,
    notes: Sequence[str],
    as_of_note: str = "",
):
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    named = size_of(*fig.get_size_inches())
    # 8.5 pt base is the floor so that base - 1.5 (the footer) never drops under 7 pt.
    base = named.base_font if named else max(float(mpl.rcParams["font.size"]), 8.5)
    sizes = {"title": base + 2.0, "subtitle": base, "small": max(MIN_FONT_PT, base - 1.5)}

    renderer = _renderer(fig)
    W, H = fig.bbox.width, fig.bbox.height
    px = fig.dpi / 72.0  # pixels per point
    margin, gap = _MARGIN_PT * px, _GAP_PT * px
    # 1 % slack: PDF/SVG use unhinted metrics, a hair off Agg's.
    wrap_px = (W - 2 * margin) * 0.99
    x = margin / W

    def place(key: str, s: str, y_px: float, *, va: str, size: float, weight: str = "normal"):
        prop = FontProperties(size=size, weight=weight)
        t = fig.text(
            x,
            y_px / H,
            _wrap(s, prop, wrap_px, renderer),
            ha="left",
            va=va,
            fontproperties=prop,
            gid=_GID + key,
            parse_math=False,  # "$30m" is money, not mathtext
            usetex=False,
            wrap=False,  # we wrapped by measurement; matplotlib's wrap ignores our margins
        )
        return t.get_window_extent(renderer)

    # Header, top-down.
    y = H - margin
    if text.title.strip():
        y = place("title", text.title, y, va="top", size=sizes["title"], weight="bold").y0 - gap
    if text.subtitle.strip():
        y = place("subtitle", text.subtitle, y, va="top", size=sizes["subtitle"]).y0 - gap
    header_bottom = y + gap - _AXES_GAP_PT * px

    # Footer, bottom-up: date last line, source above it, notes on top.
    y = margin
    dated = f"Data as of {as_of_s}" + (f" ({as_of_note})" if as_of_note else "")
    y = place("as_of", dated, y, va="bottom", size=sizes["small"]).y1 + gap
    y = place("source", source_line, y, va="bottom", size=sizes["small"]).y1 + gap
    all_notes = _unique([*text.notes, *notes])
    if all_notes:
        body = "\n".join(f"Note: {n}" for n in all_notes)
        y = place("notes", body, y, va="bottom", size=sizes["small"]).y1 + gap
    footer_top = y - gap + _AXES_GAP_PT * px

    bottom, top = footer_top / H, header_bottom / H
    if top - bottom < _MIN_PLOT_SHARE:
        where = f"the {named.name!r} figure" if named else "the figure"
        raise BelthawError(
            f"finish_figure: title, subtitle, notes and source line take {1 - (top - bottom):.0%} "
            f"of {where}, leaving too little room for the chart; shorten the title or notes "
            "(details belong in the caption) or use a larger size"
        )
    _fit_axes(fig, bottom, top, renderer)


# --------------------------------------------------------------------------- save


def _check_name(name: str) -> str:
    if (
        not isinstance(name, str)
        or not _NAME_RE.fullmatch(name)
        or ".." in name
        or name.endswith(".")
        or name.casefold() == "readme"
        or name.split(".")[0].upper() in _WINDOWS_RESERVED
    ):
        raise BelthawError(
            f"figure name {name!r} is not a safe file name: use letters, digits, '-', '_' "
            "and '.', starting with a letter or digit, at most 100 characters "
            "(e.g. 'releases-cumulative'), not 'README'"
        )
    return name


def _check_formats(formats: Sequence[str] | str) -> list[str]:
    if isinstance(formats, str):  # save(..., formats="png") means one format, not 'p','n','g'
        formats = [formats]
    out: list[str] = []
    for f in formats:
        if f not in FORMATS:
            raise BelthawError(f"unknown figure format {f!r}; choose from: {', '.join(FORMATS)}")
        if f not in out:
            out.append(f)
    if not out:
        raise BelthawError(f"no figure format given; choose from: {', '.join(FORMATS)}")
    return out


def _json_default(v: Any) -> Any:
    if isinstance(v, datetime | date) or hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, Path):
        return v.as_posix()
    if isinstance(v, set | frozenset):
        return sorted(v, key=str)
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    if hasattr(v, "tolist"):  # numpy arrays
        return v.tolist()
    raise TypeError(type(v).__name__)


def _params_json(params: Mapping[str, Any]) -> str:
    # Sorted keys and fixed separators: the same parameters give the same bytes.
    try:
        return json.dumps(
            dict(params),
            sort_keys=True,
            ensure_ascii=False,
            separators=(", ", ": "),
            default=_json_default,
            allow_nan=False,
        )
    except (TypeError, ValueError) as e:
        raise BelthawError(
            f"save: parameters must be JSON-like (str, numbers, dates, lists, dicts); {e}"
        ) from None


@contextmanager
def _render_context(size: str):
    """House style plus the settings that make bytes reproducible, whatever the caller's rc."""
    import matplotlib as mpl

    with house_style(size):
        with mpl.rc_context(
            {
                "svg.hashsalt": "belthaw",  # ids in SVG are salted hashes; a fixed salt fixes them
                "svg.fonttype": "none",  # real <text>: selectable and searchable
                "svg.image_inline": True,  # no side files named after a temp path
                "pdf.fonttype": 42,  # TrueType embedded: Type 3 fonts look blurry in Word/Acrobat
                "pdf.compression": 6,
                "savefig.bbox": "standard",  # never "tight": see save()
                "savefig.dpi": DPI,
                "savefig.transparent": False,
                "savefig.facecolor": "white",
                "savefig.edgecolor": "white",
                "path.simplify": True,
            }
        ):
            yield


def _metadata(
    fmt: str,
    *,
    text: FigureText,
    source: str,
    params_json: str,
    data_version: str,
    notebook: str,
    as_of: str,
) -> dict[str, Any]:
    """Per-format metadata: stable facts only; defaults carrying a date or version overridden."""
    if fmt == "png":  # tEXt chunks (iTXt for non-Latin-1 text, chosen by Pillow)
        return {
            "Software": CREATOR,  # default: "Matplotlib version3.x..." -> changes on upgrade
            "Title": text.title,
            "Author": AUTHOR,
            "Description": text.alt or text.caption,
            "Comment": text.caption,
            "Source": source,
            "belthaw:params": params_json,
            "belthaw:data_version": data_version,
            "belthaw:as_of": as_of,
            "belthaw:notebook": notebook,
        }
    if fmt == "pdf":  # document info dictionary
        return {
            "Title": text.title,
            "Subject": text.caption,
            "Author": AUTHOR,
            "Keywords": (
                f"data_version={data_version}; as_of={as_of}; notebook={notebook}; "
                f"params={params_json}"
            ),
            "Creator": CREATOR,  # defaults name the matplotlib version
            "Producer": CREATOR,
            "CreationDate": None,  # None removes the key: no clock time, SOURCE_DATE_EPOCH ignored
            "ModDate": None,
        }
    if fmt == "svg":  # Dublin Core in <metadata>
        return {
            "Title": text.title,
            "Description": text.alt or text.caption,
            "Source": source,
            "Keywords": [
                f"data_version={data_version}",
                f"as_of={as_of}",
                f"notebook={notebook}",
                f"params={params_json}",
            ],
            "Creator": CREATOR,
            "Date": None,  # None: no <dc:date>, whatever the clock or SOURCE_DATE_EPOCH
        }
    raise BelthawError(f"unknown figure format {fmt!r}")  # pragma: no cover


def _pin_layout(fig: Figure, digits: int = 6) -> None:
    """Lay the figure out once at print resolution, then pin every axes where it landed.

    Constrained layout runs again at each draw, starting from whatever the previous
    draw left (a notebook preview, another format), and its solver lands on positions
    that differ in the last bits from one run to the next. Pixels do not show it, but
    SVG clip-path ids are hashes of those bits. Pinned and rounded positions make
    every format, in every run, draw the same geometry.
    """
    old_dpi = fig.dpi
    fig.dpi = DPI
    try:
        fig.draw_without_rendering()
    finally:
        fig.dpi = old_dpi
    fig.set_layout_engine("none")
    for ax in fig.axes:
        ax.set_position([round(v, digits) for v in ax.get_position().bounds])


def _render(fig: Figure, fmt: str, metadata: Mapping[str, Any]) -> bytes:
    """The file's bytes, rendered in memory (so the temp file name never leaks into the file)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI, metadata=dict(metadata))
    return buf.getvalue()


def _small_texts(fig: Figure) -> list[str]:
    from matplotlib.text import Text

    fig.draw_without_rendering()  # tick labels exist only after a draw
    small = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT_PT - 1e-6:
            small.append(f"{t.get_text()[:30]!r} ({t.get_fontsize():.1f} pt)")
    return small


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


def save(
    fig: Figure,
    name: str,
    *,
    out_dir: Path,
    text: FigureText,
    publishers: Sequence[str],
    params: Mapping[str, Any],
    data_version: str,
    notebook: str,
    as_of: str,
    formats: Sequence[str] = FORMATS,
    size: str = "a4-full",
) -> list[Path]:
    """Finish ``fig`` and write ``<out_dir>/<name>.{png,svg,pdf}`` plus the ``<name>.md`` sidecar.

    * The figure is set to the named ``size`` exactly and finished with
      :func:`finish_figure` (title, subtitle, notes, source line naming at most six
      publishers, data date) -- calling ``finish_figure`` beforehand is optional.
      ``bbox_inches="tight"`` is never used: it would crop or grow the figure, and
      the size is a promise to whoever pastes it (16 cm wide at 100 % = 7 pt text).
    * PNG at 300 dpi; SVG keeps text as text; PDF embeds TrueType fonts.
    * Same inputs -> same bytes, in any process (no dates, no matplotlib version).
    * Title, caption, source line, data version, parameters (JSON, sorted keys)
      and notebook go into each file's metadata.
    * All files or none: a failure (say, in the PDF) leaves earlier files untouched.

    Returns the written paths, figure formats first, sidecar last.

    >>> paths = save(fig, "releases-cumulative", out_dir=figure_dir(), text=t,   # doctest: +SKIP
    ...              publishers=data.publishers(t.source_ids), params={"start": "2024-01-01"},
    ...              data_version=data.version, notebook="01_releases.ipynb",
    ...              as_of=f"{data.as_of:%Y-%m-%d}")
    >>> [p.name for p in paths]                                                # doctest: +SKIP
    ['releases-cumulative.png', 'releases-cumulative.svg', 'releases-cumulative.pdf',
     'releases-cumulative.md']
    """
    name = _check_name(name)
    fmts = _check_formats(formats)
    s = get_size(size)
    as_of_s = _as_of_str(as_of)
    pubs = _unique([publishers] if isinstance(publishers, str) else publishers)
    line = source_line(pubs, sidecar_name=name)
    pj = _params_json(params)
    out_dir = Path(out_dir)
    meta_args = dict(
        text=text,
        source=line,
        params_json=pj,
        data_version=str(data_version),
        notebook=str(notebook),
        as_of=as_of_s,
    )

    payload: dict[Path, bytes] = {}
    with _render_context(size):
        w, h = fig.get_size_inches()
        if not (math.isclose(w, s.width, abs_tol=1e-6) and math.isclose(h, s.height, abs_tol=1e-6)):
            fig.set_size_inches(s.width, s.height)
        extra = tuple(getattr(fig, "_belthaw_extra_notes", ()))
        note = getattr(fig, "_belthaw_as_of_note", "")
        finish_figure(fig, text, source_line=line, as_of=as_of_s, notes=extra, as_of_note=note)
        small = _small_texts(fig)
        if small:
            warnings.warn(
                f"{name}: text below {MIN_FONT_PT:g} pt at size {size!r}: {', '.join(small[:5])}"
                + (f" and {len(small) - 5} more" if len(small) > 5 else ""),
                stacklevel=2,
            )
        _pin_layout(fig)
        for fmt in fmts:
            payload[out_dir / f"{name}.{fmt}"] = _render(fig, fmt, _metadata(fmt, **meta_args))
    md = _sidecar(
        name,
        publishers=pubs,
        params=params,
        size=size,
        formats=fmts,
        notes=_unique([*text.notes, *extra]),
        **meta_args,
    )
    payload[out_dir / f"{name}.md"] = md.encode("utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    return _commit(payload)


# --------------------------------------------------------------------------- index


def _read_sidecar(path: Path) -> dict[str, Any]:
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
            meta = _read_sidecar(p)
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
