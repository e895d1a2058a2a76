"""The briefing pack, and the committed figures as an analyst pastes them."""

from __future__ import annotations

import struct

import pytest
from pypdf import PdfReader

from belthaw import briefing, paths
from belthaw.errors import BelthawError

FIGURES = paths.ROOT / "figures"
STEMS = sorted(p.stem for p in FIGURES.glob("*.md") if p.name != "README.md")


def png_dpi(path) -> float:
    """Horizontal resolution from the PNG pHYs chunk, in dots per inch."""
    data = path.read_bytes()
    i = data.index(b"pHYs")
    ppm_x, _, unit = struct.unpack(">IIB", data[i + 4 : i + 13])
    assert unit == 1, "pHYs unit is not metres"
    return ppm_x * 0.0254


@pytest.mark.parametrize("stem", STEMS)
def test_committed_png_is_300_dpi(stem):
    assert round(png_dpi(FIGURES / f"{stem}.png")) == 300


@pytest.mark.parametrize("stem", STEMS)
def test_committed_pdf_embeds_truetype_fonts(stem):
    """TrueType (fonttype 42) keeps text as text in Word and vector editors; Type 3 would not."""
    page = PdfReader(FIGURES / f"{stem}.pdf").pages[0]
    fonts = page["/Resources"]["/Font"]
    subtypes = set()
    for ref in fonts.values():
        font = ref.get_object()
        subtypes.add(str(font["/Subtype"]))
        for desc in font.get("/DescendantFonts", []):
            d = desc.get_object()
            subtypes.add(str(d["/Subtype"]))
            assert "/FontFile2" in d["/FontDescriptor"].get_object(), "TrueType file not embedded"
    assert "/Type3" not in subtypes
    assert subtypes & {"/TrueType", "/CIDFontType2"}


@pytest.mark.parametrize("stem", STEMS)
def test_committed_svg_keeps_text_selectable(stem):
    svg = (FIGURES / f"{stem}.svg").read_text()
    assert "<text" in svg and "DejaVu Sans" in svg


def test_briefing_pack_has_every_figure(tmp_path):
    html_path, pdf_path = briefing.build(FIGURES, tmp_path)
    page = html_path.read_text()
    for e in briefing.entries(FIGURES):
        assert f'<img src="{e.name}.png"' in page
        assert e.title.split(",")[0] in page
        assert (tmp_path / f"{e.name}.png").exists()
    assert "Data as of 2026-03-19" in page
    assert len(PdfReader(pdf_path).pages) == len(STEMS)


def test_briefing_pdf_keeps_figures_as_vectors(tmp_path):
    _, pdf_path = briefing.build(FIGURES, tmp_path)
    first = PdfReader(pdf_path).pages[0]
    text = first.extract_text()
    # The figure's own title is text in the pack, not pixels.
    assert briefing.entries(FIGURES)[0].title.split(" ")[0] in text
    assert "How to read it" in text


def test_briefing_without_figures_says_what_to_do(tmp_path):
    with pytest.raises(BelthawError, match="run `belthaw run` first"):
        briefing.build(tmp_path / "empty", tmp_path / "out")
