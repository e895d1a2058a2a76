"""save(), finish_figure(), source_line(), write_index(), atomic_write_text()."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402
from pypdf import PdfReader  # noqa: E402

import belthaw.figure.files as bf  # noqa: E402
import belthaw.figure.save as bs  # noqa: E402
from belthaw.charts.base import FigureText  # noqa: E402
from belthaw.errors import BelthawError  # noqa: E402
from belthaw.figure.save import (  # noqa: E402
    atomic_write_text,
    finish_figure,
    save,
    source_line,
    write_index,
)
from belthaw.style import MIN_FONT_PT, SIZES, get_size, house_style  # noqa: E402

TEXT = FigureText(
    title="Belarus freed 52 prisoners within days of the US lifting Belavia sanctions worth $30m",
    subtitle="Releases per month, Sep 2024 - Sep 2025; counts as published by Viasna",
    caption="Bars: people released per month. Green ticks: US relief steps.",
    alt="Bar chart of monthly releases from Belarus rising to 52 in September 2025.",
    notes=("2024 counts are lower bounds.", "The June 2025 count is disputed (14 vs 16)."),
    source_ids=("src-001", "src-002"),
)
PUBLISHERS = ["AP", "Reuters", "Viasna", "Kyiv Independent", "Pozirk", "RFE/RL"] + [
    f"Outlet {i:02d}" for i in range(12)
]
PARAMS = {"start": "2024-09-01", "end": "2025-09-30", "basis": "best", "min_count": 1}
DATA_VERSION = "0123456789ab"


def draw(size: str = "a4-full") -> Figure:
    """A small synthetic chart, drawn the way plots.py draws: house style, no pyplot."""
    with house_style(size):
        fig = Figure()
        ax = fig.add_subplot()
        ax.bar(range(12), [1, 0, 3, 5, 2, 8, 14, 0, 52, 3, 1, 0], label="released")
        ax.plot(range(12), [0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5], label="US relief steps")
        ax.set_xlabel("month")
        ax.set_ylabel("people released")
        ax.set_title("Monthly releases")
        ax.legend(loc="upper left")
    return fig


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def figure():
    made: list[Figure] = []

    def make(size: str = "a4-full") -> Figure:
        made.append(draw(size))
        return made[-1]

    yield make
    for fig in made:
        fig.clear()


def save_kwargs(out_dir: Path, **over):
    kw = dict(
        out_dir=out_dir,
        text=TEXT,
        publishers=PUBLISHERS,
        params=PARAMS,
        data_version=DATA_VERSION,
        notebook="01_releases.ipynb",
        as_of="2025-09-11",
    )
    kw.update(over)
    return kw


def png_phys(path: Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    i = data.index(b"pHYs")
    return struct.unpack(">IIB", data[i + 4 : i + 13])


def tmp_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(bs.TMP_PREFIX))


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("size", list(SIZES))
def test_save_writes_every_format_at_the_named_size(tmp_path, figure, size):
    paths = save(figure(size), "releases", size=size, **save_kwargs(tmp_path))
    names = [p.name for p in paths]
    assert names == ["releases.png", "releases.svg", "releases.pdf", "releases.md", "releases.json"]
    for p in paths:
        assert p.is_file() and p.stat().st_size > 0

    s = get_size(size)
    with Image.open(tmp_path / "releases.png") as im:
        assert abs(im.size[0] - s.width * 300) <= 1
        assert abs(im.size[1] - s.height * 300) <= 1
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert png_phys(tmp_path / "releases.png") == (11811, 11811, 1)  # px per metre

    box = PdfReader(tmp_path / "releases.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((s.width * 72, s.height * 72))
    svg = (tmp_path / "releases.svg").read_text()
    assert f'width="{s.width * 72:g}pt"' in svg
    assert tmp_leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("formats", "expected"),
    [
        (("svg",), ["x.svg", "x.md", "x.json"]),
        ("pdf", ["x.pdf", "x.md", "x.json"]),  # a bare string is one format, not 'p', 'd', 'f'
        (("pdf", "png", "pdf"), ["x.pdf", "x.png", "x.md", "x.json"]),
    ],
)
def test_formats_subset(tmp_path, figure, formats, expected):
    paths = save(figure(), "x", formats=formats, **save_kwargs(tmp_path))
    assert [p.name for p in paths] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)


def test_size_is_kept_even_if_caller_asks_for_tight(tmp_path, figure):
    # The named size is a promise; a stray rcParam must not crop the PNG.
    with matplotlib.rc_context({"savefig.bbox": "tight", "savefig.dpi": 72}):
        save(figure(), "tight", size="a4-half", **save_kwargs(tmp_path))
    with Image.open(tmp_path / "tight.png") as im:
        assert im.size == (1890, 870)


def test_figure_of_another_size_is_resized(tmp_path):
    fig = draw("slide")
    save(fig, "resized", size="a4-full", **save_kwargs(tmp_path))
    with Image.open(tmp_path / "resized.png") as im:
        assert im.size == (1890, 1260)


def test_pdf_fonts_are_embedded_truetype(tmp_path, figure):
    save(figure(), "fonts", formats=("pdf",), **save_kwargs(tmp_path))
    fonts = PdfReader(tmp_path / "fonts.pdf").pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        assert font["/Subtype"] != "/Type3"
        if font["/Subtype"] == "/Type0":  # matplotlib >= 3.10 embeds Type 42 as CIDFontType2
            desc = font["/DescendantFonts"][0].get_object()
            assert desc["/Subtype"] == "/CIDFontType2"
            descriptor = desc["/FontDescriptor"].get_object()
        else:
            assert font["/Subtype"] == "/TrueType"
            descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, "TrueType program must be embedded"
        assert "DejaVuSans" in str(descriptor["/FontName"])


def test_svg_text_stays_text(tmp_path, figure):
    save(figure(), "svgtext", formats=("svg",), **save_kwargs(tmp_path))
    svg = (tmp_path / "svgtext.svg").read_text()
    assert svg.count("<text") >= 5
    assert "Belarus freed 52 prisoners" in svg  # the title, searchable
    assert "Data as of 2025-09-11" in svg
    assert "DejaVu Sans" in svg


# --------------------------------------------------------------------------- metadata


def test_png_metadata(tmp_path, figure):
    save(figure(), "meta", formats=("png",), **save_kwargs(tmp_path))
    with Image.open(tmp_path / "meta.png") as im:
        info = im.text
    assert info["Title"] == TEXT.title
    assert info["Software"] == "belthaw"
    assert info["belthaw:data_version"] == DATA_VERSION
    assert json.loads(info["belthaw:params"]) == PARAMS
    assert list(json.loads(info["belthaw:params"])) == sorted(PARAMS)
    assert info["Source"].startswith("Source: AP; Reuters")
    assert info["belthaw:notebook"] == "01_releases.ipynb"
    assert "Matplotlib" not in str(info)


def test_pdf_metadata(tmp_path, figure):
    save(figure(), "meta", formats=("pdf",), **save_kwargs(tmp_path))
    meta = PdfReader(tmp_path / "meta.pdf").metadata
    assert meta["/Title"] == TEXT.title
    assert meta["/Subject"] == TEXT.caption
    assert meta["/Author"] == "belthaw workbook"
    assert meta["/Creator"] == meta["/Producer"] == "belthaw"
    assert "/CreationDate" not in meta and "/ModDate" not in meta
    assert DATA_VERSION in meta["/Keywords"]
    assert json.dumps(PARAMS, sort_keys=True) in meta["/Keywords"]


def test_svg_metadata(tmp_path, figure):
    save(figure(), "meta", formats=("svg",), **save_kwargs(tmp_path))
    svg = (tmp_path / "meta.svg").read_text()
    assert f"<dc:title>{TEXT.title}</dc:title>" in svg
    assert f"data_version={DATA_VERSION}" in svg
    assert "params={" in svg and '"basis": "best"' in svg.replace("&quot;", '"')
    assert "<dc:date>" not in svg
    assert "Matplotlib v" not in svg


def test_non_latin_text_survives(tmp_path):
    text = FigureText("Лукашэнка freed Statkevič", "scope", "caption", "alt")
    save(draw(), "cyr", **save_kwargs(tmp_path, text=text))
    with Image.open(tmp_path / "cyr.png") as im:
        assert im.text["Title"] == text.title  # stored as iTXt
    assert PdfReader(tmp_path / "cyr.pdf").metadata["/Title"] == text.title
    assert text.title in (tmp_path / "cyr.svg").read_text(encoding="utf-8")


def test_sidecar_content(tmp_path, figure):
    save(figure(), "side", **save_kwargs(tmp_path))
    md = (tmp_path / "side.md").read_text()
    assert md.startswith(f"# {TEXT.title}\n")
    for must in (
        TEXT.subtitle,
        TEXT.caption,
        TEXT.alt,
        *TEXT.notes,
        DATA_VERSION,
        "01_releases.ipynb",
    ):
        assert must in md
    for pub in PUBLISHERS:  # the full list, not only the six on the figure
        assert f". {pub}\n" in md
    assert "| `basis` | best |" in md
    assert "16 x 10.7 cm" in md and "6.3 x 4.2 in" in md
    for f in ("side.png", "side.svg", "side.pdf"):
        assert f"[{f}]({f})" in md


# --------------------------------------------------------------------------- determinism

_RENDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_save import draw, save_kwargs
    from belthaw.figure.save import save
    for size in ("a4-full", "slide"):
        save(draw(size), "fig-" + size, size=size, **save_kwargs(Path(sys.argv[1])))
    """
)


def test_two_processes_give_identical_bytes(tmp_path):
    script = tmp_path / "render.py"
    script.write_text(_RENDER.format(tests=str(Path(__file__).parent)))
    runs = []
    for i, extra in enumerate(
        [{"PYTHONHASHSEED": "1"}, {"PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": "86400"}]
    ):
        out = tmp_path / f"run{i}"
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env.update(MPLBACKEND="Agg", **extra)
        subprocess.run([sys.executable, str(script), str(out)], env=env, check=True)
        runs.append(out)
    a = sorted(p.name for p in runs[0].iterdir())
    assert a == sorted(p.name for p in runs[1].iterdir())
    assert {Path(n).suffix for n in a} == {".png", ".svg", ".pdf", ".md", ".json"}
    for name in a:
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes(), name


# --------------------------------------------------------------------------- atomicity


def _boom(*a, **k):
    raise RuntimeError("disk on fire")


@pytest.mark.parametrize("where", ["render-pdf", "write-temp-pdf", "replace-2nd"])
def test_failure_keeps_old_files_and_leaves_no_temp(tmp_path, monkeypatch, where):
    save(draw(), "fig", **save_kwargs(tmp_path))
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    if where == "render-pdf":
        real = bs._render
        monkeypatch.setattr(
            bs, "_render", lambda fig, fmt, md: _boom() if fmt == "pdf" else real(fig, fmt, md)
        )
    elif where == "write-temp-pdf":
        real_w, calls = bf._write_temp, []

        def write(d, data):
            calls.append(1)
            if len(calls) == 3:  # png, svg, then pdf
                _boom()
            return real_w(d, data)

        monkeypatch.setattr(bf, "_write_temp", write)
    else:
        real_r, calls = os.replace, []

        def replace(src, dst):
            calls.append(dst)
            if len(calls) == 2:
                _boom()
            return real_r(src, dst)

        monkeypatch.setattr(bf.os, "replace", replace)

    changed = TEXT.__class__(**{**TEXT.__dict__, "title": "A different finding"})
    with pytest.raises(RuntimeError, match="disk on fire"):
        save(draw(), "fig", **save_kwargs(tmp_path, text=changed, data_version="ffffffffffff"))
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old
    assert tmp_leftovers(tmp_path) == []


def test_failure_on_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(bs, "_render", lambda fig, fmt, md: _boom())
    with pytest.raises(RuntimeError):
        save(draw(), "new", **save_kwargs(tmp_path / "out"))
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_creates_out_dir(tmp_path):
    out = tmp_path / "a" / "b"
    save(draw(), "deep", formats=("png",), **save_kwargs(out))
    assert (out / "deep.png").is_file()


def test_atomic_write_text(tmp_path):
    p = tmp_path / "sub" / "note.md"
    assert atomic_write_text(p, "one\n") == p
    atomic_write_text(p, "two\nlines\n")
    assert p.read_bytes() == b"two\nlines\n"
    assert tmp_leftovers(p.parent) == []


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("bad", ["jpg", "PNG", "eps", ".png", ""])
def test_bad_format_is_named(tmp_path, figure, bad):
    with pytest.raises(BelthawError, match=f"'{bad}'"):
        save(figure(), "x", formats=("png", bad), **save_kwargs(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "bad", ["", "../escape", "a/b", "a\\b", ".hidden", "x..y", "trailing.", "README", "con", "a b"]
)
def test_bad_name(tmp_path, figure, bad):
    with pytest.raises(BelthawError, match="not a safe file name"):
        save(figure(), bad, **save_kwargs(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"size": "a5"}, "unknown figure size 'a5'"),
        ({"as_of": "11/09/2025"}, "YYYY-MM-DD"),
        ({"publishers": []}, "at least one source"),
        ({"params": {"f": object()}}, "JSON"),
    ],
)
def test_bad_arguments(tmp_path, figure, over, match):
    with pytest.raises(BelthawError, match=match):
        save(figure(), "x", **save_kwargs(tmp_path, **over))


# --------------------------------------------------------------------------- source_line


@pytest.mark.parametrize(
    ("publishers", "kw", "expected"),
    [
        (["AP"], {}, "Source: AP"),
        (["AP", "Reuters", "AP", " reuters "], {}, "Source: AP; Reuters"),
        (
            PUBLISHERS,
            {"sidecar_name": "releases"},
            "Source: AP; Reuters; Viasna; Kyiv Independent; Pozirk; RFE/RL "
            "and 12 others (full list in releases.md)",
        ),
        (
            PUBLISHERS[:7],
            {"sidecar_name": "r.md"},
            "Source: AP; Reuters; Viasna; Kyiv Independent; "
            "Pozirk; RFE/RL and 1 other (full list in r.md)",
        ),
        (PUBLISHERS, {"max_names": 2}, "Source: AP; Reuters and 16 others"),
        (
            PUBLISHERS[:6],
            {"sidecar_name": "x"},
            "Source: AP; Reuters; Viasna; Kyiv Independent; Pozirk; RFE/RL",
        ),
        (["Viasna", "AP"], {}, "Source: Viasna; AP"),  # caller's order is kept
    ],
)
def test_source_line(publishers, kw, expected):
    assert source_line(publishers, **kw) == expected


@pytest.mark.parametrize(
    ("publishers", "kw"), [([], {}), (["", " "], {}), (["AP"], {"max_names": 0})]
)
def test_source_line_rejects(publishers, kw):
    with pytest.raises(BelthawError):
        source_line(publishers, **kw)


# --------------------------------------------------------------------------- finish_figure


def _tagged(fig: Figure) -> dict[str, Text]:
    return {t.get_gid(): t for t in fig.texts if str(t.get_gid()).startswith("belthaw:")}


LONG_SOURCE = source_line([f"Very Long Publisher Name Number {i}" for i in range(6)] + ["x", "y"])


@pytest.mark.parametrize("source", ["Source: AP", LONG_SOURCE])
@pytest.mark.parametrize("size", list(SIZES))
def test_finish_figure_fits_without_overlap(size, source):
    fig = draw(size)
    with house_style(size):
        finish_figure(fig, TEXT, source_line=source, as_of="2025-09-11", notes=("Extra note.",))
        fig.dpi = 300  # check at the resolution the files are written at
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()

    tagged = _tagged(fig)
    assert set(tagged) == {
        "belthaw:title",
        "belthaw:subtitle",
        "belthaw:notes",
        "belthaw:source",
        "belthaw:as_of",
    }
    assert tagged["belthaw:title"].get_fontweight() == "bold"
    assert tagged["belthaw:as_of"].get_text() == "Data as of 2025-09-11"
    assert "Note: Extra note." in tagged["belthaw:notes"].get_text()
    if source == LONG_SOURCE:
        assert "\n" in tagged["belthaw:source"].get_text(), "long source lines wrap"

    page = fig.bbox
    boxes = {k: t.get_window_extent(renderer) for k, t in tagged.items()}
    for k, b in boxes.items():
        assert page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1, k
    for ax in fig.axes:
        a = ax.get_tightbbox(renderer)
        for k, b in boxes.items():
            assert not a.overlaps(b), f"{k} overlaps the axes at {size}"
    # header above the axes, footer below
    top_of_axes = max(ax.get_tightbbox(renderer).y1 for ax in fig.axes)
    assert boxes["belthaw:subtitle"].y0 >= top_of_axes
    assert boxes["belthaw:title"].y0 >= boxes["belthaw:subtitle"].y1 - 1

    # no text anywhere on the figure below 7 pt
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip():
            assert t.get_fontsize() >= MIN_FONT_PT, (t.get_text(), t.get_fontsize(), size)


def test_finish_figure_twice_does_not_duplicate():
    fig = draw()
    finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11")
    finish_figure(fig, TEXT, source_line="Source: Reuters", as_of="2025-09-12")
    gids = [t.get_gid() for t in fig.texts]
    assert len(gids) == len(set(gids)) == 5
    assert _tagged(fig)["belthaw:source"].get_text() == "Source: Reuters"


def test_finish_figure_keeps_dollars_literal():
    fig = draw()
    finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11")
    title = _tagged(fig)["belthaw:title"]
    assert "$30m" in title.get_text()
    FigureCanvasAgg(fig).draw()  # would raise on unbalanced mathtext


def test_finish_figure_refuses_when_text_crowds_out_the_chart():
    fig = draw("a4-half")
    notes = tuple(f"Note number {i} about a disputed count in some month." for i in range(12))
    with pytest.raises(BelthawError, match="too little room"):
        finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11", notes=notes)
    assert _tagged(fig) == {}, "no half-finished figure"


def test_save_keeps_notes_given_to_finish_figure(tmp_path):
    fig = draw()
    finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11", notes=("Extra.",))
    save(fig, "extra", formats=("svg",), **save_kwargs(tmp_path))
    assert "Note: Extra." in _tagged(fig)["belthaw:notes"].get_text()
    assert "- Extra.\n" in (tmp_path / "extra.md").read_text()


# --------------------------------------------------------------------------- index


def test_write_index_lists_every_sidecar_of_its_folder(tmp_path):
    save(draw(), "b-second", **save_kwargs(tmp_path))
    save(draw(), "a-first", formats=("svg",), **save_kwargs(tmp_path))
    (tmp_path / "handwritten.md").write_text("# Notes by hand\n")
    save(draw("slide"), "talk", size="slide", **save_kwargs(tmp_path / "briefing-2025"))
    (tmp_path / f"{bs.TMP_PREFIX}junk.md").write_text("# stray temp\n")

    index = write_index(tmp_path)
    assert index == tmp_path / "README.md"
    body = index.read_text()
    rows = [ln for ln in body.splitlines() if ln.startswith("| ") and "---" not in ln][1:]
    assert len(rows) == 3, "subfolders (other sets) have their own index"
    assert ["a-first" in rows[0], "b-second" in rows[1]] == [True, True]
    assert "handwritten" in rows[2] and "Notes by hand" in rows[2]
    assert "talk" not in body
    assert "`01_releases.ipynb`" in rows[1]
    assert "[![" not in rows[0], "no PNG, no thumbnail"
    assert "[svg](a-first.svg)" in rows[0]
    assert "junk" not in body and "README" not in body.split("\n", 3)[-1]

    sub = write_index(tmp_path / "briefing-2025").read_text()
    assert "(talk.png)" in sub and "`briefing-2025`" in sub

    before = index.read_bytes()
    write_index(tmp_path)
    assert index.read_bytes() == before
    assert tmp_leftovers(tmp_path) == [f"{bs.TMP_PREFIX}junk.md"]  # only the one planted above


def test_write_index_empty_folder(tmp_path):
    assert "no figures yet" in write_index(tmp_path / "none").read_text()
