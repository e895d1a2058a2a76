"""Every notebook, executed by papermill through `belthaw run`, with the default and other sets.

The default set must reproduce the committed figures byte for byte: that is how CI
fails when figures/ is out of date, and how determinism across processes and
machines is checked (the committed files were made by another process, often on
another machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from belthaw import paths
from belthaw.catalogue import NOTEBOOKS as CATALOGUE_NOTEBOOKS
from belthaw.catalogue import figures_of
from belthaw.run.runner import run

pytestmark = pytest.mark.notebooks

NOTEBOOKS = sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
#: What each notebook must write (stems; each in png, svg, pdf + a .md sidecar): the catalogue.
EXPECTED = {n: list(figures_of(n)) for n in CATALOGUE_NOTEBOOKS}


def test_every_notebook_is_covered():
    assert NOTEBOOKS == sorted(EXPECTED)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("default-run")
    result = run(
        set_name="default", force=True, figures_dir=base / "figures", build_dir=base / "build",
        log=lambda s: None,
    )  # fmt: skip
    return base, result


def test_default_set_runs_every_notebook(default_run):
    base, result = default_run
    assert result.exit_code == 0, [r.error_line() for r in result.failed]
    assert sorted(r.name for r in result.ran) == NOTEBOOKS
    for stems in EXPECTED.values():
        for stem in stems:
            for ext in ("png", "svg", "pdf", "md"):
                assert (base / "figures" / f"{stem}.{ext}").stat().st_size > 0


def test_default_set_reproduces_the_committed_figures(default_run):
    """Same data + parameters -> the same bytes as committed (run `make run` and commit if not)."""
    base, _ = default_run
    made = sorted(p.name for p in (base / "figures").iterdir() if p.is_file())
    committed = sorted(p.name for p in paths.ROOT.joinpath("figures").iterdir() if p.is_file())
    assert made == committed, "figures/ does not hold exactly the files the default set makes"
    differ = [
        name
        for name in made
        if (base / "figures" / name).read_bytes()
        != paths.ROOT.joinpath("figures", name).read_bytes()
    ]
    assert not differ, f"committed figures are out of date: {differ}; run `make run` and commit"


def test_executed_notebooks_go_to_build_not_notebooks(default_run):
    base, _ = default_run
    executed = sorted(p.stem for p in (base / "build" / "notebooks" / "default").glob("*.ipynb"))
    assert executed == NOTEBOOKS
    nb = nbformat.read(base / "build" / "notebooks" / "default" / "01_releases.ipynb", 4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'output_set = "default"' in injected[0].source


@pytest.mark.parametrize("set_name", ["briefing-2025", "since-july-2024"])
def test_other_sets_write_their_own_folder(tmp_path, set_name):
    result = run(
        set_name=set_name, force=True, figures_dir=tmp_path / "figures",
        build_dir=tmp_path / "build", log=lambda s: None,
    )  # fmt: skip
    assert result.exit_code == 0, [r.error_line() for r in result.failed]
    folder = tmp_path / "figures" / set_name
    assert (folder / "01-releases.png").exists() and (folder / "README.md").exists()
    assert not list((tmp_path / "figures").glob("*.png")), "a named set wrote into figures/"
    # The set's own values reached the figure (its sidecar records the parameters used).
    record = json.loads((folder / "01-releases.json").read_text())
    params = record["parameters"]
    if set_name == "briefing-2025":
        assert (params["start"], params["end"], params["granularity"]) == (
            "2025-01-01", "2025-12-31", "month",
        )  # fmt: skip
        assert "January 2025 to December 2025" in record["subtitle"]
    else:
        assert (params["granularity"], params["count_basis"]) == ("quarter", "lower")
        assert "lowest figure any source gives" in record["subtitle"]


def test_empty_selection_says_so_instead_of_a_blank_chart(tmp_path):
    result = run(
        ["01_releases"], overrides={"start": "2023-01-01", "end": "2023-03-01"},
        figures_dir=tmp_path / "figures", build_dir=tmp_path / "build", log=lambda s: None,
    )  # fmt: skip
    # Nothing drawn is not "ok": exit code 3, status "empty", and no figure file.
    assert result.exit_code == 3 and result["01_releases"].status == "empty"
    assert not list((tmp_path / "figures").rglob("*.png"))
    # The notebook says why, in one sentence (not a traceback), and the run repeats it.
    assert "no releases between 2023-01-01 and 2023-03-01" in result["01_releases"].nothing
    nb = nbformat.read(result["01_releases"].executed, 4)
    shown = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "nothing to draw: no releases between 2023-01-01 and 2023-03-01" in shown


def _cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "belthaw", *args], capture_output=True, text=True, cwd=cwd
    )


@pytest.mark.parametrize(
    "args,words",
    [
        (["run", "01_releases", "-p", "granularty", "month"], "did you mean 'granularity'"),
        (["run", "01_releases", "-p", "annotate_min", "many"], "annotate_min"),
        (
            ["run", "01_releases", "-p", "granularity", "weekly"],
            "choose one of event, month, quarter",
        ),
        (
            ["run", "01_releases", "-p", "start", "2025-06-01", "-p", "end", "2025-01-01"],
            "before start",
        ),
        (["run", "--set", "no-such-set"], "no-such-set"),
    ],
)
def test_bad_parameters_fail_before_any_kernel_and_leave_figures_alone(args, words):
    before = {p: p.read_bytes() for p in paths.ROOT.joinpath("figures").glob("*.png")}
    proc = _cli(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in proc.stdout + proc.stderr
    # Each message names where the problem is: the notebook, the -p option or the set.
    assert any(w in proc.stdout + proc.stderr for w in ("01_releases", "-p/-y", "no-such-set"))
    after = {p: p.read_bytes() for p in paths.ROOT.joinpath("figures").glob("*.png")}
    assert before == after


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_help_notebook_documents_every_parameter(notebook):
    from belthaw.parameters import specs

    nb_path = paths.NOTEBOOKS_DIR / f"{notebook}.ipynb"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("papermill")), "--help-notebook", str(nb_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    for name, spec in specs(notebook).items():
        assert f"{name}: {spec.type.__name__}" in proc.stdout, (
            f"{name} missing from --help-notebook"
        )
        assert spec.doc in proc.stdout
