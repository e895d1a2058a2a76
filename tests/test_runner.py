"""belthaw run: papermill execution, parallelism, failures, cache, Ctrl-C (belthaw.run.runner)."""

from __future__ import annotations

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
from belthaw import paths
from belthaw.figure import files
from belthaw.run import cli as run_cli
from belthaw.run import runner
from runner_fixtures import DECLARED, FIXTURES

pytestmark = pytest.mark.notebooks

PARAMS_YAML = """\
defaults: {}
sets:
  default:
    01_alpha: {granularity: month}
  briefing-2025:
    all: {start: "2025-01-01", end: "2025-12-31"}
"""


class Project:
    def __init__(self, root: Path, names: list[str]):
        self.root = root
        self.nb = root / "notebooks"
        self.figures = root / "figures"
        self.build = root / "build"
        self.data = root / "data"
        self.nb.mkdir(parents=True)
        for n in names:
            shutil.copy(FIXTURES / f"{n}.ipynb", self.nb)
        if {"01_alpha", "02_beta"} <= set(names):
            (self.nb / "params.yaml").write_text(PARAMS_YAML)
        minidata.write(self.data)  # a small valid package: the runner checks it before kernels
        self.lines: list[str] = []

    def run(self, notebooks=None, **kw) -> runner.RunResult:
        self.lines = []
        kw.setdefault("jobs", 2)
        kw.setdefault("declared", DECLARED)
        return runner.run(
            notebooks,
            log=self.lines.append,
            notebooks_dir=self.nb,
            figures_dir=self.figures,
            build_dir=self.build,
            data_dir=self.data,
            **kw,
        )

    def patch_paths(self, monkeypatch) -> None:
        monkeypatch.setattr(paths, "NOTEBOOKS_DIR", self.nb)
        monkeypatch.setattr(paths, "FIGURES_DIR", self.figures)
        monkeypatch.setattr(paths, "BUILD_DIR", self.build)
        monkeypatch.setattr(paths, "DATA_DIR", self.data)
        # cli_run uses the workbook's declarations; the toy notebooks bring their own.
        real = runner.run
        monkeypatch.setattr(runner, "run", lambda *a, **kw: real(*a, declared=DECLARED, **kw))
        real_list = run_cli.list_notebooks
        monkeypatch.setattr(
            run_cli, "list_notebooks", lambda **kw: real_list(declared=DECLARED, **kw)
        )


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "proj", ["01_alpha", "02_beta"])


def statuses(result: runner.RunResult) -> dict[str, str]:
    return {r.name: r.status for r in result.results}


def test_import_is_cheap():
    code = "import sys, belthaw.run.runner; print('papermill' in sys.modules, 'nbformat' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_record_outputs_without_env_is_noop(monkeypatch, tmp_path):
    monkeypatch.delenv(files.OUTPUTS_ENV, raising=False)
    files.record_outputs([tmp_path / "x.png"])  # nothing to assert: must not fail or write
    assert not (tmp_path / "o").exists()
    monkeypatch.setenv(files.OUTPUTS_ENV, str(tmp_path / "o" / "out.json"))
    files.record_outputs([tmp_path / "a.png"])
    files.record_outputs([tmp_path / "b.png", tmp_path / "a.png"])
    assert json.loads((tmp_path / "o" / "out.json").read_text()) == [
        str((tmp_path / "a.png").resolve()),
        str((tmp_path / "b.png").resolve()),
    ]


def test_parallel_run_writes_outputs_and_manifest(project):
    result = project.run()
    assert result.exit_code == 0, project.lines
    assert statuses(result) == {"01_alpha": "ok", "02_beta": "ok"}
    # the set's parameters reached the notebook; output_set was injected
    assert (project.figures / "alpha.png.txt").read_text().split()[2] == "month"
    assert (project.figures / "beta.txt").exists()
    assert (project.build / "notebooks" / "default" / "01_alpha.ipynb").exists()
    manifest = json.loads((project.build / "cache" / "default" / "01_alpha.json").read_text())
    assert set(manifest["outputs"]) == {"figures/alpha.png.txt", "figures/alpha.svg.txt"}
    assert manifest["parameters"]["output_set"] == "default"
    # one data version covers every file of the data folder
    assert manifest["inputs"]["data"].startswith("1.")
    assert manifest["inputs"]["today"] in ("stale-note on", "stale-note off")
    # plain (non-TTY) progress lines
    done = [ln for ln in project.lines if ln.startswith("[")]
    assert len(done) == 2 and all(" ok " in ln for ln in done)
    assert done[0].startswith("[1/2] ") and done[1].startswith("[2/2] ")


def test_named_set_goes_to_its_folder(project):
    result = project.run(["02"], set_name="briefing-2025")
    assert result.exit_code == 0
    assert (
        (project.figures / "briefing-2025" / "beta.txt")
        .read_text()
        .startswith("2025-01-01 2025-12-31")
    )
    assert not (project.figures / "beta.txt").exists()


def test_failures_are_reported_and_others_complete(tmp_path, monkeypatch, capsys):
    project = Project(tmp_path / "proj", ["01_alpha", "03_fail", "04_die"])
    project.patch_paths(monkeypatch)
    code = run_cli.cli_run(["--jobs", "3"])
    out = capsys.readouterr().out
    assert code == 1
    assert (project.figures / "alpha.png.txt").exists()
    assert "03_fail: failed in cell 3 (`raise ValueError" in out
    assert "ValueError: boom: threshold=3" in out
    assert "04_die: failed in cell 3 (`os._exit(code)`): DeadKernelError" in out
    assert "1 ran, 2 failed" in out
    # failed notebooks leave no manifest: they run again next time
    assert not (project.build / "cache" / "default" / "03_fail.json").exists()
    assert (project.build / "notebooks" / "default" / "03_fail.ipynb").exists()


def test_failure_details_in_result(tmp_path):
    project = Project(tmp_path / "proj", ["03_fail"])
    r = project.run()["03_fail"]
    assert (r.status, r.cell_index, r.ename, r.evalue) == (
        "failed",
        3,
        "ValueError",
        "boom: threshold=3",
    )


def test_unknown_parameter_exits_2_before_any_kernel(project, monkeypatch, capsys):
    project.patch_paths(monkeypatch)
    code = run_cli.cli_run(["01_alpha", "-p", "granularty", "month", "-p", "annotate_min", "x"])
    err = capsys.readouterr().err
    assert code == 2
    assert "did you mean 'granularity'" in err
    assert (
        "parameter 'annotate_min': expected a whole number written with digits 0-9, got 'x'" in err
    )
    assert not project.build.exists()  # nothing executed
    assert not project.figures.exists()


def test_bad_set_and_notebook_names_exit_2(project, monkeypatch, capsys):
    project.patch_paths(monkeypatch)
    assert run_cli.cli_run(["--set", "briefing-2024"]) == 2
    assert "did you mean 'briefing-2025'" in capsys.readouterr().err
    assert run_cli.cli_run(["01_alpah"]) == 2
    assert "did you mean '01_alpha'" in capsys.readouterr().err
    (project.nb / "params.yaml").write_text("sets:\n  default:\n    09_gone: {}\n")
    assert run_cli.cli_run([]) == 2
    assert "sets.default.09_gone" in capsys.readouterr().err
    assert not project.build.exists()


def test_cache_skips_unchanged_and_reruns_what_changed(project):
    assert project.run().exit_code == 0
    # nothing changed: nothing runs
    again = project.run()
    assert statuses(again) == {"01_alpha": "cached", "02_beta": "cached"}
    assert "up to date: 01_alpha, 02_beta" in project.lines
    # any file of the data folder re-runs every notebook: each may read it
    with open(project.data / "people.csv", "a") as f:
        f.write("\n")
    r = project.run()
    assert statuses(r) == {"01_alpha": "ok", "02_beta": "ok"}
    assert r["02_beta"].reason == "changed: data"
    # a deleted output re-runs the notebook that wrote it
    (project.figures / "alpha.svg.txt").unlink()
    r = project.run()
    assert statuses(r) == {"01_alpha": "ok", "02_beta": "cached"}
    assert r["01_alpha"].reason == "output missing: figures/alpha.svg.txt"
    assert (project.figures / "alpha.svg.txt").exists()
    # an edited output too
    (project.figures / "beta.txt").write_text("edited by hand\n")
    r = project.run()
    assert statuses(r) == {"01_alpha": "cached", "02_beta": "ok"}
    assert r["02_beta"].reason.startswith("output edited")
    # a changed notebook
    nb = project.nb / "01_alpha.ipynb"
    nb.write_text(nb.read_text().replace("Toy notebook for the runner tests.", "Toy notebook."))
    assert statuses(project.run()) == {"01_alpha": "ok", "02_beta": "cached"}
    # --force re-runs all
    assert statuses(project.run(force=True)) == {"01_alpha": "ok", "02_beta": "ok"}


def test_today_is_an_input_of_the_key(project):
    """The same inputs give the same result whatever the calendar says, until the stale-data
    note would flip: then the figures change, so the notebooks run again."""
    import datetime as dt

    newest = runner.newest_event(project.data)
    fresh, stale = newest + dt.timedelta(days=10), newest + dt.timedelta(days=400)
    assert project.run(today=fresh).exit_code == 0
    assert statuses(project.run(today=fresh + dt.timedelta(days=5))) == {
        "01_alpha": "cached",
        "02_beta": "cached",
    }
    r = project.run(today=stale)
    assert statuses(r) == {"01_alpha": "ok", "02_beta": "ok"}
    assert r["01_alpha"].reason == "changed: today"


def test_a_broken_data_package_stops_the_run_with_one_report(project, monkeypatch, capsys):
    project.patch_paths(monkeypatch)
    text = (project.data / "events.csv").read_text()
    (project.data / "events.csv").write_text(text.replace("2025-12-30,", "30/12/2025,"))
    assert run_cli.cli_run(["--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("events.csv, line 7, column 'date'") == 1
    assert not (project.build / "notebooks").exists()  # no kernel started


def test_a_notebook_that_draws_nothing_is_not_ok_and_loses_its_old_figures(tmp_path):
    project = Project(tmp_path / "proj", ["01_alpha", "06_nothing"])
    stale = project.figures / "nothing.png"
    project.figures.mkdir(parents=True)
    stale.write_text("an old figure")
    manifest = project.build / "cache" / "default" / "06_nothing.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"outputs": {"figures/nothing.png": "x"}}))
    r = project.run()
    assert statuses(r) == {"01_alpha": "ok", "06_nothing": "empty"}
    assert r.exit_code == 3
    assert not stale.exists()
    assert any("1 drew nothing" in ln for ln in project.lines)


def test_a_figure_no_longer_written_is_removed(project):
    project.run()
    assert (project.figures / "alpha.svg.txt").exists()
    r = project.run(["01_alpha"], set_name="default", force=True)
    assert r.exit_code == 0
    nb = project.nb / "01_alpha.ipynb"
    # the notebook now writes only what `formats` asks for
    y = project.nb / "params.yaml"
    y.write_text(
        y.read_text().replace(
            "01_alpha: {granularity: month}", "01_alpha: {granularity: month, formats: [png]}"
        )
    )
    r = project.run(["01_alpha"])
    assert r["01_alpha"].status == "ok"
    assert not (project.figures / "alpha.svg.txt").exists()
    assert (project.figures / "alpha.png.txt").exists()
    assert nb.exists()


def test_cell_timeout_names_the_notebook_and_cell(tmp_path):
    project = Project(tmp_path / "proj", ["05_sleep"])
    r = project.run(cell_timeout=2)["05_sleep"]
    assert r.status == "failed" and r.ename == "CellTimeout"
    assert r.cell_index == 3 and "time.sleep" not in r.cell_source or r.cell_source
    assert "longer than 2 s" in r.evalue


def test_adhoc_overrides_never_touch_committed_figures(project):
    project.run()
    before = (project.figures / "alpha.png.txt").read_text()
    r = project.run(["01_alpha"], overrides={"granularity": "quarter", "annotate_min": "5"})
    assert r.exit_code == 0 and r.set_name == "adhoc"
    assert (project.figures / "adhoc" / "alpha.png.txt").read_text().split()[2:4] == [
        "quarter",
        "5",
    ]
    assert (project.figures / "alpha.png.txt").read_text() == before
    assert (project.build / "notebooks" / "adhoc" / "01_alpha.ipynb").exists()


def test_override_applies_only_where_declared(project):
    """`granularity` is declared by 01_alpha only; 02_beta runs with its own parameters."""
    r = project.run(overrides={"granularity": "quarter"})
    assert statuses(r) == {"01_alpha": "ok", "02_beta": "ok"}


def test_yaml_overrides_via_cli(project, monkeypatch, capsys):
    project.patch_paths(monkeypatch)
    y = project.root / "o.yaml"
    y.write_text("formats: [pdf]\n02_beta: {size: slide}\n")
    assert run_cli.cli_run(["-y", str(y), "--jobs", "2"]) == 0
    assert (project.figures / "adhoc" / "alpha.pdf.txt").exists()
    assert (project.figures / "adhoc" / "beta.txt").read_text().split()[2] == "slide"


def test_longest_first(project):
    durations = project.build / "cache" / "durations.json"
    durations.parent.mkdir(parents=True)
    durations.write_text(json.dumps({"01_alpha": 1.0, "02_beta": 9.0}))
    project.run(jobs=1)
    done = [ln.split()[1] for ln in project.lines if ln.startswith("[")]
    assert done == ["02_beta", "01_alpha"]
    recorded = json.loads(durations.read_text())
    assert recorded["02_beta"] < 9.0  # updated with the measured durations


def test_list(project, monkeypatch, capsys):
    project.patch_paths(monkeypatch)
    assert run_cli.cli_run(["--list"]) == 0
    out = capsys.readouterr().out
    assert "  01_alpha\n" in out
    assert "granularity: str = 'event'  bucket size [choices: event, month, quarter]" in out
    assert "formats: list = ['png', 'svg']  file formats to write [choices: png, svg, pdf]" in out
    assert "annotate_min: int = 50  label releases of at least this many people [range: 1..]" in out
    assert "briefing-2025 -> figures/briefing-2025/" in out
    assert "adhoc -> figures/adhoc/" in out


def _children(pid: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                kids.append(int(d.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc")
def test_ctrl_c_stops_cleanly_without_stray_kernels(tmp_path):
    project = Project(tmp_path / "proj", ["05_sleep", "01_alpha"])
    script = textwrap.dedent(
        f"""
        import signal, sys
        # a shell's background job inherits SIGINT ignored; a terminal's Ctrl-C does not
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from belthaw.run import runner
        from runner_fixtures import DECLARED
        try:
            runner.run(jobs=2, declared=DECLARED, notebooks_dir={str(project.nb)!r},
                       figures_dir={str(project.figures)!r},
                       build_dir={str(project.build)!r}, data_dir={str(project.data)!r})
        except KeyboardInterrupt:
            sys.exit(130)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    started = project.figures / "sleep.started"
    deadline = time.monotonic() + 60
    while not started.exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "sleeping notebook never started"
        time.sleep(0.1)
    kernels = [k for k in _children(proc.pid) if "ipykernel" in _cmdline(k)]
    assert kernels, "no kernel found"
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 130
    deadline = time.monotonic() + 5
    while any(_alive(k) for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [k for k in kernels if _alive(k)], "stray kernel processes"
    assert not (project.build / "cache" / "adhoc").exists()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_env_for_kernel_does_not_leak(project):
    before = dict(os.environ)
    project.run(["02_beta"])
    assert dict(os.environ) == before
