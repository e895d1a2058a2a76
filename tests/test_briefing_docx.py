"""belthaw.briefing.docx_pack: the Word pack, read with python-docx and (marker ``office``)
opened the way its readers open it, in LibreOffice."""

from __future__ import annotations

import io
import re
import subprocess

import docx
import pytest
from docx.oxml.ns import qn

from belthaw.briefing.docx_pack import render_docx
from belthaw.briefing.record import load_pack
from briefing_figures import shared_figures


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return load_pack(shared_figures(tmp_path_factory))


@pytest.fixture(scope="module")
def raw(pack):
    return render_docx(pack)


def all_text(p) -> str:
    """A paragraph's text with its fields' shown values (python-docx's .text skips them)."""
    return "".join(t.text or "" for t in p._p.iter(qn("w:t")))


def test_built_as_a_word_user_would(raw, pack):
    doc = docx.Document(io.BytesIO(raw))
    for shape, f in zip(doc.inline_shapes, pack.figures, strict=True):
        assert shape._inline.docPr.get("descr") == f.alt
        assert abs(shape.width.cm - f.width_cm) < 0.05  # print width: text at its drawn size
    captions = [all_text(p) for p in doc.paragraphs if p.style.name == "Caption"]
    assert [c for c in captions if c.startswith("Figure")] == [
        f"Figure {f.number}. {f.caption_text}" for f in pack.figures
    ]
    assert [c[:8] for c in captions if c.startswith("Table")] == ["Table 1.", "Table 2."]
    xml = doc.element.xml
    assert xml.count('w:instr=" SEQ Figure \\* ARABIC "') == len(pack.figures)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Key findings", "Contents"]
    assert headings[-2:] == ["Fact-check sheet", "References"]
    numbered = [all_text(p) for p in doc.paragraphs if p.style.name == "List Number"]
    assert numbered == [f"{k.text} {k.label}" for k in pack.findings]
    assert numbered[0].endswith(" (Figures 1, 2)") and numbered[1].endswith(" (Figure 2)")
    assert "References:" not in "\n".join(p.text for p in doc.paragraphs)


def test_tables_are_word_tables_with_a_repeating_header(raw):
    doc = docx.Document(io.BytesIO(raw))
    exchanges, totals, rows = doc.tables  # the two tables, then the fact-check rows of figure 1
    assert [c.text for c in exchanges.rows[0].cells][4:6] == ["People", "Days"]
    assert totals.rows[0].cells[5].text == "Our sum"
    assert rows.rows[5].cells[1].text == "Release 5"
    assert exchanges.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_same_pack_same_bytes_and_the_data_licence_in_the_properties(raw, pack):
    assert render_docx(pack) == raw
    props = docx.Document(io.BytesIO(raw)).core_properties
    assert "license=CC-BY-4.0" in props.keywords and props.title == pack.title
    assert props.created.date().isoformat() == pack.as_of


@pytest.mark.office
def test_libreoffice_opens_it_with_every_figure_caption_and_reference(raw, pack, tmp_path):
    (tmp_path / "briefing.docx").write_bytes(raw)
    conv = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "briefing.docx")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert (tmp_path / "briefing.pdf").exists(), conv.stdout + conv.stderr
    listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "briefing.pdf")],
                             capture_output=True, text=True).stdout.splitlines()[2:]  # fmt: skip
    assert len([ln for ln in listing if ln.split()[2] == "image"]) == len(pack.figures)
    text = subprocess.run(["pdftotext", str(tmp_path / "briefing.pdf"), "-"],
                          capture_output=True, text=True).stdout  # fmt: skip
    flat = re.sub(r"\s+", " ", text)
    for f in pack.figures:
        assert f"Figure {f.number}. {f.caption_text}" in flat
    for r in pack.references:
        assert r.ref["title"] in flat
    for word in ("People", "Days", "Difference"):  # no header broken inside a word
        assert not re.search(rf"{word[:-1]}\n{word[-1]}\b", text)
