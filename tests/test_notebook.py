"""notebook.py: what a notebook calls besides the analysis (check, load, finish, save), and
an analyst's own words and colours reaching the picture, the sidecar and the record."""

from __future__ import annotations

import json
import shutil

import pytest

from belthaw import notebook as nb
from belthaw import paths
from belthaw.charts.figtext import FigureText


def test_a_changed_parameter_reuses_the_loaded_data():
    first = nb.load(quiet=True)
    assert nb.load(quiet=True) is first


@pytest.mark.parametrize(
    ("as_of", "says"),
    [("", None), ("2025-12-15", "as published by 15 Dec 2025")],
)
def test_replay_words_follow_the_parameter_and_are_not_an_edit(as_of, says):
    text = FigureText("T", "scope", "how to read", "alt")
    params = nb.check("01_releases", {"as_of": as_of})
    out = nb.replay_words(text, params)
    if says is None:
        assert out is text
    else:
        assert out.subtitle.endswith(says) and nb.REPLAY_NOTE in out.caption
        assert out.edited == ()


def _edited_copy(tmp_path):
    """01_releases with the two edits the README shows: a title and a colour."""
    nbk = json.loads((paths.NOTEBOOKS_DIR / "01_releases.ipynb").read_text(encoding="utf-8"))
    for cell in nbk["cells"]:
        src = "".join(cell["source"])
        if src.startswith("text = releases.releases_text("):
            cell["source"] = src.replace(
                "\ntext", '\ntext = text.edit(title="Releases came in waves")\ntext'
            )
        if src.startswith("fig = releases.draw("):
            cell["source"] = src.replace(
                "annotate_min=params.annotate_min)",
                'annotate_min=params.annotate_min, color="#555555")',
            )
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = folder / "01_releases.ipynb"
    path.write_text(json.dumps(nbk), encoding="utf-8")
    shutil.copy(paths.PARAMS_FILE, folder / "params.yaml")
    return path


@pytest.fixture(scope="module")
def edited_run(tmp_path_factory):
    """The edited 01_releases run once through papermill: (its figures folder, the run notebook)."""
    import papermill

    tmp_path = tmp_path_factory.mktemp("edited")
    path = _edited_copy(tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BELTHAW_FIGURES_DIR", str(tmp_path / "figures"))
        papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"), kernel_name="belthaw",
                                   progress_bar=False, cwd=str(path.parent))  # fmt: skip
    ran = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    return tmp_path / "figures" / "adhoc", ran


@pytest.mark.notebooks
def test_the_picture_shown_is_the_png_written_once_per_figure(edited_run):
    import base64

    folder, ran = edited_run
    shown = {}
    for cell in ran["cells"]:
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                shown.setdefault("".join(cell["source"]), []).append(out["data"]["image/png"])
    saves = [src for src in shown if "nb.save(" in src]
    assert len(shown) == len(saves) == 2, "each figure shown once, under its nb.save line"
    for src, images in shown.items():
        name = "01-releases" if "nb.save(fig," in src else "01-cumulative"
        assert len(images) == 1
        assert base64.b64decode(images[0]) == (folder / f"{name}.png").read_bytes()


@pytest.mark.notebooks
def test_an_analysts_title_and_colour_reach_picture_sidecar_and_record(edited_run):
    from pypdf import PdfReader

    folder, _ = edited_run
    record = json.loads((folder / "01-releases.json").read_text(encoding="utf-8"))
    assert record["title"] == "Releases came in waves" and record["edited"] == ["title"]
    assert "Edited by hand" in (folder / "01-releases.md").read_text(encoding="utf-8")
    pdf_text = PdfReader(folder / "01-releases.pdf").pages[0].extract_text()
    assert "Releases came in waves" in pdf_text
    svg = (folder / "01-releases.svg").read_text(encoding="utf-8").lower()
    assert "#0072b2" not in svg, "the bars and their legend keep the house blue"
    # the other figure of the notebook keeps its generated words
    other = json.loads((folder / "01-cumulative.json").read_text(encoding="utf-8"))
    assert other["edited"] == []
