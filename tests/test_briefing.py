"""The briefing pack and the figure records it is made from, through the commands users type.

Figures are made in a temporary folder by ``belthaw run --force`` (never the committed
``figures/``), once per test session, and shared with tests/test_briefing_docx.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from belthaw import paths

BELTHAW = Path(sys.executable).with_name("belthaw")
STORY = [
    "01-releases",
    "01-cumulative",
    "02-relief-steps",
    "03-exchanges",
    "04-overview",
    "05-claims",
    "05-totals",
]


def belthaw(*args: str, figures: Path, build: Path, check: bool = True):
    env = dict(os.environ, BELTHAW_FIGURES_DIR=str(figures), BELTHAW_BUILD_DIR=str(build))
    res = subprocess.run(
        [str(BELTHAW), *args], capture_output=True, text=True, env=env, cwd=paths.ROOT
    )
    if check:
        assert res.returncode == 0, res.stdout + res.stderr
    return res


def squash(s: str) -> str:
    """Text without whitespace and hyphens: PDF lines break anywhere in a long URL, and
    pdftotext drops a hyphen that ends a line ("release-by-" + "release" -> "release-byrelease").
    """
    return re.sub(r"[\s-]+", "", s)


def in_pack(text: str) -> str:
    """A record's words as the pack prints them: its table files are the pack's tables."""
    for file, label in (("03-exchanges-pairs.csv", "Table 1"), ("05-totals-table.csv", "Table 2")):
        text = re.sub(re.escape(file) + r"( beside this figure)?", label, text)
    return text


@pytest.fixture(scope="session")
def made(tmp_path_factory) -> Path:
    """A folder holding figures/ made by ``belthaw run --force`` (made once per session)."""
    base = tmp_path_factory.getbasetemp() / "briefing-run"
    if not (base / "done").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir()
        belthaw("run", "--force", figures=base / "figures", build=base / "build")
        (base / "done").write_text("ok")
    return base


@pytest.fixture(scope="session")
def records(made) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (made / "figures").glob("*.json")}


@pytest.fixture(scope="session")
def pack(made, tmp_path_factory) -> Path:
    """``belthaw brief`` with its defaults (all three formats) into a fresh folder."""
    out = tmp_path_factory.mktemp("pack")
    res = belthaw("brief", "--out", str(out), figures=made / "figures", build=made / "build")
    assert all(line.startswith("belthaw brief: wrote ") for line in res.stdout.splitlines())
    return out


# -- the figure records ------------------------------------------------------------------


def test_every_figure_has_a_record_with_references_and_citation(made, records):
    assert sorted(records) == sorted(STORY)
    for name, rec in records.items():
        assert rec["name"] == name
        refs = rec["references"]
        assert refs, f"{name}: no references"
        assert [r["source_id"] for r in refs] == rec["source_ids"]
        for r in refs:
            assert r["publisher"] and r["title"] and r["published"], r
            assert {"url", "tier", "original_publisher"} <= set(r)
        cite = rec["citation"]
        assert f'Figure "{rec["title"]}"' in cite
        assert f"data version {rec['data_version']}" in cite
        assert f"data as of {rec['as_of']}" in cite
        assert cite.endswith("CC-BY-4.0")
        md = (made / "figures" / f"{name}.md").read_text()
        assert "## Cite this figure" in md and cite in md
        assert "## References" in md
        assert all(r["source_id"] in md for r in refs)


def test_the_data_licence_is_in_every_file_s_metadata(made, records):
    for name in records:
        png = Image.open(made / "figures" / f"{name}.png")
        assert "CC-BY-4.0" in png.text["Copyright"]
        assert png.text["belthaw:citation"] == records[name]["citation"]
        svg = (made / "figures" / f"{name}.svg").read_text()
        rights = re.search(r"<dc:rights>(.*?)</dc:rights>", svg, re.S)
        assert rights and "CC-BY-4.0" in rights.group(1)
        info = PdfReader(made / "figures" / f"{name}.pdf").metadata
        assert "license=CC-BY-4.0" in info["/Keywords"]


def test_alt_text_reads_as_sentences_a_screen_reader_can_speak(records):
    """No "0 bars are lower bounds": a count of nothing is left out, not read aloud."""
    for name, rec in records.items():
        assert rec["alt"], name
        assert not re.search(r"(^|[.:;,] )0 \w+ (are|is)\b", rec["alt"]), (name, rec["alt"])
        assert not re.search(r"\b0 are\b|\b1 differ\b", rec["alt"]), (name, rec["alt"])


# -- the pack ------------------------------------------------------------------------------


def test_brief_help_and_bad_options_say_what_to_do(made):
    kw = dict(figures=made / "figures", build=made / "build", check=False)
    res = belthaw("brief", "-h", **kw)
    assert res.returncode == 0
    assert "--format" in res.stdout and "--set" in res.stdout and "docx" in res.stdout
    res = belthaw("brief", "--format", "pdf,odt", "--out", str(made / "x"), **kw)
    assert res.returncode == 1
    assert res.stderr.startswith("belthaw brief: unknown pack format 'odt'")
    res = belthaw("brief", "--set", "../up", **kw)
    assert res.returncode == 2 and res.stderr.startswith("belthaw brief: ")
    assert "cannot name a parameter set" in res.stderr
    res = belthaw("brief", "--set", "nothing-here", **kw)
    assert res.returncode == 1
    assert res.stderr.startswith("belthaw brief: no figures in ")
    assert "belthaw run" in res.stderr


def test_html_reads_as_a_briefing(pack, records):
    page = (pack / "index.html").read_text()
    assert "Key findings" in page and "Contents" in page
    # Story order, numbered; each finding printed once (the figure carries it too).
    positions = [page.index(f'id="figure-{i}"') for i in range(1, len(STORY) + 1)]
    assert positions == sorted(positions)
    for i, name in enumerate(STORY, 1):
        rec = records[name]
        # Printed once as a finding; the citation names it too, as a citation must.
        assert page.replace(escape(rec["citation"]), "").count(escape(rec["title"])) == 1, name
        assert f"<b>Figure {i}.</b> {escape(in_pack(rec['caption']))}" in page
        assert f'<img src="{name}.png" alt="{escape(rec["alt"])}"' in page
        assert escape(rec["citation"]) in page
        assert (pack / f"{name}.png").exists()
    assert "full list in" not in page
    assert ".csv beside this figure" not in page and "in 05-totals-table.csv" not in page
    assert '<table id="table-1">' in page and '<table id="table-2">' in page
    assert "Our sum" in page and "US step" in page
    refs = re.findall(r'<li id="ref-(\d+)">', page)
    unique = {r["source_id"] for rec in records.values() for r in rec["references"]}
    assert len(refs) == len(unique)


def test_pdf_has_findings_captions_tables_and_references(pack, records):
    pdf = pack / "briefing.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) > len(STORY)
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert "Key findings" in first and "Contents" in first
    for i, name in enumerate(STORY, 1):
        assert squash(f"{records[name]['title']} (Figure {i})") in squash(first)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = squash(text)
    for i, name in enumerate(STORY, 1):
        assert squash(f"Figure {i}. {in_pack(records[name]['caption'])}") in flat, name
        assert squash(records[name]["citation"]) in flat, name
    assert "full list in" not in text.split("References")[-1]
    assert "References" in text and "Table 1." in text and "Table 2." in text
    for rec in records.values():
        for r in rec["references"]:
            assert squash(r["title"]) in flat, r["source_id"]
            if r["url"]:
                assert squash(r["url"]) in flat, r["source_id"]
    # The figures stay vectors: their own titles are text on the pack's pages.
    fig_page = reader.pages[1].extract_text()
    assert records["01-releases"]["title"].split(",")[0] in " ".join(fig_page.split())


def test_the_pack_is_rebuilt_only_when_something_changed(made, tmp_path):
    kw = dict(figures=made / "figures", build=made / "build")
    out = tmp_path / "pack"
    belthaw("brief", "--out", str(out), "--format", "html,pdf", **kw)
    assert not (out / "briefing.docx").exists()
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    res = belthaw("brief", "--out", str(out), "--format", "html,pdf", **kw)
    assert res.stdout.startswith("belthaw brief: nothing changed since the last build")
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    res = belthaw("brief", "--out", str(out), "--format", "pdf", "--force", **kw)
    assert res.stdout.strip() == f"belthaw brief: wrote {out / 'briefing.pdf'}"


def test_a_pack_refuses_figures_of_different_data_versions(made, tmp_path):
    figs = tmp_path / "figures"
    shutil.copytree(made / "figures", figs)
    rec = json.loads((figs / "03-exchanges.json").read_text())
    rec["data_version"] = "0.9.0+0123456789ab"
    (figs / "03-exchanges.json").write_text(json.dumps(rec))
    res = belthaw(
        "brief", "--out", str(tmp_path / "out"), figures=figs, build=tmp_path, check=False
    )
    assert res.returncode == 1
    assert res.stderr.startswith("belthaw brief: the figures in ")
    assert "0.9.0+0123456789ab: 03-exchanges" in res.stderr
    assert "belthaw run --force" in res.stderr
    assert not (tmp_path / "out" / "briefing.pdf").exists()


def test_a_figure_without_its_record_is_named(made, tmp_path):
    figs = tmp_path / "figures"
    shutil.copytree(made / "figures", figs)
    (figs / "05-claims.json").unlink()
    res = belthaw(
        "brief", "--out", str(tmp_path / "out"), figures=figs, build=tmp_path, check=False
    )
    assert res.returncode == 1
    assert res.stderr.startswith("belthaw brief: ")
    assert "05-claims.md has no figure record beside it" in res.stderr
