"""Saving figures: every format, byte-for-byte reproducible, with provenance, data and record.

A notebook calls :func:`save_figure` (figure, words, name, data, params); :func:`save`
is the same with the provenance spelt out. The same figure gives the same bytes on
every run and every machine, so a ``git diff`` of ``figures/`` shows only real changes.
Importing this module imports neither matplotlib nor pyplot; both load on first use.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths
from ..charts.figtext import FigureText
from ..errors import BelthawError
from ..parameters import as_dict
from ..style import MIN_FONT_PT, get_size, house_style, size_of
from .files import OUTPUTS_ENV, check_name, commit_files, record_outputs, sha256
from .layout import (
    DPI,
    FORMATS,
    as_of_note,
    as_of_str,
    figure_renderer,
    finish_figure,
    font_families,
    small_texts,
    source_line,
    unique_words,
    use_font_fallback,
)
from .sidecar import citation, data_licence, record, render_json, render_md, write_index
from .sidecar import references as cited_references

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

#: Written as "creator"/"producer"/"software" instead of matplotlib's versioned string,
#: so upgrading matplotlib does not change the bytes of every figure.
CREATOR = "belthaw"
AUTHOR = "belthaw workbook"


def _json_default(v: Any) -> Any:
    if hasattr(v, "isoformat"):  # dates
        return v.isoformat()
    if hasattr(v, "tolist"):  # numpy scalars and arrays
        return v.tolist()
    if isinstance(v, set | frozenset):
        return sorted(v, key=str)
    raise TypeError(type(v).__name__)


def _params_json(params: Mapping[str, Any]) -> str:
    # Sorted keys and fixed separators: the same parameters give the same bytes.
    try:
        return json.dumps(dict(params), sort_keys=True, ensure_ascii=False, separators=(", ", ": "),
                          default=_json_default, allow_nan=False)  # fmt: skip
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
                "font.family": list(font_families()),  # see layout.font_families
            }
        ):
            yield


def _metadata(fmt: str, text: FigureText, source: str, params_json: str, data_version: str,
              notebook: str, as_of: str) -> dict[str, Any]:  # fmt: skip
    """Per-format metadata: stable facts only; defaults carrying a date or version overridden.

    The data licence travels in each format's own rights field (PNG "Copyright" text
    chunk, SVG ``dc:rights``; the PDF info dictionary has none, so it goes into
    "Keywords"), with the one-line citation beside it.
    """
    lic = data_licence()
    short, rights = lic["name"], ""
    if short:
        rights = f"Data: {short}"
        if lic["title"] or lic["url"]:
            rights += " (" + ", ".join(x for x in (lic["title"], lic["url"]) if x) + ")"
        rights += f"; credit the {AUTHOR} and the sources named on the figure."
    cite = citation(text.title, data_version, as_of, short)
    facts = [f"data_version={data_version}", f"as_of={as_of}", f"notebook={notebook}"]
    facts.append(f"params={params_json}")
    if fmt == "png":  # tEXt chunks (iTXt for non-Latin-1 text, chosen by Pillow)
        # "Software" replaces "Matplotlib version3.x...", which changes on every upgrade.
        out = {"Software": CREATOR, "Title": text.title, "Author": AUTHOR,
               "Description": text.alt or text.caption, "Comment": text.caption, "Source": source,
               "belthaw:params": params_json, "belthaw:data_version": data_version,
               "belthaw:as_of": as_of, "belthaw:notebook": notebook, "belthaw:citation": cite}  # fmt: skip
        # "Copyright" is a registered PNG keyword; "License" is read by some tools.
        return out | ({"Copyright": rights, "License": short} if rights else {})
    if fmt == "pdf":  # document info dictionary; None removes a key (no clock time)
        keywords = "; ".join(facts) + (f"; license={short}; cite as: {cite}" if short else "")
        return {"Title": text.title, "Subject": text.caption, "Author": AUTHOR,
                "Keywords": keywords, "Creator": CREATOR, "Producer": CREATOR,
                "CreationDate": None, "ModDate": None}  # fmt: skip
    # SVG: Dublin Core in <metadata>; no <dc:date>, whatever SOURCE_DATE_EPOCH says
    out = {"Title": text.title, "Description": text.alt or text.caption, "Source": source,
           "Keywords": facts, "Creator": CREATOR, "Date": None}  # fmt: skip
    return out | ({"Rights": rights, "Relation": f"Cite as: {cite}"} if rights else {})


def _pin_layout(fig: Figure, digits: int = 6) -> None:
    """Lay the figure out once at print resolution, pin every axes where it landed, place labels.

    Constrained layout runs again at each draw, starting from whatever the previous
    draw left (a notebook preview, another format), and its solver lands on positions
    that differ in the last bits from one run to the next. Pixels do not show it, but
    SVG clip-path ids are hashes of those bits. Pinned and rounded positions make
    every format, in every run, draw the same geometry. The labels are then placed
    once (their spots depend on the layout in points, not on the format) and held, so
    each format costs one draw.
    """
    from ..charts.labels import hold_labels, place_labels

    old_dpi = fig.dpi
    fig.dpi = DPI
    try:
        hold_labels(fig)  # labels are not part of the layout: placing them now would be wasted
        engine = fig.get_layout_engine()
        if engine is not None and fig.axes:
            # One solve does not fully converge and starts from the axes' current
            # positions: from the grid's own, a figure already previewed (drawn at
            # screen size) and a fresh one land on the same layout.
            for ax in fig.axes:
                if ax.get_subplotspec() is not None:
                    _set_position(ax, ax.get_subplotspec().get_position(fig))
            engine.execute(fig)  # the layout alone, not a draw
        with _no_auto_layout():
            # No engine at all (not matplotlib's placeholder): savefig then skips its own
            # layout draw, which would otherwise run once more per format.
            fig.set_layout_engine(None)
        for ax in fig.axes:
            _set_position(ax, [round(v, digits) for v in ax.get_position().bounds])
        place_labels(fig, figure_renderer(fig))
    finally:
        fig.dpi = old_dpi


def _set_position(ax, pos) -> None:
    """Move ``ax`` and keep it in the layout (``set_position`` alone takes it out for good)."""
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


def _prepare(fig: Figure, name: str, size: str, line: str, as_of_note: str | None, meta) -> None:
    """Set ``fig`` to the named size, finish it and pin its layout (under render_context)."""
    s = get_size(size)
    w, h = fig.get_size_inches()
    if not (math.isclose(w, s.width, abs_tol=1e-6) and math.isclose(h, s.height, abs_tol=1e-6)):
        fig.set_size_inches(s.width, s.height)
    if as_of_note is None:
        as_of_note = getattr(fig, "_belthaw_as_of_note", "")
    use_font_fallback(fig)
    notes = tuple(getattr(fig, "_belthaw_extra_notes", ()))
    finish_figure(fig, meta["text"], source_line=line, as_of=meta["as_of"], notes=notes,
                  as_of_note=as_of_note)  # fmt: skip
    _pin_layout(fig)
    small = small_texts(fig)  # the layout made the tick labels
    if small:
        warnings.warn(
            f"{name}: text below {MIN_FONT_PT:g} pt at size {size!r}: {', '.join(small[:5])}"
            + (f" and {len(small) - 5} more" if len(small) > 5 else ""),
            stacklevel=3,
        )


def _csv_bytes(name: str, table: pd.DataFrame) -> bytes:
    if not hasattr(table, "to_csv"):
        kind = type(table).__name__
        raise BelthawError(f"save: the table {name!r} must be a pandas DataFrame, got {kind}")
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


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
    references: Sequence[Mapping[str, str]] = (),
    as_of_note: str | None = None,
    table: pd.DataFrame | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    on_png: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Finish ``fig`` and write its files into ``out_dir``; returns their paths, record last.

    * The figure is set to the named ``size`` exactly and finished with
      :func:`finish_figure` (title, subtitle, notes, source line naming at most six
      publishers, data date, ``as_of_note`` or the one given to ``finish_figure``).
      ``bbox_inches="tight"`` is never used: the size is a promise to whoever pastes it.
    * ``<name>.png`` (300 dpi), ``.svg`` (text as text), ``.pdf`` (TrueType embedded),
      each with title, caption, source line, data version, parameters and licence in
      its metadata; same inputs, same bytes. The PNG is written first, and
      ``on_png(its path)`` called as soon as it is in place, before the other formats.
    * ``table`` (the rows drawn) as ``<name>-data.csv``, each of ``tables`` as
      ``<name>-<key>.csv``; the ``<name>.md`` sidecar (with ``references``); the
      ``<name>.json`` record, written last with every other file's sha256, so an
      interrupted save is found by :func:`belthaw.figure.files.figure_problems`.
    """
    name = check_name(name)
    fmts = list(dict.fromkeys([formats] if isinstance(formats, str) else formats))
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown or not fmts:
        what = f"unknown figure format {unknown[0]!r}" if unknown else "no figure format given"
        raise BelthawError(f"{what}; choose from: {', '.join(FORMATS)}")
    pubs = unique_words(publishers)
    line = source_line(pubs, sidecar_name=name)
    meta = dict(text=text, source=line, params_json=_params_json(params), as_of=as_of_str(as_of),
                data_version=str(data_version), notebook=str(notebook))  # fmt: skip
    named = {"data": table} if table is not None else {}
    csvs = {
        check_name(f"{name}-{key}") + ".csv": _csv_bytes(key, t)
        for key, t in {**named, **(tables or {})}.items()
    }
    notes = unique_words([*text.notes, *getattr(fig, "_belthaw_extra_notes", ())])
    rec = record(name, publishers=pubs, size=size, formats=fmts, notes=notes, refs=references,
                 licence=data_licence(), data_csv=f"{name}-data.csv" if named else None, **meta)  # fmt: skip
    with render_context(size):
        _prepare(fig, name, size, line, as_of_note, meta)
        with _no_auto_layout():
            return _write(fig, Path(out_dir), rec, meta, csvs, on_png)


def _write(fig: Figure, folder: Path, rec: dict, meta: dict, csvs: dict, on_png) -> list[Path]:
    """Render and write each format, the PNG first (then ``on_png``), the record last.

    A save that fails after the PNG is in place puts the old PNG back, so the figure
    stays whole; only a killed process leaves the new PNG, which the record then flags.
    """
    name, fmts = rec["name"], rec["formats"]
    png = folder / f"{name}.png"
    first = ["png"] if "png" in fmts else []
    old = png.read_bytes() if first and png.is_file() else None
    rendered = {f: _render(fig, f, _metadata(f, **meta)) for f in first}
    written = commit_files({png: rendered["png"]}) if first else []
    try:
        if on_png is not None and first:
            on_png(png)
        rendered |= {f: _render(fig, f, _metadata(f, **meta)) for f in fmts if f not in first}
        payload = {f"{name}.{f}": rendered[f] for f in fmts} | csvs
        payload[f"{name}.md"] = render_md(rec, [*payload, f"{name}.md", f"{name}.json"]).encode()
        rec["files"] = {file: sha256(data) for file, data in payload.items()}
        payload[f"{name}.json"] = render_json(rec).encode()  # last: the manifest
        return written + commit_files({folder / f: b for f, b in payload.items() if f != png.name})
    except BaseException:
        with contextlib.suppress(BelthawError, OSError):
            if written and old is not None:
                commit_files({png: old})
            elif written:
                png.unlink()
        raise


def save_figure(
    fig: Figure | None,
    text: FigureText,
    name: str,
    *,
    data,
    params,
    table: pd.DataFrame | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    out_dir: Path | str | None = None,
    formats: Sequence[str] | None = None,
    size: str | None = None,
    on_png: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Save a notebook's figure with everything that travels with it; returns the paths.

    ``data`` is the loaded :class:`belthaw.data.Dataset` (publishers, references,
    version, date), ``params`` the notebook's checked parameters
    (:func:`belthaw.parameters.check`), recorded in the metadata and the sidecar.
    ``table`` is the frame the chart drew, written as ``<name>-data.csv``; ``tables``
    more frames, each as ``<name>-<key>.csv``. Defaults: the parameter set's folder
    (``paths.figure_dir(params.output_set)``), ``params.formats``, and the figure's own
    named size (else ``params.size``). The PNG is written first and, given ``on_png``,
    ``on_png(path)`` is called as soon as it is in place, before the other formats.
    Nothing is written when ``fig`` is None.
    """
    if fig is None:
        print(f"{name}: nothing drawn, nothing saved")
        return []
    named = size_of(*fig.get_size_inches())
    out_dir = Path(out_dir) if out_dir is not None else paths.figure_dir(params.output_set)
    written = save(
        fig, name, out_dir=out_dir, text=text, table=table, tables=tables, on_png=on_png,
        publishers=data.publishers_in_order(text.source_ids),
        params={k: v for k, v in as_dict(params).items() if k != "output_set"},
        data_version=data.version, notebook=f"{params.notebook}.ipynb",
        as_of=f"{data.as_of:%Y-%m-%d}", formats=list(formats or params.formats),
        size=size or (named.name if named else getattr(params, "size", "a4-full")),
        references=cited_references(data.sources.to_dict("records"), text.source_ids),
        as_of_note=as_of_note(data, params.stale_after_days),
    )  # fmt: skip
    record_outputs(written)
    if not os.environ.get(OUTPUTS_ENV):
        # Interactive use: keep the folder's index current (belthaw run writes it once at the end).
        write_index(out_dir, params.output_set)
    print("saved: " + ", ".join(p.name for p in written))
    return written
