"""belthaw.briefing: ``belthaw brief`` builds the pack aside, swaps it in whole, skips an
intact current pack, and turns file-system errors into one line."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from belthaw import briefing, paths
from belthaw.briefing import MANIFEST, build, cli_brief
from belthaw.briefing.pdf_pack import MISSING, covered, new_pdf
from briefing_figures import make_figures, record, ref, shared_figures, write_figure

BELTHAW = Path(sys.executable).with_name("belthaw")


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return shared_figures(tmp_path_factory)


@pytest.fixture(scope="module")
def built(figures, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack") / "briefing"
    written = build(figures, out)
    return out, written


def test_the_pack_holds_three_documents_the_figures_and_their_data(built, figures):
    out, written = built
    assert written == [out / "index.html", out / "briefing.pdf", out / "briefing.docx"]
    names = {p.name for p in out.iterdir()}
    assert {"01-releases.png", "05-totals.pdf", "03-exchanges-pairs.csv", "01-releases-data.csv",
            MANIFEST} <= names  # fmt: skip
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".briefing.")]  # no leftovers


def test_nothing_changed_skips_and_a_damaged_output_is_rebuilt(figures, tmp_path):
    out = tmp_path / "pack"
    assert build(figures, out, formats="html,pdf")
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert build(figures, out, formats="html,pdf") == []
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    for damage in (lambda: (out / "02-x.png").unlink(missing_ok=True) or (out / "01-releases.png").unlink(),
                   lambda: (out / "briefing.pdf").write_bytes(b"%PDF-1.4 truncated"),
                   lambda: (out / MANIFEST).write_text("{not json")):  # fmt: skip
        damage()
        assert build(figures, out, formats="html,pdf"), "a damaged pack must be rebuilt"
        assert PdfReader(out / "briefing.pdf").pages and (out / "01-releases.png").exists()
    assert build(figures, out, formats="pdf") == [out / "briefing.pdf"]
    assert not (out / "index.html").exists()  # one pack of one build, never a mix of two


def test_a_new_figure_rebuilds_and_named_set_packs_inside_survive_the_swap(figures, tmp_path):
    figs, out = tmp_path / "figs", tmp_path / "briefing"
    shutil.copytree(figures, figs)
    build(figs, out, formats="html")
    (out / "since-2025").mkdir()
    (out / "since-2025" / "index.html").write_text("a named set's pack")
    write_figure(figs, record("02-relief-steps", "4 relief actions", [ref(1, "Outlet 1")]))
    assert build(figs, out, formats="html")
    assert "4 relief actions" in (out / "index.html").read_text()
    assert (out / "since-2025" / "index.html").read_text() == "a named set's pack"


@pytest.mark.parametrize(("code", "advice"), [
    (errno.ENOSPC, "the disk is full: free some space"),
    (errno.EROFS, "the file system is read-only: choose another folder with --out"),
    (errno.EACCES, "permission denied: fix the folder's permissions or choose another with --out"),
])  # fmt: skip
def test_a_file_system_error_is_one_line_and_the_old_pack_stays(figures, built, tmp_path, monkeypatch,
                                                                capsys, code, advice):  # fmt: skip
    out = tmp_path / "briefing"
    shutil.copytree(built[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = Path.write_bytes

    def fail(self, data):
        if self.name == "briefing.pdf":
            raise OSError(code, os.strerror(code), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail)
    monkeypatch.setattr(paths, "figure_dir", lambda name="default": figures)
    assert cli_brief(["--out", str(out), "--format", "pdf", "--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"belthaw brief: cannot write {tmp_path}/.briefing.new-")
    assert f"briefing.pdf: {advice}, then run `belthaw brief` again" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["briefing"]


def test_a_figure_file_that_cannot_be_read_is_named(figures, tmp_path, monkeypatch, capsys):
    shutil.copytree(figures, tmp_path / "f")
    (tmp_path / "f" / "05-totals.pdf").unlink()
    monkeypatch.setattr(paths, "figure_dir", lambda name="default": tmp_path / "f")
    assert cli_brief(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"belthaw brief: cannot read {tmp_path / 'f' / '05-totals.pdf'}: ")
    assert "re-run `belthaw run`" in err and not (tmp_path / "out").exists()


SCRIPTS = {
    "CJK": "北京の報道",
    "Cyrillic": "Лукашенко помиловал",
    "Arabic": "مرحبا بالعالم",
    "diacritics": "Łódź, Naïve, Ağrı, Nguyễn",
    "emoji": "release 🕊",
}


def test_every_script_reaches_every_output(tmp_path):
    figs = make_figures(tmp_path / "figs")
    words = list(SCRIPTS.values())
    refs = [ref(i, f"Outlet {w}") | {"title": w} for i, w in enumerate(words, 1)]
    write_figure(figs, record("05-claims", f"Sources disagree: {words[0]}", refs,
                              notes=[f"Note: {w}" for w in words]))  # fmt: skip
    out = tmp_path / "out"
    build(figs, out)
    html = (out / "index.html").read_text(encoding="utf-8")
    word = "\n".join(p.text for p in docx.Document(str(out / "briefing.docx")).paragraphs)
    pdf = " ".join(p.extract_text() for p in PdfReader(out / "briefing.pdf").pages)
    fonts = new_pdf()
    for script, w in SCRIPTS.items():
        assert w in html, script
        assert w in word, script
        shown = covered(fonts, w)  # with no installed font for a script: boxes, no crash
        # Right-to-left text is stored in drawing order.
        assert shown in pdf or shown[::-1] in pdf, script
        if MISSING not in shown:
            assert w in pdf or w[::-1] in pdf, script
    assert (
        covered(fonts, SCRIPTS["Cyrillic"] + SCRIPTS["Arabic"] + SCRIPTS["diacritics"]).count(
            MISSING
        )
        == 0
    )


def test_same_inputs_give_the_same_bytes(figures, built, tmp_path):
    again = tmp_path / "again"
    build(figures, again, force=True)
    for name in ("index.html", "briefing.pdf", "briefing.docx"):
        assert (again / name).read_bytes() == (built[0] / name).read_bytes(), name


def test_bad_formats_and_sets_are_one_line(figures, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "figure_dir", lambda name="default": tmp_path / "none")
    assert cli_brief(["--format", "pdf,odt", "--out", str(tmp_path / "x")]) == 1
    assert capsys.readouterr().err.startswith("belthaw brief: unknown pack format 'odt'")
    assert cli_brief(["--set", "../up"]) == 2
    assert "cannot name a parameter set" in capsys.readouterr().err
    assert cli_brief(["--out", str(tmp_path / "x")]) == 1
    assert "no figures in " in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_belthaw_brief_as_the_readme_shows_it(figures, tmp_path):
    env = dict(os.environ, BELTHAW_FIGURES_DIR=str(figures), BELTHAW_BUILD_DIR=str(tmp_path))
    run = [str(BELTHAW), "brief", "--format", "html,docx"]
    res = subprocess.run(run, capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "briefing"
    assert res.stdout.splitlines() == [f"belthaw brief: wrote {out / 'index.html'}",
                                       f"belthaw brief: wrote {out / 'briefing.docx'}"]  # fmt: skip
    res = subprocess.run(run, capture_output=True, text=True, env=env)
    assert res.stdout.startswith("belthaw brief: nothing changed since the last build")
    assert json.loads((out / MANIFEST).read_text())["formats"] == ["html", "docx"]
    assert briefing.FORMATS["docx"] in json.loads((out / MANIFEST).read_text())["outputs"]


def test_a_build_stopped_between_its_renames_gets_its_old_pack_back(built, figures, tmp_path):
    out = tmp_path / "briefing"
    shutil.copytree(built[0], tmp_path / ".briefing.old-99999999")  # out/ moved away, then killed
    (tmp_path / ".briefing.old-99999999" / "since-2025").mkdir()
    assert build(figures, out, formats="pdf") == [out / "briefing.pdf"]
    assert (out / "since-2025").is_dir() and not (out / "index.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["briefing"]
