"""belthaw.briefing.pdf_pack: the A4 PDF, read back with pypdf."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from belthaw.briefing.pdf_pack import MISSING, column_widths, covered, new_pdf, render_pdf
from belthaw.briefing.record import Table, load_pack
from briefing_figures import shared_figures


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return load_pack(shared_figures(tmp_path_factory))


@pytest.fixture(scope="module")
def pdf(pack):
    return render_pdf(pack)


def pages_text(raw: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(raw)).pages]


def test_findings_captions_tables_fact_checks_and_references_are_text(pdf, pack):
    text = " ".join(pages_text(pdf))
    for k in pack.findings:
        assert k.text in text
    for f in pack.figures:
        assert f"{f.label}. {f.caption_text}" in text
        assert f.citation in text
    assert "Table 1." in text and "Table 2." in text and "Fact-check sheet" in text
    assert "Release 5" in text  # a row of the data CSV behind figure 1
    for r in pack.references:
        assert r.ref["title"] in text
    assert "References:" not in text  # no per-figure line of reference numbers


def test_figures_stay_vectors_on_the_page_the_contents_give(pdf, pack):
    pages = pages_text(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    for f in pack.figures:
        listed = re.search(rf"{re.escape(f.heading)} page (\d+)", pages[0])
        assert listed, f.heading
        n = int(listed.group(1))
        assert f"MARK-{f.name}" in pages[n - 1]  # the figure's own text, still text
        assert not reader.pages[n - 1].images  # placed as vectors, not a picture of them
    assert all(re.search(rf"page {i} of {len(pages)}", p) for i, p in enumerate(pages, 1))


def test_the_same_pack_gives_the_same_bytes(pdf, pack):
    assert render_pdf(pack) == pdf
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert "license=CC-BY-4.0" in meta["/Keywords"] and meta["/Title"] == pack.title


@pytest.mark.parametrize(
    ("text", "boxes"), [("Łódź, Привет", 0), ("\U000f0000x", 1), ("a\U0010fffd\U000f0001", 2)]
)
def test_a_character_no_font_has_becomes_a_box(text, boxes):
    out = covered(new_pdf(), text)
    assert out.count(MISSING) == boxes and len(out) == len(text)


MEASURE = new_pdf()
WORDS = st.text(st.characters(codec="latin-1", categories=("L", "N")), min_size=1, max_size=12)


@given(st.lists(st.lists(WORDS, min_size=1, max_size=4), min_size=2, max_size=6))
def test_columns_are_never_narrower_than_their_longest_word(cols):
    header = [" ".join(c) for c in cols]
    t = Table(1, "", header, [header], [False] * len(header))
    pdf = MEASURE
    widths = column_widths(pdf, t, 7.0, 170.0)
    pdf.set_font("DejaVu", "B", 7.0)
    longest = [max(pdf.get_string_width(w) for w in c) for c in cols]
    if sum(longest) + 2.6 * len(cols) <= 170.0:
        assert all(w >= m for w, m in zip(widths, longest, strict=True))
        assert sum(widths) == pytest.approx(170.0)


def test_no_table_header_is_broken_inside_a_word(pdf):
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for word in ("People", "Days", "Difference", "Published", "Release"):
        assert not re.search(rf"{word[:-1]}\n{word[-1]}\b", text)
