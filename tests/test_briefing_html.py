"""belthaw.briefing.html_pack: the pack as one HTML page."""

from __future__ import annotations

import json
import re
import shutil
from html import escape

import pytest

from belthaw.briefing.html_pack import render_html
from belthaw.briefing.record import load_pack
from briefing_figures import shared_figures


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return shared_figures(tmp_path_factory)


@pytest.fixture(scope="module")
def pack(figures):
    return load_pack(figures)


@pytest.fixture(scope="module")
def page(pack):
    return render_html(pack)


def test_findings_once_then_figures_in_story_order(page, pack):
    findings = page.split('<h2 id="contents">')[0]
    assert len(re.findall(r"<li>", findings)) == len(pack.findings) == 4
    assert 'Figure 1</a>, <a href="#figure-2">Figure 2</a>)' in findings
    positions = [page.index(f'id="figure-{f.number}"') for f in pack.figures]
    assert positions == sorted(positions)


def test_each_figure_with_alt_text_caption_sources_citation_and_downloads(page, pack):
    for f in pack.figures:
        assert f'<img src="{f.name}.png" alt="{escape(f.alt)}"' in page
        assert f"<figcaption><b>{f.label}.</b> {escape(f.caption_text)}</figcaption>" in page
        assert f"<b>Cite this figure:</b> {escape(f.citation)}" in page
        assert f'<a href="{f.name}.pdf">PDF</a>' in page
    assert '<a href="01-releases-data.csv">data (CSV)</a>' in page
    assert "References:" not in page and "beside this figure" not in page


def test_tables_fact_checks_and_every_reference_once(page, pack):
    assert '<table id="table-1">' in page and '<table id="table-2">' in page
    assert "<th>People</th>" in page and '<td class="num">−4</td>' in page
    check = page.split('id="fact-check"')[1].split('id="references"')[0]
    assert check.count("<h3>") == len(pack.figures)
    assert "<td>Release 5</td>" in check and "<b>Origins:</b> Wire A (6)" in check
    assert re.findall(r'<li id="ref-(\d+)">', page) == [str(i) for i in range(1, 21)]
    assert '<a href="https://example.org/1">https://example.org/1</a>' in page


def test_words_from_the_records_are_escaped(figures, tmp_path):
    shutil.copytree(figures, tmp_path / "f")
    p = tmp_path / "f" / "03-exchanges.json"
    rec = json.loads(p.read_text())
    rec["caption"] = "<script>alert(1)</script> & more"
    p.write_text(json.dumps(rec))
    page = render_html(load_pack(tmp_path / "f"))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
