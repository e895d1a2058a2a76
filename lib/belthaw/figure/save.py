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
import re
import warnings
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..charts.figtext import FigureText
from ..errors import BelthawError
from ..style import MIN_FONT_PT, get_size, house_style
from .files import TMP_PREFIX, atomic_write_text, commit_files
from .finish import (
    DPI,
    FORMATS,
    _as_of_str,
    _renderer,
    _small_texts,
    _unique,
    finish_figure,
    source_line,
)
from .sidecar import sidecar_files, write_index

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "FORMATS",
    "TMP_PREFIX",
    "atomic_write_text",
    "finish_figure",
    "save",
    "write_index",
]


#: Written as "creator"/"producer"/"software" instead of matplotlib's versioned string,
#: so upgrading matplotlib does not change the bytes of every figure.
CREATOR = "belthaw"


AUTHOR = "belthaw workbook"


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)
}


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
def render_context(size: str):
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


def _licence_words(data_dir: Path | None = None) -> tuple[str, str]:
    """(short, long) licence statement of the data, e.g. ("CC-BY-4.0", "Data: CC-BY-4.0 ...")."""
    from .sidecar import data_licence

    lic = data_licence(data_dir)
    if not lic["name"]:
        return "", ""
    long = f"Data: {lic['name']}"
    if lic["title"] or lic["url"]:
        long += " (" + ", ".join(x for x in (lic["title"], lic["url"]) if x) + ")"
    return lic["name"], long + f"; credit the {AUTHOR} and the sources named on the figure."


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
    """Per-format metadata: stable facts only; defaults carrying a date or version overridden.

    The data licence travels in each format's own rights field (PNG "Copyright" text
    chunk, SVG ``dc:rights``; the PDF info dictionary has none, so it goes into
    "Keywords"), with the one-line citation beside it.
    """
    from .sidecar import citation

    short, rights = _licence_words()
    cite = citation(text.title, data_version, as_of, short)
    if fmt == "png":  # tEXt chunks (iTXt for non-Latin-1 text, chosen by Pillow)
        out = {
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
            "belthaw:citation": cite,
        }
        if rights:
            out["Copyright"] = rights  # a registered PNG keyword; "License" is read by some tools
            out["License"] = short
        return out
    if fmt == "pdf":  # document info dictionary
        keywords = (
            f"data_version={data_version}; as_of={as_of}; notebook={notebook}; params={params_json}"
        )
        return {
            "Title": text.title,
            "Subject": text.caption,
            "Author": AUTHOR,
            "Keywords": keywords + (f"; license={short}; cite as: {cite}" if short else ""),
            "Creator": CREATOR,  # defaults name the matplotlib version
            "Producer": CREATOR,
            "CreationDate": None,  # None removes the key: no clock time, SOURCE_DATE_EPOCH ignored
            "ModDate": None,
        }
    if fmt == "svg":  # Dublin Core in <metadata>
        out = {
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
        if rights:
            out["Rights"] = rights  # -> <dc:rights>
            out["Relation"] = f"Cite as: {cite}"
        return out
    raise BelthawError(f"unknown figure format {fmt!r}")  # pragma: no cover


def _pin_layout(fig: Figure, digits: int = 6) -> None:
    """Lay the figure out once at print resolution, pin every axes where it landed, place labels.

    Constrained layout runs again at each draw, starting from whatever the previous
    draw left (a notebook preview, another format), and its solver lands on positions
    that differ in the last bits from one run to the next. Pixels do not show it, but
    SVG clip-path ids are hashes of those bits. Pinned and rounded positions make
    every format, in every run, draw the same geometry.

    With the layout pinned, the labels are placed once (their spots depend on the
    layout in points, not on the format) and held: no format lays out or places
    again, so each format costs one draw.
    """
    from ..charts.labels import hold_labels, place_labels

    old_dpi = fig.dpi
    fig.dpi = DPI
    try:
        hold_labels(fig)  # labels are not part of the layout: placing them now would be wasted
        engine = fig.get_layout_engine()
        if engine is not None and fig.axes:
            # The solver starts from the axes' current positions and one solve does not
            # fully converge: from the grid's own positions, a figure already previewed
            # (drawn at screen size) and a fresh one land on the same layout.
            for ax in fig.axes:
                spec = ax.get_subplotspec()
                if spec is not None:
                    _set_position(ax, spec.get_position(fig))
            # The layout alone, not a draw: it measures every decoration it needs
            # (ticks and their labels included) and leaves rendering to the formats.
            engine.execute(fig)
        with _no_auto_layout():
            # No engine at all (not matplotlib's placeholder): savefig then skips its own
            # layout draw, which would otherwise run once more per format.
            fig.set_layout_engine(None)
        for ax in fig.axes:
            _set_position(ax, [round(v, digits) for v in ax.get_position().bounds])
        place_labels(fig, _renderer(fig))
    finally:
        fig.dpi = old_dpi


def _set_position(ax, pos) -> None:
    """Move ``ax`` and keep it in the layout (``set_position`` alone takes it out for good,
    so a second save would lay the figure out without it)."""
    in_layout = ax.get_in_layout()
    ax.set_position(pos)
    ax.set_in_layout(in_layout)


@contextmanager
def _no_auto_layout():
    """rc under which a figure without a layout engine keeps none (savefig restores it as is)."""
    import matplotlib as mpl

    with mpl.rc_context({"figure.constrained_layout.use": False, "figure.autolayout": False}):
        yield


def _render(fig: Figure, fmt: str, metadata: Mapping[str, Any]) -> bytes:
    """The file's bytes, rendered in memory (so the temp file name never leaks into the file)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI, metadata=dict(metadata))
    return buf.getvalue()


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
    references: Sequence[Mapping[str, str]] | None = None,
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
    with render_context(size):
        w, h = fig.get_size_inches()
        if not (math.isclose(w, s.width, abs_tol=1e-6) and math.isclose(h, s.height, abs_tol=1e-6)):
            fig.set_size_inches(s.width, s.height)
        extra = tuple(getattr(fig, "_belthaw_extra_notes", ()))
        note = getattr(fig, "_belthaw_as_of_note", "")
        finish_figure(fig, text, source_line=line, as_of=as_of_s, notes=extra, as_of_note=note)
        _pin_layout(fig)
        small = _small_texts(fig, draw=False)  # the layout made the tick labels
        if small:
            warnings.warn(
                f"{name}: text below {MIN_FONT_PT:g} pt at size {size!r}: {', '.join(small[:5])}"
                + (f" and {len(small) - 5} more" if len(small) > 5 else ""),
                stacklevel=2,
            )
        with _no_auto_layout():
            for fmt in fmts:
                payload[out_dir / f"{name}.{fmt}"] = _render(fig, fmt, _metadata(fmt, **meta_args))
    payload.update(
        sidecar_files(
            out_dir,
            name,
            references=references,
            publishers=pubs,
            size=size,
            formats=fmts,
            notes=_unique([*text.notes, *extra]),
            **meta_args,
        )
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    return commit_files(payload)
