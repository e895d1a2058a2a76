"""belthaw run on the toy notebooks of tests/fixtures/notebooks (belthaw.run.runner): through
the command (``python runner_fixtures.py NBDIR run ...``, a subprocess) or through ``run()``.

Tests that start kernels are marked ``notebooks``; the ones refused before any kernel starts
are fast and unmarked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import minidata
from belthaw.errors import FileSystemError
from belthaw.run import runner
from runner_fixtures import DECLARED, FIXTURES

LAUNCHER = str(Path(__file__).with_name("runner_fixtures.py"))
PARAMS_YAML = """\
defaults: {}
sets:
  default:
    01_alpha: {granularity: month}
  briefing-2025:
    all: {start: "2025-01-01", end: "2025-12-31"}
"""
notebooks = pytest.mark.notebooks


class Project:
    def __init__(self, root: Path, names: list[str]):
        self.root = root
        self.nb, self.figures = root / "notebooks", root / "figures"
        self.build, self.data = root / "build", root / "data"
        self.nb.mkdir(parents=True)
        for n in names:
            shutil.copy(FIXTURES / f"{n}.ipynb", self.nb)
        if {"01_alpha", "02_beta"} <= set(names):
            (self.nb / "params.yaml").write_text(PARAMS_YAML)
        minidata.write(self.data)  # a small valid package: the runner checks it before kernels
        self.lines: list[str] = []

    def env(self, **over: str) -> dict[str, str]:
        return {**os.environ, "BELTHAW_FIGURES_DIR": str(self.figures),
                "BELTHAW_BUILD_DIR": str(self.build), "BELTHAW_DATA_DIR": str(self.data),
                "BELTHAW_TODAY": "2026-01-15", **over}  # fmt: skip

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        """``belthaw run ARGS`` on this project, as a user types it."""
        return subprocess.run([sys.executable, LAUNCHER, str(self.nb), "run", *args], cwd=self.root,
                              env=self.env(**env), capture_output=True, text=True, timeout=600)  # fmt: skip

    def run(self, notebooks=None, **kw) -> runner.RunResult:
        self.lines = []
        kw.setdefault("jobs", 2)
        return runner.run(notebooks, log=self.lines.append, notebooks_dir=self.nb,
                          figures_dir=self.figures, build_dir=self.build, data_dir=self.data,
                          declared=DECLARED, **kw)  # fmt: skip


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "proj", ["01_alpha", "02_beta"])


def statuses(result: runner.RunResult) -> dict[str, str]:
    return {r.name: r.status for r in result.results}


def test_importing_the_runner_starts_nothing_heavy():
    code = "import sys, belthaw.run.runner; print(*(m in sys.modules for m in ('papermill', 'nbformat', 'pandas')))"  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


# -- refused before any kernel starts (fast) ----------------------------------------------------


@pytest.mark.parametrize(
    "args,expected",
    [
        (["01_alpha", "-p", "granularty", "month"], "did you mean 'granularity'"),
        (
            ["01_alpha", "-p", "annotate_min", "x"],
            "parameter 'annotate_min': expected a whole number",
        ),  # fmt: skip
        (["--set", "briefing-2024"], "did you mean 'briefing-2025'"),
        (["--set", "nope"], "known sets: default, briefing-2025"),
        (["01_alpah"], "did you mean '01_alpha'"),
        (["-p", "formats", "[" * 100_000], "nested deeper than 16 levels"),
        (["--jobs", "0"], "--jobs"),
        (["--cell-timeout", "0"], "--cell-timeout"),
    ],
)
def test_usage_errors_exit_2_in_one_line_before_any_kernel(project, args, expected):
    r = project.cli(*args)
    assert r.returncode == 2, r.stderr
    assert expected in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()[-1]) < 600
    assert not project.build.exists() and not project.figures.exists()


def test_a_params_yaml_naming_a_missing_notebook_exits_2(project):
    (project.nb / "params.yaml").write_text("sets:\n  default:\n    09_gone: {}\n")
    r = project.cli()
    assert r.returncode == 2 and "sets.default.09_gone" in r.stderr


@pytest.mark.parametrize("where", ["BELTHAW_BUILD_DIR", "BELTHAW_FIGURES_DIR"])
def test_a_folder_that_cannot_be_made_is_one_line_naming_it(project, where):
    r = project.cli(**{where: "/dev/null/x"})
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "/dev/null/x" in r.stderr and "a file stands where a folder is needed" in r.stderr


def test_a_read_only_figures_folder_stops_the_run_before_any_kernel(project, monkeypatch):
    # os.access, because permission bits do not stop root (the test may run as root)
    monkeypatch.setattr(runner.os, "access", lambda path, mode: Path(path) != project.figures)
    with pytest.raises(FileSystemError) as exc:
        project.run()
    assert str(exc.value) == f"{project.figures}: Permission denied; check the folder's permissions (or choose a folder you can write to)"  # fmt: skip
    assert not (project.build / "notebooks").exists()


def test_a_broken_data_package_stops_the_run_with_one_report(project):
    text = (project.data / "events.csv").read_text()
    (project.data / "events.csv").write_text(text.replace("2025-12-30,", "30/12/2025,"))
    r = project.cli("--force")
    assert r.returncode == 1
    assert r.stderr.count("events.csv, line 7, column 'date'") == 1
    assert not (project.build / "notebooks").exists()  # no kernel started


def test_list_shows_notebooks_parameters_and_sets(project):
    r = project.cli("--list")
    assert r.returncode == 0, r.stderr
    assert "  01_alpha\n" in r.stdout
    assert "granularity: str = 'event'  bucket size [choices: event, month, quarter]" in r.stdout
    assert "annotate_min: int = 50  label releases of at least this many people [range: 1..]" in r.stdout  # fmt: skip
    assert "briefing-2025 -> figures/briefing-2025/" in r.stdout
    assert "adhoc -> figures/adhoc/" in r.stdout


# -- running ------------------------------------------------------------------------------------


@notebooks
def test_a_run_draws_reports_and_says_where_the_figures_went(project):
    r = project.cli("--jobs", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (project.figures / "alpha.png.txt").read_text().split()[2] == "month"  # the set's value
    assert (project.figures / "beta.txt").exists()
    manifest = json.loads((project.build / "cache" / "default" / "01_alpha.json").read_text())
    assert set(manifest["outputs"]) == {"figures/alpha.png.txt", "figures/alpha.svg.txt"}
    assert manifest["parameters"]["output_set"] == "default"
    assert manifest["inputs"]["data"].startswith("1.")
    done = [ln for ln in r.stdout.splitlines() if ln.startswith("[")]
    assert [ln[:6] for ln in done] == ["[1/2] ", "[2/2] "] and all(" ok " in ln for ln in done)
    assert "set 'default': 2 ran in" in r.stdout and "figures in figures/" in r.stdout
    r = project.cli("02", "--set", "briefing-2025")
    assert r.returncode == 0 and "figures in figures/briefing-2025/" in r.stdout
    beta = project.figures / "briefing-2025" / "beta.txt"
    assert beta.read_text().startswith("2025-01-01 2025-12-31")


@notebooks
def test_failures_name_notebook_cell_and_error_and_the_rest_completes(tmp_path):
    project = Project(tmp_path / "proj", ["01_alpha", "03_fail", "04_die"])
    r = project.cli("--jobs", "3")
    assert r.returncode == 1
    assert (project.figures / "alpha.png.txt").exists()
    assert "03_fail: failed in cell 3 (`raise ValueError" in r.stdout
    assert "ValueError: boom: threshold=3" in r.stdout
    assert "04_die: failed in cell 3 (`os._exit(code)`): DeadKernelError" in r.stdout
    assert "1 ran, 2 failed" in r.stdout
    assert not (
        project.build / "cache" / "default" / "03_fail.json"
    ).exists()  # runs again next time
    assert (project.build / "notebooks" / "default" / "03_fail.ipynb").exists()


@notebooks
def test_cache_skips_unchanged_and_reruns_what_changed(project):
    assert project.run().exit_code == 0
    again = project.run()
    assert statuses(again) == {"01_alpha": "cached", "02_beta": "cached"}
    assert "up to date: 01_alpha, 02_beta" in project.lines
    with open(project.data / "people.csv", "a") as f:  # any file of the data folder
        f.write("\n")
    r = project.run()
    assert statuses(r) == {"01_alpha": "ok", "02_beta": "ok"} and r["02_beta"].reason == "changed: data"  # fmt: skip
    (project.figures / "alpha.svg.txt").unlink()  # a deleted output
    r = project.run()
    assert statuses(r) == {"01_alpha": "ok", "02_beta": "cached"}
    assert r["01_alpha"].reason == "output missing: figures/alpha.svg.txt"
    (project.figures / "beta.txt").write_text("edited by hand\n")  # an edited output
    r = project.run()
    assert statuses(r) == {"01_alpha": "cached", "02_beta": "ok"}
    assert r["02_beta"].reason.startswith("output edited")
    nb = project.nb / "01_alpha.ipynb"
    nb.write_text(nb.read_text().replace("Toy notebook for the runner tests.", "Toy."))
    assert statuses(project.run())["01_alpha"] == "cached"  # a Markdown cell draws nothing
    nb.write_text(nb.read_text().replace("written = []", "written = []  # edited"))
    r = project.run()
    assert statuses(r)["01_alpha"] == "ok" and r["01_alpha"].reason == "changed: notebook"
    assert statuses(project.run(force=True)) == {"01_alpha": "ok", "02_beta": "ok"}


def _lab_edit(nb_path: Path) -> None:
    """What a JupyterLab autosave leaves: an edited parameters cell, outputs, counts."""
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        cell["execution_count"] = 7
        cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                            "text": ["nothing to draw: a stale line from Lab\n"]}]  # fmt: skip
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = [s.replace('"event"', '"quarter"') for s in cell["source"]]
    nb_path.write_text(json.dumps(nb))


@notebooks
def test_a_notebook_edited_in_jupyterlab_runs_with_the_sets_values_and_says_so(project):
    assert project.run(["01_alpha"]).exit_code == 0
    before = (project.figures / "alpha.png.txt").read_text()
    _lab_edit(project.nb / "01_alpha.ipynb")
    r = project.run(["01_alpha"])
    assert statuses(r) == {"01_alpha": "cached"}  # outputs and the parameters cell are not inputs
    hint = [ln for ln in project.lines if "your parameters cell says" in ln]
    assert hint == [
        'notebooks/01_alpha.ipynb: your parameters cell says granularity = "quarter"; belthaw run '
        "uses the set's values — pass -p granularity quarter to use yours, or "
        "`git checkout notebooks/01_alpha.ipynb` to restore the cell"
    ]
    r = project.run(["01_alpha"], force=True)
    assert r.exit_code == 0 and (project.figures / "alpha.png.txt").read_text() == before
    executed = json.loads(r["01_alpha"].executed.read_text())
    assert "stale line from Lab" not in json.dumps(executed)


@notebooks
def test_a_notebook_that_draws_nothing_says_why_and_loses_its_old_figures(tmp_path):
    project = Project(tmp_path / "proj", ["01_alpha", "06_nothing"])
    stale = project.figures / "nothing.png"
    project.figures.mkdir(parents=True)
    stale.write_text("an old figure")
    manifest = project.build / "cache" / "default" / "06_nothing.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"outputs": {"figures/nothing.png": "x"}}))
    r = project.cli()
    assert r.returncode == 3, r.stdout + r.stderr
    assert not stale.exists()
    assert "06_nothing drew nothing: nothing to draw for these parameters" in r.stdout
    assert "1 ran, 1 drew nothing" in r.stdout


@notebooks
def test_a_figure_no_longer_written_is_removed(project):
    assert project.run(["01_alpha"]).exit_code == 0
    assert (project.figures / "alpha.svg.txt").exists()
    y = project.nb / "params.yaml"
    y.write_text(y.read_text().replace("{granularity: month}", "{granularity: month, formats: [png]}"))  # fmt: skip
    r = project.run(["01_alpha"])
    assert r["01_alpha"].status == "ok"
    assert not (project.figures / "alpha.svg.txt").exists()
    assert (project.figures / "alpha.png.txt").exists()


@notebooks
def test_cell_timeout_names_the_notebook_and_cell(tmp_path):
    project = Project(tmp_path / "proj", ["05_sleep"])
    r = project.run(cell_timeout=2)["05_sleep"]
    assert (r.status, r.ename, r.cell_index) == ("failed", "CellTimeout", 3)
    assert r.cell_source == "import time" and "longer than 2 s" in r.evalue


@notebooks
def test_one_off_values_go_to_adhoc_only_where_declared(project):
    project.run()
    before = (project.figures / "alpha.png.txt").read_text()
    y = project.root / "o.yaml"
    y.write_text("formats: [pdf]\n02_beta: {size: slide}\n")
    r = project.cli("-y", str(y), "-p", "granularity", "quarter", "-p", "annotate_min", "5")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (project.figures / "adhoc" / "alpha.pdf.txt").read_text().split()[2:4] == ["quarter", "5"]  # fmt: skip
    assert (project.figures / "adhoc" / "beta.txt").read_text().split()[2] == "slide"
    assert (project.figures / "alpha.png.txt").read_text() == before


@notebooks
def test_today_changes_the_key_only_when_the_stale_note_flips(project):
    newest = runner.newest_event(project.data)
    fresh, stale = newest + dt.timedelta(days=10), newest + dt.timedelta(days=400)
    assert project.run(today=fresh).exit_code == 0
    assert set(statuses(project.run(today=fresh + dt.timedelta(days=5))).values()) == {"cached"}
    r = project.run(today=stale)
    assert statuses(r) == {"01_alpha": "ok", "02_beta": "ok"} and r["01_alpha"].reason == "changed: today"  # fmt: skip


@notebooks
def test_longest_first_and_durations_recorded(project):
    durations = project.build / "cache" / "durations.json"
    durations.parent.mkdir(parents=True)
    durations.write_text(json.dumps({"01_alpha": 1.0, "02_beta": 9.0}))
    before = dict(os.environ)
    project.run(jobs=1)
    assert dict(os.environ) == before  # the kernels' variables stay in the workers
    assert [ln.split()[1] for ln in project.lines if ln.startswith("[")] == ["02_beta", "01_alpha"]
    assert json.loads(durations.read_text())["02_beta"] < 9.0


def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            kids.setdefault(int(fields[1]), []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        children = kids.get(todo.pop(), [])
        out += children
        todo += children
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@notebooks
@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc")
def test_ctrl_c_exits_130_and_leaves_no_kernel(tmp_path):
    project = Project(tmp_path / "proj", ["05_sleep", "01_alpha"])
    script = textwrap.dedent(f"""
        import signal, sys, runpy
        # a shell's background job inherits SIGINT ignored; a terminal's Ctrl-C does not
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = [{LAUNCHER!r}, {str(project.nb)!r}, "run", "--jobs", "2"]
        runpy.run_path({LAUNCHER!r}, run_name="__main__")
    """)  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", script], env=project.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while not (project.figures / "sleep.started").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the sleeping notebook never started"
        time.sleep(0.1)
    kernels = [k for k in _descendants(proc.pid) if "ipykernel" in _cmdline(k)]
    assert kernels, "no kernel found"
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    deadline = time.monotonic() + 10
    while any(_alive(k) for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [k for k in kernels if _alive(k)], "stray kernel processes"
    assert not (project.build / "cache" / "default" / "05_sleep.json").exists()
