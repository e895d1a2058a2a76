"""Benchmark of the workbook: notebook runs side by side, import cost, and the library at scale.

    python benchmarks/run.py                 # full run: 3 repetitions of everything
    python benchmarks/run.py --reps 5
    python benchmarks/run.py --quick         # smoke run: 1 repetition, 2 notebooks, small sizes

What it measures (wall time; median and spread over the repetitions):

  floor       the notebooks as plain Python scripts (jupyter nbconvert --to script),
              default parameters, as many at a time as `belthaw run` uses (--jobs)
  peer        jupyter nbconvert --to notebook --execute, one notebook after another
  papermill   the papermill CLI, one notebook after another
  ours        `belthaw run --force` (forced full re-run), and `belthaw run` with nothing
              changed (the whole command, as a subprocess)
  figures     per figure, in one warm process: save() (finish, layout, labels, PNG+SVG+PDF,
              sidecar, atomic write) against three bare savefig calls (same rc, same finished
              figure), and the label placement alone
  warm        per notebook, in one live kernel (jupyter_client): kernel start, the first
              Run All, then Run All again with one parameter changed (load -> build -> show
              -> save every format), and kernel shutdown
  import      `import belthaw` in a fresh process, beyond `import pandas, matplotlib`
  library     belthaw.load() (which runs every validation rule) + monthly release series
              on synthetic packages (benchmarks/synth.py) of 10k, 100k, 1M events, each in a
              child process (peak memory = ru_maxrss), against plain pandas.read_csv + the
              same monthly group-by

Every figure and build output goes to a temp folder (BELTHAW_FIGURES_DIR,
BELTHAW_BUILD_DIR); the committed figures/ folder is hashed before and after and the run
fails if it changed. The load average (os.getloadavg) is recorded with every measurement:
on a shared machine the numbers are noisy, read them with the load.

The results are printed and written to docs/benchmarks.md between the markers
<!-- results:start --> and <!-- results:end -->; the hand-written findings around them
are kept. This is a benchmark, not a test: nothing here fails on a slow result.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY = sys.executable
NOTEBOOKS = ROOT / "notebooks"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SECTIONS = ("figures", "warm", "floor", "peer", "papermill", "ours", "import", "library")
PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "jsonschema",
    "rfc3987-syntax",
)


# --------------------------------------------------------------------------- records


@dataclass
class Measure:
    """Repetitions of one measurement, each with the 1-minute load average at its start."""

    name: str
    what: str
    times: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    extra: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, seconds: float, load: float, **extra: float) -> None:
        self.times.append(seconds)
        self.loads.append(load)
        for k, v in extra.items():
            self.extra.setdefault(k, []).append(v)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else math.nan

    def spread(self) -> str:
        if not self.times:
            return "-"
        return f"{min(self.times):.3f}-{max(self.times):.3f}"

    def xmedian(self, key: str) -> float:
        vals = self.extra.get(key)
        return statistics.median(vals) if vals else math.nan


def load1() -> float:
    return os.getloadavg()[0]


def timed(
    cmd: list[str], *, env: dict[str, str], cwd: Path | None = None
) -> tuple[float, int, str]:
    """Run ``cmd``; return (wall seconds, exit code, tail of stderr)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    return wall, p.returncode, p.stderr.decode(errors="replace")[-400:]


def tree_digest(folder: Path) -> str:
    """sha256 over every file (path + bytes) under ``folder``: proof it was not touched."""
    h = hashlib.sha256()
    if folder.exists():
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(p.relative_to(folder).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


# --------------------------------------------------------------------------- environment


class Env:
    """Environment of every child process: temp output folders, optional blocked modules."""

    def __init__(self, tmp: Path, block: list[str]):
        self.tmp = tmp
        self.base = dict(os.environ)
        self.base.pop("BELTHAW_DATA_DIR", None)
        self.base["MPLBACKEND"] = "Agg"
        self.base.setdefault("PYTHONHASHSEED", "0")
        if block:
            shim = tmp / "blocked-modules"
            shim.mkdir()
            for m in block:
                (shim / f"{m}.py").write_text(
                    f"raise ImportError('{m} blocked by benchmarks/run.py --block-module')\n"
                )
            old = self.base.get("PYTHONPATH")
            self.base["PYTHONPATH"] = str(shim) + (os.pathsep + old if old else "")

    def for_run(self, label: str) -> dict[str, str]:
        """Fresh figures/build folders under the temp dir for one measured run."""
        d = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=self.tmp))
        env = dict(self.base)
        env["BELTHAW_FIGURES_DIR"] = str(d / "figures")
        env["BELTHAW_BUILD_DIR"] = str(d / "build")
        return env


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = "not installed"
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
        **{f"pkg:{k}": v for k, v in versions.items()},
    }


# --------------------------------------------------------------------------- notebook runs


def notebook_list(selected: list[str] | None) -> list[Path]:
    nbs = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if selected:
        nbs = [p for p in nbs if any(p.stem.startswith(s) for s in selected)]
    return nbs


def to_scripts(nbs: list[Path], out: Path, env: dict[str, str]) -> list[Path]:
    """Convert each notebook to a plain script (setup, not timed)."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(BIN / "jupyter"), "nbconvert", "--to", "script", "--output-dir", str(out)]
    subprocess.run([*cmd, *map(str, nbs)], env=env, check=True, capture_output=True)
    scripts = []
    for nb in nbs:
        # notebooks without language_info.file_extension come out as .txt
        made = next(p for p in out.iterdir() if p.stem == nb.stem)
        target = made.with_suffix(".py")
        if made != target:
            made.rename(target)
        scripts.append(target)
    return scripts


def bench_floor(m: Measure, scripts: list[Path], jobs: int, envs: Env) -> None:
    env = envs.for_run("floor")
    load = load1()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda s: timed([PY, str(s)], env=env, cwd=NOTEBOOKS), scripts))
    wall = time.perf_counter() - t0
    for s, (_, rc, err) in zip(scripts, results, strict=True):
        if rc:
            m.notes.append(f"{s.stem} exited {rc}: {err.strip().splitlines()[-1:]}")
    m.add(wall, load)


def bench_sequential(m: Measure, nbs: list[Path], make_cmd, envs: Env, label: str) -> None:
    env = envs.for_run(label)
    out = Path(env["BELTHAW_BUILD_DIR"]) / "executed"
    out.mkdir(parents=True)
    load = load1()
    total = 0.0
    for nb in nbs:
        wall, rc, err = timed(make_cmd(nb, out), env=env, cwd=NOTEBOOKS)
        total += wall
        if rc:
            m.notes.append(f"{nb.stem} exited {rc}: {err.strip().splitlines()[-1:]}")
    m.add(total, load)


def nbconvert_cmd(nb: Path, out: Path) -> list[str]:
    return [
        str(BIN / "jupyter"),
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=python3",
        "--ExecutePreprocessor.timeout=600",
        "--output-dir",
        str(out),
        str(nb),
    ]


def papermill_cmd(nb: Path, out: Path) -> list[str]:
    return [
        str(BIN / "papermill"),
        str(nb),
        str(out / nb.name),
        "-k",
        "python3",
        "--cwd",
        str(NOTEBOOKS),
        "--no-progress-bar",
    ]


def bench_ours(
    forced: Measure, nochange: Measure, nbs: list[Path], jobs: int | None, envs: Env, reps: int
) -> None:
    """One forced run in fresh folders, then `reps` no-change runs of the notebooks that succeeded."""
    env = envs.for_run("ours")
    names = [nb.stem for nb in nbs]
    cmd = [str(BIN / "belthaw"), "run", *names, "--force"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    load = load1()
    wall, rc, err = timed(cmd, env=env, cwd=ROOT)
    forced.add(wall, load)
    ok = names
    if rc:
        build = Path(env["BELTHAW_BUILD_DIR"]) / "cache" / "adhoc"
        manifests = Path(env["BELTHAW_BUILD_DIR"]) / "cache"
        ok = [n for n in names if list(manifests.glob(f"*/{n}.json"))]
        failed = sorted(set(names) - set(ok))
        forced.notes.append(f"exit {rc}; failed: {', '.join(failed)}")
        del build
    if not ok:
        return
    cmd = [str(BIN / "belthaw"), "run", *ok]
    if ok != names:
        nochange.notes.append(f"no-change runs cover the notebooks that succeeded: {', '.join(ok)}")
    for _ in range(reps):
        # `belthaw run` twice in a row, the second is the no-change run. The first settles
        # the cache in case someone changed lib/, data/ or notebooks/ meanwhile (shared tree).
        for attempt in range(3):
            subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True)
            load = load1()
            t0 = time.perf_counter()
            p = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if " 0 ran" in p.stdout and p.returncode == 0:
                nochange.add(wall, load)
                break
            nochange.notes.append(
                f"attempt {attempt + 1} re-ran notebooks (inputs changed meanwhile?), not counted: "
                + " / ".join(p.stdout.strip().splitlines()[-2:])
            )


def outputs_outside(tmp: Path) -> list[str]:
    """Recorded outputs (build/outputs/*/*.json of every run) that are not under ``tmp``."""
    bad = []
    for f in tmp.rglob("outputs/*/*.json"):
        try:
            paths = json.loads(f.read_text())
        except ValueError:
            continue
        bad += [q for q in paths if not Path(q).resolve().is_relative_to(tmp.resolve())]
    return bad


def figure_files(tmp: Path) -> int:
    return sum(1 for q in tmp.glob("*/figures/**/*") if q.suffix in (".png", ".svg", ".pdf"))


# --------------------------------------------------------------------------- figures

FIG_PROBE = r"""
import io, json, statistics, sys, tempfile, time
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from belthaw import notebook as nb
from belthaw.charts.labels import LabelPlacer
from belthaw.figure import save as figsave

reps = int(sys.argv[1])
charts = json.loads(sys.argv[2])
data = nb.load(quiet=True)
spent = []
_place = LabelPlacer.place
def place(self, renderer):
    t = time.perf_counter()
    try:
        return _place(self, renderer)
    finally:
        spent.append(time.perf_counter() - t)
LabelPlacer.place = place
out = {}
tmp = Path(tempfile.mkdtemp())
for name, notebook in charts:
    b = nb.build(name, data, nb.check(notebook, {}))
    saves, bares, places = [], [], []
    for _ in range(reps):
        spent.clear()
        t = time.perf_counter()
        figsave.save(b.fig, name, out_dir=tmp, text=b.text,
                     publishers=data.publishers_in_order(b.text.source_ids), params={},
                     data_version=data.version, notebook=notebook + ".ipynb",
                     as_of=f"{data.as_of:%Y-%m-%d}", size=b.size)
        saves.append(time.perf_counter() - t)
        places.append(sum(spent))
        # The same finished figure (layout pinned, labels held), the same rc, bare savefig.
        t = time.perf_counter()
        with figsave.render_context(b.size):
            for fmt in ("png", "svg", "pdf"):
                b.fig.savefig(io.BytesIO(), format=fmt, dpi=300)
        bares.append(time.perf_counter() - t)
    # The first placement of a fresh build: nothing cached in the placer.
    fresh = nb.build(name, data, nb.check(notebook, {}))
    spent.clear()
    figsave.save(fresh.fig, name, out_dir=tmp, text=fresh.text, publishers=["x"], params={},
                 data_version="v", notebook="n", as_of="2025-01-01", size=fresh.size,
                 formats=["svg"])
    out[name] = {"save": statistics.median(saves), "bare": statistics.median(bares),
                 "place": statistics.median(places), "place_first": sum(spent),
                 "placers": len(spent)}
    plt.close("all")
print(json.dumps(out))
"""

#: Every figure the workbook saves, with the notebook whose parameters it takes.
FIGURES = (
    ("01-releases", "01_releases"),
    ("01-cumulative", "01_releases"),
    ("02-relief-steps", "02_sanctions_relief"),
    ("03-exchanges", "03_exchanges"),
    ("04-overview", "04_briefing_overview"),
    ("05-claims", "05_sources"),
    ("05-totals", "05_sources"),
)


def bench_figures(ms: dict[str, Measure], envs: Env, reps: int, nbs: list[Path]) -> None:
    stems = {nb.stem for nb in nbs}
    charts = [c for c in FIGURES if c[1] in stems]
    env = envs.for_run("figures")
    load = load1()
    p = subprocess.run(
        [PY, "-c", FIG_PROBE, str(max(reps, 3)), json.dumps(charts)],
        env=env,
        capture_output=True,
        text=True,
    )
    if p.returncode:
        ms.setdefault("fig", Measure("fig", "figures")).notes.append(
            p.stderr.strip().splitlines()[-1]
        )
        return
    for name, r in json.loads(p.stdout.strip().splitlines()[-1]).items():
        m = ms.setdefault(f"save:{name}", Measure(f"save:{name}", f"save() of {name}, 3 formats"))
        m.add(
            r["save"],
            load,
            bare_s=r["bare"],
            ratio=r["save"] / r["bare"],
            place_ms=1000 * r["place"],
            place_first_ms=1000 * r["place_first"],
        )


# --------------------------------------------------------------------------- warm redraw

#: One parameter per notebook, changed for the warm redraw (a value the analyst might try).
WARM_CHANGE = {
    "01_releases": ("granularity", "month"),
    "02_sanctions_relief": ("show_tightening", False),
    "03_exchanges": ("link_strengths", ["explicit", "reported"]),
    "04_briefing_overview": ("start", "2025-01-01"),
    "05_sources": ("max_events", 5),
}

WARM_PROBE = r"""
import json, sys, time
import nbformat
from jupyter_client.manager import start_new_kernel

path, name, value = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
nb = nbformat.read(path, as_version=4)
cells = [c.source for c in nb.cells if c.cell_type == "code"]
params = next(i for i, c in enumerate(nb.cells)
              if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
params = [c for c in nb.cells if c.cell_type == "code"].index(nb.cells[params])

def run(kc, src):
    errors = []
    def hook(msg):
        if msg["msg_type"] == "error":
            errors.append(msg["content"]["ename"] + ": " + msg["content"]["evalue"])
    reply = kc.execute_interactive(src, timeout=600, output_hook=hook)
    if reply["content"]["status"] != "ok":
        raise SystemExit(f"cell failed: {errors or reply['content']}")

t0 = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3", cwd=str(__import__("pathlib").Path(path).parent))
t1 = time.perf_counter()
run(kc, "import sys")
run(kc, "%matplotlib inline")
t2 = time.perf_counter()
for src in cells:
    run(kc, src)
t3 = time.perf_counter()
changed = cells[:params + 1] + [f"{name} = {value!r}"] + cells[params + 1:]
for src in changed:
    run(kc, src)
t4 = time.perf_counter()
seen = []
kc.execute_interactive(
    "print('papermill' in sys.modules)", timeout=60,
    output_hook=lambda m: m["msg_type"] == "stream" and seen.append(m["content"]["text"].strip()))
t5 = time.perf_counter()
kc.stop_channels()
km.shutdown_kernel(now=True)
t6 = time.perf_counter()
print(json.dumps({"start": t1 - t0, "first": t3 - t2, "warm": t4 - t3, "shutdown": t6 - t5,
                  "papermill_in_kernel": seen == ["True"]}))
"""


def bench_warm(ms: dict[str, Measure], envs: Env, nbs: list[Path]) -> None:
    env = envs.for_run("warm")
    for nb in nbs:
        name, value = WARM_CHANGE.get(nb.stem, ("start", "2025-01-01"))
        load = load1()
        p = subprocess.run(
            [PY, "-c", WARM_PROBE, str(nb), name, json.dumps(value)],
            env=env,
            capture_output=True,
            text=True,
        )
        m = ms.setdefault(
            f"warm:{nb.stem}",
            Measure(f"warm:{nb.stem}", f"Run All again with {name}={value!r} (live kernel)"),
        )
        if p.returncode:
            m.notes.append((p.stderr.strip().splitlines() or ["?"])[-1])
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        if r["papermill_in_kernel"]:
            m.notes.append("the kernel imported papermill")
        m.add(
            r["warm"],
            load,
            kernel_start_s=r["start"],
            first_run_s=r["first"],
            shutdown_s=r["shutdown"],
        )


# --------------------------------------------------------------------------- import cost

IMPORT_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import pandas, matplotlib
t1 = time.perf_counter()
import belthaw
t2 = time.perf_counter()
from belthaw import notebook as nb
t3 = time.perf_counter()
data = nb.load(quiet=True)
t4 = time.perf_counter()
heavy = [m for m in ("seaborn", "scipy", "papermill", "nbformat", "matplotlib.pyplot", "jsonschema")
         if m in sys.modules]
print(json.dumps({"base": t1 - t0, "belthaw": t2 - t1, "figures": t3 - t2, "load": t4 - t3,
                  "heavy": heavy}))
"""


def bench_import(ms: dict[str, Measure], envs: Env) -> list[str]:
    env = envs.for_run("import")
    heavy: list[str] = []
    load = load1()
    t0 = time.perf_counter()
    p = subprocess.run([PY, "-c", IMPORT_PROBE], env=env, capture_output=True, text=True)
    whole = time.perf_counter() - t0
    if p.returncode:
        ms["import_belthaw"].notes.append(p.stderr.strip().splitlines()[-1])
        return heavy
    r = json.loads(p.stdout.strip().splitlines()[-1])
    ms["import_base"].add(r["base"], load)
    ms["import_belthaw"].add(r["belthaw"], load)
    ms["import_figures"].add(r["figures"], load)
    ms["first_cell_load"].add(r["load"], load)
    ms["first_cell_process"].add(whole, load)
    return r["heavy"]


# --------------------------------------------------------------------------- library at scale

LIB_PROBE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import belthaw
from belthaw.transforms.timeline import release_series
t1 = time.perf_counter()
data = belthaw.load(sys.argv[1])          # every schema and cross-table rule (= validate)
t2 = time.perf_counter()
series = release_series(data.events, data.claims, granularity="month")
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "series": t3 - t2, "work": t3 - t1,
                  "rows": len(series), "total": int(series["count"].sum()),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PANDAS_PROBE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()
ev = pd.read_csv(sys.argv[1] + "/events.csv", parse_dates=["date"])
rel = ev[ev["kind"] == "release"]
m = rel.groupby(rel["date"].dt.to_period("M")).agg(n_events=("event_id", "size"),
                                                   count=("count", "sum"))
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "work": t2 - t1, "rows": len(m),
                  "total": int(m["count"].sum()),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_library(ms: dict[str, Measure], sizes: list[int], reps: int, envs: Env) -> None:
    for n in sizes:
        # Generate in a child: ru_maxrss survives fork+exec on Linux, so a parent that grew
        # while generating 1M events would hand its peak to every probe it starts.
        pkg = envs.tmp / f"synth-{n}"
        subprocess.run(
            [PY, str(ROOT / "benchmarks" / "synth.py"), str(pkg), "--events", str(n)],
            env=envs.base,
            check=True,
            capture_output=True,
        )
        ours = ms.setdefault(
            f"lib_{n}", Measure(f"lib_{n}", f"load+validate+monthly, {n:,} events")
        )
        base = ms.setdefault(
            f"pandas_{n}", Measure(f"pandas_{n}", f"pandas.read_csv+monthly group-by, {n:,} events")
        )
        env = envs.for_run(f"lib-{n}")
        for _ in range(reps):
            for m, probe in ((ours, LIB_PROBE), (base, PANDAS_PROBE)):
                load = load1()
                p = subprocess.run(
                    [PY, "-c", probe, str(pkg)], env=env, capture_output=True, text=True
                )
                if p.returncode:
                    m.notes.append(p.stderr.strip().splitlines()[-1])
                    continue
                r = json.loads(p.stdout.strip().splitlines()[-1])
                extra = {"maxrss_mb": r["maxrss_mb"], "rows": r["rows"], "total": r["total"]}
                if "load" in r:
                    extra.update(load_s=r["load"], series_s=r["series"])
                m.add(r["work"], load, **extra)
        shutil.rmtree(pkg, ignore_errors=True)


def loglog_slope(ns: list[int], ts: list[float]) -> float:
    xs, ys = [math.log(n) for n in ns], [math.log(t) for t in ts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


# --------------------------------------------------------------------------- report


def targets(ms: dict[str, Measure], sizes: list[int]) -> list[tuple[str, str, str, str]]:
    """(target, limit, measured, met?) rows."""
    rows = []

    def row(name: str, limit: str, value: float, ok: bool, fmt: str = "{:.2f}") -> None:
        if math.isnan(value):
            rows.append((name, limit, "not measured", "-"))
        else:
            rows.append((name, limit, fmt.format(value), "yes" if ok else "NO"))

    for m in ms.values():
        if m.name.startswith("save:") and m.times:
            fig = m.name[5:]
            r = m.xmedian("ratio")
            row(f"{fig}: save() / three bare savefig", "<= 1.3", r, r <= 1.3)
            ms_ = max(m.xmedian("place_ms"), m.xmedian("place_first_ms"))
            row(f"{fig}: label placement", "<= 50 ms", ms_, ms_ <= 50, "{:.1f} ms")
    for m in ms.values():
        if m.name.startswith("warm:") and m.times:
            row(f"{m.name[5:]}: warm redraw, all formats", "<= 2.0 s", m.median,
                m.median <= 2.0, "{:.2f} s")  # fmt: skip
    f, p, o, n = (ms.get(k) for k in ("floor", "peer", "ours_forced", "ours_nochange"))
    if f and o and f.times and o.times:
        r = o.median / f.median
        row("forced run / floor", "<= 1.2", r, r <= 1.2)
    if p and o and p.times and o.times:
        r = p.median / o.median
        row("peer / forced run (speed-up)", ">= 5", r, r >= 5)
    if n and n.times:
        row("no-change run, whole command", "<= 1.0 s", n.median, n.median <= 1.0, "{:.3f} s")
    i = ms.get("import_belthaw")
    if i and i.times:
        row(
            "import belthaw beyond pandas+matplotlib",
            "<= 0.2 s",
            i.median,
            i.median <= 0.2,
            "{:.3f} s",
        )
    big = max(sizes) if sizes else None
    if big:
        lo, pa = ms.get(f"lib_{big}"), ms.get(f"pandas_{big}")
        if lo and pa and lo.times and pa.times:
            r = lo.median / pa.median
            row(f"{big:,} events: ours / plain pandas", "<= 1.5", r, r <= 1.5)
            mem = lo.xmedian("maxrss_mb")
            row(
                f"{big:,} events: peak memory (ru_maxrss)",
                "<= 1024 MiB",
                mem,
                mem <= 1024,
                "{:.0f} MiB",
            )
        have = [s for s in sizes if ms.get(f"lib_{s}") and ms[f"lib_{s}"].times]
        if len(have) >= 2:
            k = loglog_slope(have, [ms[f"lib_{s}"].median for s in have])
            row("time ~ n^k from log-log fit", "k about 1", k, 0.8 <= k <= 1.2)
    return rows


def render(
    info: dict[str, str], ms: dict[str, Measure], sizes: list[int], args, heavy, figs_ok
) -> str:
    out = [START, "", f"## Results of {info['date']}", ""]
    out.append(
        f"Command: `python benchmarks/run.py {' '.join(sys.argv[1:])}`".rstrip()
        + f" ({args.reps} repetition(s))."
    )
    out += ["", "| machine | |", "|---|---|"]
    for k in ("nproc", "cpu", "ram", "python", "platform"):
        out.append(f"| {k} | {info[k]} |")
    out.append(
        "| packages | "
        + ", ".join(f"{k[4:]} {v}" for k, v in info.items() if k.startswith("pkg:"))
        + " |"
    )
    out.append(
        f"| load average at start / end (1, 5, 15 min) | {info['load_start']} / {info['load_end']} |"
    )
    out.append(f"| jobs (`belthaw run` default = cores) | {info['jobs']} |")
    if args.block_module:
        out.append(
            f"| blocked modules | {', '.join(args.block_module)} (made unimportable in every child, "
            "as in a venv synced to requirements.lock) |"
        )
    out.append(f"| outputs | {info['figures']} |")
    out += [
        "",
        "### Targets",
        "",
        "| target | limit | measured (median) | met |",
        "|---|---|---|---|",
    ]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(ms, sizes)]
    out += [
        "",
        "### Every measurement",
        "",
        "Seconds of wall time; load = 1-minute load average when each repetition started.",
        "",
        "| measurement | what | median | min-max | each run | load per run | extra (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in ms.values():
        if not m.times and not m.notes:
            continue
        each = ", ".join(f"{t:.3f}" for t in m.times)
        loads = ", ".join(f"{x:.2f}" for x in m.loads)
        extra = ", ".join(f"{k} {m.xmedian(k):.3g}" for k in m.extra)
        med = f"{m.median:.3f}" if m.times else "-"
        out.append(f"| {m.name} | {m.what} | {med} | {m.spread()} | {each} | {loads} | {extra} |")
    notes = [(m.name, n) for m in ms.values() for n in m.notes]
    if notes or heavy:
        out += ["", "Notes:", ""]
        out += [f"* {name}: {n}" for name, n in notes]
        if heavy:
            out.append(
                f"* modules loaded by the first cell (import belthaw, notebook, load()): {', '.join(heavy)}"
            )
    out += ["", END]
    return "\n".join(out)


def write_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = "# Benchmarks\n\n" + block + "\n" + text
    DOC.write_text(text, encoding="utf-8")


def print_table(ms: dict[str, Measure], sizes: list[int]) -> None:
    print("\nmeasurement                      median     min-max        load")
    for m in ms.values():
        if m.times:
            print(
                f"{m.name:<32} {m.median:8.3f}  {m.spread():>14}  {statistics.fmean(m.loads):5.2f}"
            )
    print("\ntarget                                        limit         measured     met")
    for a, b, c, d in targets(ms, sizes):
        print(f"{a:<45} {b:<13} {c:<12} {d}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description=__doc__.split("\n\n")[0],
        epilog="Targets and findings: docs/benchmarks.md. Outputs go to temp folders only.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--reps", type=int, default=3, help="repetitions of each measurement (default 3)"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 repetition, the first 2 notebooks, sizes 2,000 and 20,000",
    )
    p.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})",
    )
    p.add_argument("--notebooks", nargs="*", metavar="NN", help="notebook prefixes (default all)")
    p.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="synthetic event counts for the library benchmark (default 10000,100000,1000000)",
    )
    p.add_argument(
        "--jobs", type=int, default=None, help="parallel notebooks (default: what belthaw run uses)"
    )
    p.add_argument(
        "--block-module",
        action="append",
        default=[],
        metavar="MODULE",
        help="make MODULE unimportable in every child process (e.g. rfc3987_syntax, to measure a "
        "venv synced to requirements.lock without changing .venv)",
    )
    p.add_argument(
        "--no-write", action="store_true", help="print only; do not rewrite docs/benchmarks.md"
    )
    p.add_argument("--keep-tmp", action="store_true", help="keep the temp folder (printed)")
    args = p.parse_args(argv)
    if args.quick:
        args.reps = 1
        args.notebooks = args.notebooks or ["01", "02"]
        args.sizes = "2000,20000"
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        p.error(
            f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}"
        )
    if args.reps < 1:
        p.error("--reps must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] if "library" in args.only else []
    jobs = args.jobs or max(1, os.cpu_count() or 1)  # belthaw.run.runner._default_jobs()
    info = machine_info()
    info["jobs"] = str(jobs)
    info["load_start"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    figures_before = tree_digest(ROOT / "figures")
    tmp = Path(tempfile.mkdtemp(prefix="belthaw-bench-"))
    envs = Env(tmp, args.block_module)
    nbs = notebook_list(args.notebooks)
    ms: dict[str, Measure] = {}

    def measure(key: str, what: str) -> Measure:
        return ms.setdefault(key, Measure(key, what))

    heavy: list[str] = []
    try:
        scripts = to_scripts(nbs, tmp / "scripts", envs.base) if "floor" in args.only else []
        for rep in range(args.reps):
            print(f"repetition {rep + 1}/{args.reps} (load {load1():.2f})", flush=True)
            if "figures" in args.only and rep == 0:
                bench_figures(ms, envs, args.reps, nbs)
            if "warm" in args.only:
                bench_warm(ms, envs, nbs)
            if "floor" in args.only:
                bench_floor(
                    measure("floor", f"{len(nbs)} scripts, {jobs} at a time"), scripts, jobs, envs
                )
            if "peer" in args.only:
                bench_sequential(
                    measure("peer", "nbconvert --execute, sequential"),
                    nbs,
                    nbconvert_cmd,
                    envs,
                    "peer",
                )
            if "papermill" in args.only:
                bench_sequential(
                    measure("papermill", "papermill CLI, sequential"),
                    nbs,
                    papermill_cmd,
                    envs,
                    "pm",
                )
            if "ours" in args.only:
                bench_ours(
                    measure("ours_forced", f"belthaw run --force ({jobs} jobs)"),
                    measure("ours_nochange", "belthaw run, nothing changed (whole command)"),
                    nbs,
                    args.jobs,
                    envs,
                    1,
                )
            if "import" in args.only:
                measure("import_base", "import pandas, matplotlib (fresh process)")
                measure("import_belthaw", "import belthaw, after pandas+matplotlib")
                measure("import_figures", "from belthaw import notebook, after that")
                measure("first_cell_load", "nb.load() of data/ (validated), after that")
                measure("first_cell_process", "whole probe process (python start to exit)")
                heavy = bench_import(ms, envs)
            for k, m in list(ms.items()):
                if m.times:
                    print(f"  {k}: {m.times[-1]:.3f} s (load {m.loads[-1]:.2f})", flush=True)
        if sizes:
            print(f"library: sizes {sizes}, {args.reps} repetition(s)", flush=True)
            bench_library(ms, sizes, args.reps, envs)
        outside = outputs_outside(tmp)
        n_figs = figure_files(tmp)
    finally:
        if args.keep_tmp:
            print(f"temp folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    figs_same = tree_digest(ROOT / "figures") == figures_before
    figs_ok = not outside
    info["figures"] = (
        f"{n_figs} figure files written under the temp folder; recorded outputs outside it: "
        f"{len(outside)}; committed figures/ byte-identical before and after: "
        f"{'yes' if figs_same else 'no (other users ran belthaw run on the shared tree meanwhile)'}"
    )
    info["load_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print_table(ms, sizes)
    print(info["figures"])
    if not figs_ok:
        print(f"ERROR: outputs written outside the temp folder: {outside[:5]}", file=sys.stderr)
    block = render(info, ms, sizes, args, heavy, figs_ok)
    if not args.no_write:
        write_doc(block)
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0 if figs_ok else 1


if __name__ == "__main__":
    sys.exit(main())
