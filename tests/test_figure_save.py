"""belthaw.figure.save: every format at its size, metadata, reproducible bytes, the data CSV,
the record as manifest, edited words, Unicode, and file-system errors in one sentence."""

from __future__ import annotations

import errno
import json
import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from belthaw import parameters  # noqa: E402
from belthaw.charts.figtext import FigureText  # noqa: E402
from belthaw.errors import BelthawError  # noqa: E402
from belthaw.figure import figure_problems, files, save_figure  # noqa: E402
from belthaw.figure import save as bs  # noqa: E402
from belthaw.figure.layout import finish_figure  # noqa: E402
from belthaw.style import SIZES, get_size, house_style  # noqa: E402

TEXT = FigureText(
    title="Belarus freed 52 prisoners within days of the US lifting Belavia sanctions worth $30m",
    subtitle="Releases per month, Sep 2024 - Sep 2025",
    caption="Bars: people released per month.",
    alt="Bar chart of monthly releases rising to 52 in September 2025.",
    notes=("2024 counts are lower bounds.",),
    source_ids=("src-001",),
)
PARAMS = {"start": "2024-09-01", "basis": "best", "min_count": 1}
FORMATS = ("png", "svg", "pdf")


def draw(size: str = "a4-full") -> Figure:
    """A small chart drawn the way the charts draw: house style, no pyplot."""
    with house_style(size):
        fig = Figure()
        ax = fig.add_subplot()
        ax.bar(range(12), [1, 0, 3, 5, 2, 8, 14, 0, 52, 3, 1, 0], label="released")
        ax.set_xlabel("month")
        ax.set_ylabel("people released")
        ax.legend(loc="upper left")
    return fig


def save(fig, name, out_dir, **over):
    kw = dict(out_dir=out_dir, text=TEXT, publishers=["AP", "Reuters"], params=PARAMS,
              data_version="0123456789ab", notebook="01_releases.ipynb", as_of="2025-09-11",
              references=[])  # fmt: skip
    kw.update(over)
    return bs.save(fig, name, **kw)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(files.TMP_PREFIX))


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("size", list(SIZES))
def test_every_format_at_the_named_size_record_last(tmp_path, size):
    written = save(draw(size), "fig", tmp_path, size=size)
    assert [p.name for p in written] == ["fig.png", "fig.svg", "fig.pdf", "fig.md", "fig.json"]
    s = get_size(size)
    with Image.open(tmp_path / "fig.png") as im:
        assert abs(im.size[0] - s.width * 300) <= 1 and abs(im.size[1] - s.height * 300) <= 1
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    box = PdfReader(tmp_path / "fig.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((s.width * 72, s.height * 72))
    assert f'width="{s.width * 72:g}pt"' in (tmp_path / "fig.svg").read_text()
    assert leftovers(tmp_path) == [] and figure_problems(tmp_path, "fig") == []


@pytest.mark.parametrize(
    ("formats", "expected"),
    [
        (("svg",), ["x.svg", "x.md", "x.json"]),
        ("pdf", ["x.pdf", "x.md", "x.json"]),  # a bare string is one format
        (("pdf", "png", "pdf"), ["x.png", "x.pdf", "x.md", "x.json"]),  # the PNG first
    ],
)
def test_a_subset_of_formats(tmp_path, formats, expected):
    assert [p.name for p in save(draw(), "x", tmp_path, formats=formats)] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)


@pytest.mark.parametrize(("drawn", "rc"), [("a4-full", {"savefig.bbox": "tight", "savefig.dpi": 72}), ("slide", {})])  # fmt: skip
def test_the_named_size_wins(tmp_path, drawn, rc):
    with matplotlib.rc_context(rc):
        save(draw(drawn), "s", tmp_path, size="a4-half", formats=("png",))
    with Image.open(tmp_path / "s.png") as im:
        assert im.size == (1890, 870)


def test_pdf_embeds_truetype_and_svg_keeps_text(tmp_path):
    save(draw(), "f", tmp_path, formats=("pdf", "svg"))
    for font in PdfReader(tmp_path / "f.pdf").pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        assert font["/Subtype"] in ("/Type0", "/TrueType")  # never Type 3 (blurry in Word)
    svg = (tmp_path / "f.svg").read_text()
    assert "Belarus freed 52 prisoners" in svg and "Data as of 2025-09-11" in svg
    assert "'DejaVu Sans'" in svg


def test_metadata_of_each_format(tmp_path):
    save(draw(), "m", tmp_path)
    with Image.open(tmp_path / "m.png") as im:
        info = im.text
    assert (info["Title"], info["Software"], info["belthaw:notebook"]) == (TEXT.title, "belthaw", "01_releases.ipynb")  # fmt: skip
    assert json.loads(info["belthaw:params"]) == PARAMS and list(json.loads(info["belthaw:params"])) == sorted(PARAMS)  # fmt: skip
    assert info["License"] == "CC-BY-4.0" and "CC-BY-4.0" in info["Copyright"]
    meta = PdfReader(tmp_path / "m.pdf").metadata
    assert (meta["/Title"], meta["/Subject"], meta["/Creator"]) == (
        TEXT.title,
        TEXT.caption,
        "belthaw",
    )
    assert "/CreationDate" not in meta and "license=CC-BY-4.0" in meta["/Keywords"]
    svg = (tmp_path / "m.svg").read_text()
    assert f"<dc:title>{TEXT.title}</dc:title>" in svg and "<dc:date>" not in svg
    assert "Matplotlib v" not in svg and "CC-BY-4.0" in svg


UNICODE = "Лукашенко, Łódź, São Tomé, 中国 and 😀 in one title"


def test_any_script_renders_in_every_format_without_a_warning(tmp_path, caplog):
    text = FigureText(UNICODE, "Ўсё: ŭ ё ć", "caption", "alt", notes=("Примечание 注意",))
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("error")
        save(draw(), "u", tmp_path, text=text)
    assert [r.getMessage() for r in caplog.records] == []
    with Image.open(tmp_path / "u.png") as im:
        assert im.text["Title"] == UNICODE
    assert PdfReader(tmp_path / "u.pdf").metadata["/Title"] == UNICODE
    assert UNICODE in (tmp_path / "u.svg").read_text(encoding="utf-8")
    assert (tmp_path / "u.md").read_text(encoding="utf-8").startswith(f"# {UNICODE}\n")


@pytest.mark.parametrize("formats", [("svg", "pdf", "png"), ("pdf", "png")])
def test_the_png_is_written_first_and_handed_to_on_png(tmp_path, monkeypatch, formats):
    save(draw(), "fig", tmp_path)  # an older save: on_png must see the new picture
    events = []
    real = bs._render

    def render(fig, fmt, md):
        events.append(("render", fmt))
        return real(fig, fmt, md)

    def on_png(path):
        events.append(("on_png", path))
        with Image.open(path) as im:
            assert im.text["Title"] == "New"  # the new PNG is in place ...
        assert [Path(p).name for p in figure_problems(tmp_path, "fig")] == [
            "fig.png does not match fig.json (truncated or changed)"  # ... the record not yet
        ]

    monkeypatch.setattr(bs, "_render", render)
    written = save(draw(), "fig", tmp_path, text=TEXT.edit(title="New"), formats=formats,
                   on_png=on_png)  # fmt: skip
    rest = [f for f in formats if f != "png"]
    assert events == [("render", "png"), ("on_png", tmp_path / "fig.png")] + [("render", f) for f in rest]  # fmt: skip
    assert [p.name for p in written] == ["fig.png", *(f"fig.{f}" for f in rest), "fig.md", "fig.json"]  # fmt: skip
    assert figure_problems(tmp_path, "fig") == []


def test_a_failure_after_the_png_puts_the_old_one_back(tmp_path):
    save(draw(), "fig", tmp_path)
    old = contents(tmp_path)

    def on_png(path):
        raise KeyboardInterrupt  # the notebook interrupted while showing the new picture

    with pytest.raises(KeyboardInterrupt):
        save(draw(), "fig", tmp_path, text=TEXT.edit(title="New"), on_png=on_png)
    assert contents(tmp_path) == old and figure_problems(tmp_path, "fig") == []
    with pytest.raises(KeyboardInterrupt):
        save(draw(), "new", tmp_path, on_png=on_png)
    assert contents(tmp_path) == old, "a first save leaves no PNG behind"


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"formats": ("png", "jpg")}, "unknown figure format 'jpg'"),
        ({"formats": ()}, "no figure format"),
        ({"size": "a5"}, "unknown figure size 'a5'"),
        ({"as_of": "11/09/2025"}, "YYYY-MM-DD"),
        ({"publishers": []}, "at least one source"),
        ({"params": {"f": object()}}, "JSON"),
        ({"tables": {"t": [1, 2]}}, "must be a pandas DataFrame"),
        ({"tables": {"a b": pd.DataFrame()}}, "not a plain file name"),
    ],
)
def test_bad_arguments_are_named_and_write_nothing(tmp_path, over, match):
    with pytest.raises(BelthawError, match=match):
        save(draw(), "x", tmp_path, **over)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["../escape", "a/b", ".hidden", "a b"])
def test_a_name_that_is_not_a_plain_file_name(tmp_path, bad):
    with pytest.raises(BelthawError, match="not a plain file name"):
        save(draw(), bad, tmp_path)


def test_notes_given_to_finish_figure_are_kept(tmp_path):
    fig = draw()
    finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11", notes=("Extra.",))
    save(fig, "extra", tmp_path, formats=("svg",))
    assert "Note: Extra." in (tmp_path / "extra.svg").read_text()
    assert "- Extra.\n" in (tmp_path / "extra.md").read_text()


# --------------------------------------------------------------------------- save_figure


@pytest.fixture
def params():
    return parameters.check("01_releases", {"output_set": "test-set"})


def sid(ds) -> str:
    return str(ds.sources["source_id"].iloc[0])


def test_save_figure_writes_the_data_and_the_manifest(tmp_path, ds, params, monkeypatch, capsys):
    monkeypatch.delenv(files.OUTPUTS_ENV, raising=False)
    text = FigureText("Title", "Scope", "Caption", "Alt", source_ids=(sid(ds),))
    drawn = pd.DataFrame({"date": ["2025-09-11"], "people": [52], "source_ids": [sid(ds)], "confidence": ["high"]})  # fmt: skip
    written = save_figure(draw(), text, "01-releases", data=ds, params=params, table=drawn,
                          tables={"pairs": drawn.head(0)}, out_dir=tmp_path)  # fmt: skip
    assert [p.name for p in written] == [
        "01-releases.png", "01-releases.svg", "01-releases.pdf", "01-releases-data.csv",
        "01-releases-pairs.csv", "01-releases.md", "01-releases.json",
    ]  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "01-releases-data.csv"), drawn)
    rec = json.loads((tmp_path / "01-releases.json").read_text())
    assert rec["data_csv"] == "01-releases-data.csv" and rec["edited"] == []
    assert set(rec["files"]) == {p.name for p in written[:-1]}
    assert rec["files"]["01-releases.png"] == files.sha256(
        (tmp_path / "01-releases.png").read_bytes()
    )
    assert rec["data_version"] == ds.version and rec["notebook"] == "01_releases.ipynb"
    assert "output_set" not in rec["parameters"] and rec["parameters"]["size"] == params.size
    assert rec["publishers"] == ds.publishers_in_order([sid(ds)])
    assert [r["source_id"] for r in rec["references"]] == [sid(ds)]
    md = (tmp_path / "01-releases.md").read_text()
    assert "The rows drawn: [01-releases-data.csv]" in md and "- [01-releases-pairs.csv]" in md
    assert "01-releases" in (tmp_path / "README.md").read_text()  # the index, kept current by hand
    assert "saved: 01-releases.png" in capsys.readouterr().out
    assert figure_problems(tmp_path, "01-releases") == []


def test_save_figure_defaults_and_the_runner_s_outputs_file(tmp_path, ds, params, monkeypatch):
    out = tmp_path / "figures"
    monkeypatch.setattr(bs.paths, "figure_dir", lambda s: out / s)
    monkeypatch.setenv(files.OUTPUTS_ENV, str(tmp_path / "outputs.json"))
    p = parameters.check("01_releases", {"output_set": "test-set", "formats": ["svg"]})
    text = FigureText("Title", "Scope", "Caption", "Alt", source_ids=(sid(ds),))
    written = save_figure(draw("slide"), text, "x", data=ds, params=p)
    assert [w.name for w in written] == ["x.svg", "x.md", "x.json"]
    assert written[0].parent == out / "test-set"
    assert json.loads((tmp_path / "outputs.json").read_text()) == [
        str(w.resolve()) for w in written
    ]
    assert not (out / "test-set" / "README.md").exists(), (
        "inside belthaw run the runner writes the index"
    )
    assert json.loads(written[-1].read_text())["size"]["name"] == "slide", "the figure's own size"


def test_save_figure_hands_the_png_to_on_png(tmp_path, ds, params, monkeypatch):
    monkeypatch.delenv(files.OUTPUTS_ENV, raising=False)
    text = FigureText("Title", "Scope", "Caption", "Alt", source_ids=(sid(ds),))
    shown = []
    kw = dict(data=ds, params=params, out_dir=tmp_path, on_png=shown.append)
    written = save_figure(draw(), text, "p", formats=["svg", "png"], **kw)
    assert shown == [tmp_path / "p.png"] and [p.name for p in written[:2]] == ["p.png", "p.svg"]
    save_figure(draw(), text, "s", formats=["svg"], **kw)
    assert shown == [tmp_path / "p.png"], "no PNG, no call"


def test_nothing_drawn_nothing_saved(tmp_path, ds, params):
    assert save_figure(None, TEXT, "x", data=ds, params=params, out_dir=tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_edited_words_reach_picture_sidecar_and_record(tmp_path, ds, params):
    text = FigureText("T", "S", "C", "A", source_ids=(sid(ds),))
    text = text.edit(title="The analyst's own finding", caption="Read it this way")
    save_figure(draw(), text, "e", data=ds, params=params, out_dir=tmp_path, formats=["svg"])
    assert "The analyst's own finding" in (tmp_path / "e.svg").read_text()
    md = (tmp_path / "e.md").read_text()
    assert md.startswith("# The analyst's own finding\n") and "Read it this way" in md
    assert "not generated from the data: title, caption." in md
    rec = json.loads((tmp_path / "e.json").read_text())
    assert (rec["title"], rec["caption"], rec["edited"]) == ("The analyst's own finding", "Read it this way", ["title", "caption"])  # fmt: skip


# --------------------------------------------------------------------------- failures


def _raise(code):
    def fail(*a, **k):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_write_error_is_one_sentence_and_changes_nothing(tmp_path, monkeypatch, code):
    save(draw(), "fig", tmp_path)
    old = contents(tmp_path)
    real, calls = Path.write_bytes, []

    def write_bytes(self, data):  # the third temp file (the PDF) cannot be written
        calls.append(self)
        return _raise(code)() if len(calls) == 3 else real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    with pytest.raises(BelthawError) as e:
        save(draw(), "fig", tmp_path, text=TEXT.edit(title="New"))
    monkeypatch.undo()
    assert str(tmp_path) in str(e.value) and os.strerror(code) in str(e.value)
    assert contents(tmp_path) == old and figure_problems(tmp_path, "fig") == []


def test_a_failure_while_rendering_writes_nothing(tmp_path, monkeypatch):
    save(draw(), "fig", tmp_path)
    old = contents(tmp_path)
    real = bs._render
    monkeypatch.setattr(
        bs, "_render", lambda fig, fmt, md: 1 / 0 if fmt == "pdf" else real(fig, fmt, md)
    )
    with pytest.raises(ZeroDivisionError):
        save(draw(), "fig", tmp_path, text=TEXT.edit(title="New"))
    assert contents(tmp_path) == old


def test_a_save_interrupted_among_the_renames_is_reported(tmp_path, monkeypatch):
    save(draw(), "fig", tmp_path)
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        return _raise(errno.EIO)() if len(calls) == 4 else real(src, dst)  # the .md

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(BelthawError, match="could not write to"):
        save(draw(), "fig", tmp_path, text=TEXT.edit(title="New"))
    monkeypatch.undo()
    assert [Path(c).name for c in calls[:4]] == ["fig.png", "fig.svg", "fig.pdf", "fig.md"]
    assert leftovers(tmp_path) == []
    problems = figure_problems(tmp_path, "fig")  # the old PNG was put back
    assert [p.rsplit("/", 1)[-1] for p in problems] == [
        "fig.svg does not match fig.json (truncated or changed)",
        "fig.pdf does not match fig.json (truncated or changed)",
    ]


# --------------------------------------------------------------------------- same bytes, one draw


@pytest.fixture
def draws(monkeypatch):
    seen: list[str] = []
    original = Figure.draw

    def counting(self, renderer):
        seen.append(type(renderer).__name__)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    return seen


@pytest.mark.parametrize("formats", [FORMATS, ("svg",), ("png", "pdf")])
def test_one_draw_per_format(tmp_path, draws, formats):
    fig = draw()
    draws.clear()
    save(fig, "d", tmp_path, formats=formats)
    assert len(draws) == len(formats), draws


def test_a_shown_figure_saves_the_same_bytes_as_a_fresh_one_twice(tmp_path):
    shown = draw()
    shown.canvas.draw()  # a notebook preview at screen resolution
    a = contents(Path(save(shown, "f", tmp_path / "a")[0]).parent)
    b = contents(Path(save(draw(), "f", tmp_path / "b")[0]).parent)
    again = contents(Path(save(shown, "f", tmp_path / "c")[0]).parent)
    assert a == b == again


_CHILD = """
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from test_figure_save import draw, save
for size in ("a4-full", "slide"):
    save(draw(size), "fig-" + size, Path(sys.argv[1]), size=size)
"""


def test_another_process_writes_the_same_bytes(tmp_path):
    for size in ("a4-full", "slide"):
        save(draw(size), "fig-" + size, tmp_path / "here", size=size)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(MPLBACKEND="Agg", PYTHONHASHSEED="7", SOURCE_DATE_EPOCH="86400")
    args = [sys.executable, "-c", _CHILD, str(tmp_path / "there"), str(Path(__file__).parent)]
    subprocess.run(args, env=env, check=True)
    assert contents(tmp_path / "here") == contents(tmp_path / "there")
