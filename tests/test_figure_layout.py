"""belthaw.figure.layout: the source line, the words drawn on a figure, the font fallback."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from belthaw.charts.figtext import FigureText  # noqa: E402
from belthaw.errors import BelthawError  # noqa: E402
from belthaw.figure import finish  # noqa: E402
from belthaw.figure.layout import (  # noqa: E402
    finish_figure,
    font_families,
    source_line,
    use_font_fallback,
)
from belthaw.freshness import AS_OF_NOTE  # noqa: E402
from belthaw.style import MIN_FONT_PT, SIZES, house_style  # noqa: E402

TEXT = FigureText(
    title="Belarus freed 52 prisoners within days of the US lifting Belavia sanctions worth $30m",
    subtitle="Releases per month, Sep 2024 - Sep 2025; counts as published by Viasna",
    caption="Bars: people released per month.",
    alt="Bar chart of monthly releases.",
    notes=("2024 counts are lower bounds.",),
    source_ids=("src-001",),
)
PUBLISHERS = ["AP", "Reuters", "Viasna", "Kyiv Independent", "Pozirk", "RFE/RL"] + [
    f"Outlet {i:02d}" for i in range(12)
]


def draw(size: str = "a4-full") -> Figure:
    with house_style(size):
        fig = Figure()
        ax = fig.add_subplot()
        ax.bar(range(12), [1, 0, 3, 5, 2, 8, 14, 0, 52, 3, 1, 0], label="released")
        ax.set_xlabel("month")
        ax.set_ylabel("people released")
        ax.legend(loc="upper left")
    return fig


def tagged(fig: Figure) -> dict[str, Text]:
    return {t.get_gid(): t for t in fig.texts if str(t.get_gid()).startswith("belthaw:")}


@pytest.mark.parametrize(
    ("publishers", "kw", "expected"),
    [
        (["AP"], {}, "Source: AP"),
        (["AP", "Reuters", "AP", " reuters "], {}, "Source: AP; Reuters"),
        (PUBLISHERS, {"sidecar_name": "releases"}, "Source: AP; Reuters; Viasna; Kyiv Independent; "
         "Pozirk; RFE/RL and 12 others (full list in releases.md)"),
        (PUBLISHERS[:7], {"sidecar_name": "r"}, "Source: AP; Reuters; Viasna; Kyiv Independent; "
         "Pozirk; RFE/RL and 1 other (full list in r.md)"),
        (PUBLISHERS, {}, "Source: AP; Reuters; Viasna; Kyiv Independent; Pozirk; RFE/RL and 12 others"),
        (PUBLISHERS[:6], {"sidecar_name": "x"}, "Source: AP; Reuters; Viasna; Kyiv Independent; Pozirk; RFE/RL"),
        (["Viasna", "AP"], {}, "Source: Viasna; AP"),  # the caller's order is kept
    ],
)  # fmt: skip
def test_source_line(publishers, kw, expected):
    assert source_line(publishers, **kw) == expected


@pytest.mark.parametrize("publishers", [[], ["", " "]])
def test_source_line_rejects(publishers):
    with pytest.raises(BelthawError, match="at least one source"):
        source_line(publishers)


LONG_SOURCE = source_line([f"Very Long Publisher Name Number {i}" for i in range(6)] + ["x", "y"])


@pytest.mark.parametrize("source", ["Source: AP", LONG_SOURCE])
@pytest.mark.parametrize("size", list(SIZES))
def test_finish_figure_fits_without_overlap(size, source):
    fig = draw(size)
    with house_style(size):
        finish_figure(fig, TEXT, source_line=source, as_of="2025-09-11", notes=("Extra note.",))
        fig.dpi = 300  # checked at the resolution the files are written at
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
    texts = tagged(fig)
    assert set(texts) == {f"belthaw:{k}" for k in ("title", "subtitle", "notes", "source", "as_of")}
    assert texts["belthaw:title"].get_fontweight() == "bold"
    assert texts["belthaw:as_of"].get_text() == "Data as of 2025-09-11"
    assert "Note: Extra note." in texts["belthaw:notes"].get_text()
    assert ("\n" in texts["belthaw:source"].get_text()) == (source == LONG_SOURCE)
    boxes = {k: t.get_window_extent(renderer) for k, t in texts.items()}
    page = fig.bbox
    for k, b in boxes.items():
        assert page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1, k
        for ax in fig.axes:
            assert not ax.get_tightbbox(renderer).overlaps(b), f"{k} overlaps the axes at {size}"
    assert boxes["belthaw:title"].y0 >= boxes["belthaw:subtitle"].y1 - 1
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip():
            assert t.get_fontsize() >= MIN_FONT_PT, (t.get_text(), size)


def test_finish_figure_twice_replaces_its_texts():
    fig = draw()
    finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11")
    finish_figure(fig, TEXT, source_line="Source: Reuters", as_of="2025-09-12")
    gids = [t.get_gid() for t in fig.texts]
    assert len(gids) == len(set(gids)) == 5
    assert tagged(fig)["belthaw:source"].get_text() == "Source: Reuters"


def test_dollars_are_money_not_mathtext():
    fig = draw()
    finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11")
    assert "$30m" in tagged(fig)["belthaw:title"].get_text()
    FigureCanvasAgg(fig).draw()  # unbalanced mathtext would raise


@pytest.mark.parametrize("as_of", ["11/09/2025", "2025-9-1", "", None])
def test_a_bad_date_is_refused(as_of):
    with pytest.raises(BelthawError, match="YYYY-MM-DD"):
        finish_figure(draw(), TEXT, source_line="Source: AP", as_of=as_of)


def test_too_many_words_for_the_chart_are_refused_and_leave_nothing():
    fig = draw("a4-half")
    notes = tuple(f"Note number {i} about a disputed count in some month." for i in range(12))
    with pytest.raises(BelthawError, match="too little room"):
        finish_figure(fig, TEXT, source_line="Source: AP", as_of="2025-09-11", notes=notes)
    assert tagged(fig) == {}


@pytest.mark.parametrize(("stale_after_days", "noted"), [(10**6, False), (0, True)])
def test_finish_draws_the_data_s_sources_and_date(ds, stale_after_days, noted):
    sid = str(ds.sources["source_id"].iloc[0])
    text = FigureText("T", "S", "C", "A", source_ids=(sid,))
    fig = finish(draw(), text, ds, name="01-releases", stale_after_days=stale_after_days)
    texts = tagged(fig)
    assert texts["belthaw:source"].get_text() == source_line(ds.publishers_in_order([sid]))
    assert texts["belthaw:as_of"].get_text().startswith(f"Data as of {ds.as_of:%Y-%m-%d}")
    assert (AS_OF_NOTE in texts["belthaw:as_of"].get_text()) == noted


def test_the_font_fallback_lists_installed_fonts_dejavu_first():
    installed = {f.name for f in font_manager.fontManager.ttflist}
    fams = font_families()
    assert fams[0] == "DejaVu Sans"
    assert all(f in installed or f == "sans-serif" for f in fams)
    fig = draw()
    use_font_fallback(fig)
    assert fig.axes[0].xaxis.label.get_fontfamily() == list(fams)
