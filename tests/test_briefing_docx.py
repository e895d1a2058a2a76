"""The Word pack, opened the way its readers open it: in an office suite (LibreOffice headless).

Needs ``soffice`` (Debian: libreoffice-writer-nogui) and poppler-utils (pdftotext,
pdfimages); both are installed by .ci/run.
"""

from __future__ import annotations

import re
import subprocess

import docx
import pytest
from docx.oxml.ns import qn

import test_briefing
from test_briefing import STORY, belthaw, in_pack, squash

# The figures made once per session by tests/test_briefing.py's fixtures.
made = test_briefing.made
records = test_briefing.records


@pytest.fixture(scope="module")
def word(made, tmp_path_factory):
    """``belthaw brief --format docx``, and the same document converted to PDF by LibreOffice."""
    out = tmp_path_factory.mktemp("word")
    res = belthaw(
        "brief", "--out", str(out), "--format", "docx",
        figures=made / "figures", build=made / "build",
    )  # fmt: skip
    assert res.stdout.strip() == f"belthaw brief: wrote {out / 'briefing.docx'}"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["briefing.docx"]
    conv = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{out}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(out / "lo"), str(out / "briefing.docx")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    pdf = out / "lo" / "briefing.pdf"
    assert pdf.exists(), conv.stdout + conv.stderr
    return out / "briefing.docx", pdf


def test_word_document_is_built_as_a_word_user_would(word, records):
    doc = docx.Document(str(word[0]))
    pics = doc.inline_shapes
    assert len(pics) == len(STORY)
    for shape, name in zip(pics, STORY, strict=True):
        pr = shape._inline.docPr
        assert pr.get("descr") == records[name]["alt"]
        # Print width (16 cm) as drawn: pasted at 100 %, text is the size it was drawn at.
        assert abs(shape.width.cm - records[name]["size"]["width_cm"]) < 0.05
    # All text of the paragraph, the SEQ field's number included (python-docx's .text skips it).
    captions = [
        "".join(t.text or "" for t in p._p.iter(qn("w:t")))
        for p in doc.paragraphs
        if p.style.name == "Caption"
    ]
    for i, name in enumerate(STORY, 1):
        assert f"Figure {i}. {in_pack(records[name]['caption'])}" in captions
    assert any(c.startswith("Table 1. ") for c in captions)
    assert any(c.startswith("Table 2. ") for c in captions)
    assert len(doc.tables) == 2
    assert doc.tables[1].rows[0].cells[5].text == "Our sum"
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Key findings", "Contents"] and headings[-1] == "References"
    assert "CC-BY-4.0" in doc.core_properties.keywords


def test_word_document_opens_in_libreoffice_with_every_figure_caption_and_reference(word, records):
    _, pdf = word
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > len(STORY)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    images = [ln.split() for ln in listing.stdout.splitlines()[2:]]
    images = [ln for ln in images if ln[2] == "image"]
    assert len(images) == len(STORY)
    assert all(int(ln[3]) >= 1800 for ln in images), "figures lost their 300 dpi"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = squash(text)
    assert squash("Key findings") in flat
    for i, name in enumerate(STORY, 1):
        rec = records[name]
        assert squash(f"{rec['title']} (Figure {i})") in flat, name
        assert squash(f"Figure {i}. {in_pack(rec['caption'])}") in flat, name
        assert squash(rec["citation"]) in flat, name
    assert "References" in text
    for rec in records.values():
        for r in rec["references"]:
            assert squash(r["title"]) in flat, r["source_id"]
