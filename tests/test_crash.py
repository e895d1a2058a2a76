"""Crash safety: a SIGKILL at any instant of a save leaves each figure all old or all new;
Ctrl-C stops ``belthaw run`` cleanly; a cell stuck in a loop is stopped and named.

The kill test saves a real figure (03-exchanges with its tables, drawn from the small
test package) over and over in a process that is SIGKILLed after a random delay
(seeded), then checks the folder as the next run would find it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import minidata
from belthaw import paths
from belthaw.errors import ParameterError
from belthaw.figure import files
from belthaw.parameters import Param

PY = sys.executable
BELTHAW = str(Path(sys.executable).with_name("belthaw"))
TESTS = Path(__file__).resolve().parent
NAME = "03-exchanges"
SET = "crash"

#: A process that draws two versions of one figure once, then, for each "go" line on
#: stdin, forks a worker that saves them alternately until it is killed.
SERVER = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[2])
    from pathlib import Path
    from belthaw import notebook as nb
    from belthaw.figure import files, save as bs

    sys.stdout = open(os.devnull, "w")  # nb.save prints; the protocol writes to fd 1 directly

    data = nb.load(Path(sys.argv[1]), quiet=True)
    versions = []
    for window, links in ((0, ["explicit", "reported", "inferred"]), (7, ["reported", "inferred"])):
        p = nb.check("03_exchanges", {"output_set": "crash", "infer_window_days": window,
                                      "link_strengths": links})
        versions.append((nb.build("03-exchanges", data, p), p))

    # Rendering is what takes time and it cannot leave a file behind: render each format
    # once, so the worker spends its time where a kill can hurt (finishing, committing).
    real, cache = bs._render, {}
    def render(fig, fmt, metadata):
        key = (id(fig), fmt)
        if key not in cache:
            cache[key] = real(fig, fmt, metadata)
        return cache[key]
    bs._render = render

    def save(i):
        built, p = versions[i % 2]
        with files.transaction():  # what nb.save does for a figure and its tables
            nb.save(built, data, p)

    ref = Path(sys.argv[3])
    out = nb.paths.figure_dir("crash")
    for i in (0, 1):
        save(i)
        for f in out.iterdir():
            if f.name.startswith("03-exchanges"):
                (ref / str(i)).mkdir(parents=True, exist_ok=True)
                (ref / str(i) / f.name).write_bytes(f.read_bytes())
    os.write(1, b"ready\\n")
    for line in sys.stdin:
        mode, start = line.split()
        pid = os.fork()
        if pid == 0:
            i = int(start)
            if mode == "slow":  # a slow disk: each rename takes 5 ms, so kills land between them
                import time
                real_replace = os.replace
                def slow_replace(src, dst):
                    real_replace(src, dst)
                    time.sleep(0.005)
                os.replace = slow_replace
            while True:
                if mode == "save":
                    save(i)
                else:  # "commit", "slow": the same bytes through the commit step alone
                    files.commit_files({out / n: (ref / str(i % 2) / n).read_bytes()
                                        for n in os.listdir(ref / str(i % 2))})
                i += 1
        os.write(1, f"{pid}\\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(1, f"{status}\\n".encode())
    """
)


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _state(folder: Path, refs: dict[str, dict[str, str]]) -> str:
    """'0' or '1' (every file of that version), 'none', or 'MIXED ...'."""
    names = set(refs["0"])
    present = {n: _digest(folder / n) for n in names if (folder / n).exists()}
    if not present:
        return "none"
    for version, digests in refs.items():
        if present == digests:
            return version
    which = {
        n: next((v for v, d in refs.items() if d.get(n) == h), "?") for n, h in present.items()
    }
    return f"MIXED {sorted(which.items())}"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".belthaw-"))


def test_sigkill_during_save_leaves_each_figure_all_old_or_all_new(tmp_path):
    data = minidata.write(tmp_path / "data")
    figures, ref = tmp_path / "figures", tmp_path / "ref"
    env = {**os.environ, "BELTHAW_FIGURES_DIR": str(figures), "BELTHAW_TODAY": "2026-01-15"}
    env[files.OUTPUTS_ENV] = str(tmp_path / "outputs.json")  # as in a run: no index rewrite
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    server = subprocess.Popen(
        [PY, str(script), str(data), str(TESTS), str(ref)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1,
    )  # fmt: skip
    folder = figures / SET
    try:
        assert server.stdout.readline().strip() == "ready", "the server could not draw the figure"
        refs = {v: {p.name: _digest(p) for p in (ref / v).iterdir()} for v in ("0", "1")}
        assert len(refs["0"]) >= 5 and all(refs["0"][n] != refs["1"][n] for n in refs["0"])

        rng = random.Random(20260115)
        seen: dict[str, int] = {}
        settled = {"forward": 0, "back": 0, "undone": 0, "temps": 0}
        for k in range(40):
            mode = ("save", "commit", "slow")[k % 3]
            if k % 8 == 0:  # sometimes the figure is new: the valid states include "none"
                for n in refs["0"]:
                    (folder / n).unlink(missing_ok=True)
            server.stdin.write(f"{mode} {rng.randrange(2)}\n")
            pid = int(server.stdout.readline())
            time.sleep(rng.uniform(0.0, {"save": 0.5, "commit": 0.12, "slow": 0.2}[mode]))
            os.kill(pid, signal.SIGKILL)
            status = int(server.stdout.readline())
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                f"kill {k}: the saving process had stopped by itself (status {status})"
            )
            before = _state(folder, refs)
            journals = [n for n in _leftovers(folder) if n.startswith(files.JOURNAL_PREFIX)]
            if before.startswith("MIXED"):
                assert journals, f"kill {k}: files mixed with no journal to complete them: {before}"
            counts = files.recover_folder(folder)  # what the next save or run does first
            for key, n in counts.items():
                settled[key] += n
            after = _state(folder, refs)
            seen[after] = seen.get(after, 0) + 1
            assert not after.startswith("MIXED"), f"kill {k} ({mode}): {after}"
            assert _leftovers(folder) == [], f"kill {k}: left {_leftovers(folder)}"
        # Both versions were seen after kills, and kills landed inside commits, after the
        # commit point too: the test did reach the moments it is about.
        assert seen.get("0", 0) and seen.get("1", 0), seen
        assert settled["forward"] > 0 and settled["back"] > 0, settled
        print(f"states after 40 kills: {seen}; commits settled: {settled}")
    finally:
        server.kill()
        server.wait()


def test_sweep_completes_a_committed_journal_and_drops_an_unwritten_one(tmp_path):
    old = {"f.png": b"old png", "f.md": b"old md"}
    for n, b in old.items():
        (tmp_path / n).write_bytes(b)
    # A commit killed after its journal was written, before either rename ...
    jid = "0123456789abcdef"
    (tmp_path / f".belthaw-tmp-{jid}.1").write_bytes(b"new png")
    (tmp_path / f".belthaw-tmp-{jid}.2").write_bytes(b"new md")
    (tmp_path / f".belthaw-journal-{jid}.json").write_text(
        json.dumps({"version": 1, "files": [
            {"temp": f".belthaw-tmp-{jid}.1", "target": "f.png", "backup": None},
            {"temp": f".belthaw-tmp-{jid}.2", "target": "f.md", "backup": None},
        ]})
    )  # fmt: skip
    # ... and one killed while writing its temps (journal still empty).
    jid2 = "fedcba9876543210"
    (tmp_path / f".belthaw-tmp-{jid2}.1").write_bytes(b"half")
    (tmp_path / f".belthaw-journal-{jid2}.json").write_bytes(b"")
    assert files.sweep_temp_files(tmp_path) == 2  # one commit completed, one dropped
    assert (tmp_path / "f.png").read_bytes() == b"new png"
    assert (tmp_path / "f.md").read_bytes() == b"new md"
    assert _leftovers(tmp_path) == []


def test_a_journal_cannot_move_files_out_of_its_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    jid = "0123456789abcdef"
    (tmp_path / "sub" / f".belthaw-tmp-{jid}.1").write_bytes(b"evil")
    (tmp_path / "sub" / f".belthaw-journal-{jid}.json").write_text(
        json.dumps({"files": [{"temp": f".belthaw-tmp-{jid}.1", "target": "../victim.txt"}]})
    )
    files.recover_folder(tmp_path / "sub")
    assert victim.read_text() == "keep me"
    assert _leftovers(tmp_path / "sub") == []


def test_a_live_commit_in_another_process_is_left_alone(tmp_path):
    """Two runs at once: one's cleanup must not touch the other's commit in progress."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from belthaw.figure import files
        j = files._Journal(Path({str(tmp_path)!r}))
        files._write_temp(j.temp_name(), b"in progress")
        print("holding", flush=True)
        time.sleep(60)
        """
    )
    holder = subprocess.Popen([PY, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        before = _leftovers(tmp_path)
        assert len(before) == 2
        assert files.sweep_temp_files(tmp_path, max_age_s=0) == 0
        assert _leftovers(tmp_path) == before
    finally:
        holder.kill()
        holder.wait()
    # Its owner is dead now: the next sweep settles it.
    assert files.sweep_temp_files(tmp_path) == 1
    assert _leftovers(tmp_path) == []


def test_an_error_mid_commit_restores_the_old_files(tmp_path, monkeypatch):
    for n in ("a.png", "a.md"):
        (tmp_path / n).write_bytes(b"old " + n.encode())
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk went away")
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(OSError, match="disk went away"):
        files.commit_files({tmp_path / "a.png": b"new png", tmp_path / "a.md": b"new md"})
    monkeypatch.undo()
    assert (tmp_path / "a.png").read_bytes() == b"old a.png"
    assert (tmp_path / "a.md").read_bytes() == b"old a.md"
    assert _leftovers(tmp_path) == []


def test_transaction_writes_everything_at_its_end_or_nothing(tmp_path):
    with files.transaction():
        files.commit_files({tmp_path / "x.png": b"png"})
        files.atomic_write_text(tmp_path / "x-table.csv", "a\n")
        assert not (tmp_path / "x.png").exists()
    assert (tmp_path / "x.png").read_bytes() == b"png"
    with pytest.raises(RuntimeError):
        with files.transaction():
            files.commit_files({tmp_path / "x.png": b"changed"})
            raise RuntimeError("drawing failed")
    assert (tmp_path / "x.png").read_bytes() == b"png"
    assert _leftovers(tmp_path) == []


def test_notebook_save_commits_figure_and_tables_in_one_commit(tmp_path, monkeypatch):
    """nb.save must put the figure's formats, sidecar and tables in one commit.

    Needs ``with files.transaction():`` around the save and table writes in
    ``belthaw.notebook.save`` (lead's file).
    """
    from belthaw import notebook as nb

    commits: list[list[str]] = []
    real = files._commit_now
    monkeypatch.setattr(
        files, "_commit_now", lambda fs: (commits.append(sorted(p.name for p in fs)), real(fs))
    )
    monkeypatch.setattr(paths, "FIGURES_DIR", tmp_path / "figures")
    monkeypatch.setenv(files.OUTPUTS_ENV, str(tmp_path / "outputs.json"))
    data = nb.load(minidata.write(tmp_path / "data"), quiet=True)
    p = nb.check("03_exchanges", {"output_set": "crash", "formats": ["svg"]})
    nb.save(nb.build(NAME, data, p), data, p)
    assert any(n.endswith("-pairs.csv") for c in commits for n in c)
    assert len(commits) == 1, f"figure and tables were committed separately: {commits}"


# --------------------------------------------------------------------------- Ctrl-C of a run


def test_ctrl_c_stops_belthaw_run_with_130_and_no_half_written_figure(tmp_path):
    data = minidata.write(tmp_path / "data")
    figures, build = tmp_path / "figures", tmp_path / "build"
    env = {
        **os.environ,
        "BELTHAW_DATA_DIR": str(data),
        "BELTHAW_FIGURES_DIR": str(figures),
        "BELTHAW_BUILD_DIR": str(build),
        "BELTHAW_TODAY": "2026-01-15",
    }
    env.pop(files.OUTPUTS_ENV, None)
    proc = subprocess.Popen(
        [BELTHAW, "run", "--force", "-j", "2", "01", "03"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Interrupt once the first figure file exists: kernels are then saving.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if figures.is_dir() and any(p.suffix == ".png" for p in figures.iterdir()):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err and "Traceback" not in err
    time.sleep(1.5)  # killed kernels notice their parent is gone within a second
    files.sweep_temp_files(figures)  # the next run's first step
    assert _leftovers(figures) == []
    for png in figures.glob("*.png"):
        siblings = {png.with_suffix(s) for s in (".svg", ".pdf", ".md")}
        assert all(s.exists() for s in siblings), f"{png.name} without all its formats"


# --------------------------------------------------------------------------- cell time limit

DECLARED = {"01_stuck": (Param("nap", int, 30, "seconds to sleep", minimum=0, maximum=3600),)}


def _notebook(path: Path, cells: list[tuple[str, list[str]]]) -> Path:
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}",
             "metadata": {"tags": tags}, "outputs": [], "source": src}
            for i, (src, tags) in enumerate(cells)
        ],  # fmt: skip
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_cell_timeout_stops_a_stuck_cell_and_names_notebook_and_cell(tmp_path):
    from belthaw.run.runner import run

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    params_cell = "\n".join(p.cell_line() for p in DECLARED["01_stuck"])
    _notebook(
        nbdir / "01_stuck.ipynb",
        [
            (params_cell, ["parameters"]),
            ("import time", []),
            ("time.sleep(nap)  # stuck", []),
            ("print('never')", []),
        ],
    )
    lines: list[str] = []
    result = run(
        notebooks_dir=nbdir,
        figures_dir=tmp_path / "figures",
        build_dir=tmp_path / "build",
        params_file=nbdir / "params.yaml",
        data_dir=minidata.write(tmp_path / "data"),
        declared=DECLARED,
        cell_timeout=2,
        log=lines.append,
        force=True,
    )
    r = result["01_stuck"]
    assert r.status == "failed" and r.ename == "CellTimeout"
    assert r.cell_index == 2 and r.cell_source == "time.sleep(nap)  # stuck"
    text = "\n".join(lines)
    assert "01_stuck: failed in cell 2" in text and "longer than 2 s" in text
    assert result.exit_code == 1


def test_cell_timeout_out_of_range_is_refused(tmp_path):
    from belthaw.run.runner import run

    with pytest.raises(ParameterError, match="--cell-timeout"):
        run(notebooks_dir=tmp_path, declared=DECLARED, cell_timeout=0)
