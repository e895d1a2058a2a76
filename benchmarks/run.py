"""How long the workbook makes people wait, as ratios against plain matplotlib, pandas and Python.

    python benchmarks/run.py           # full: 3 repetitions, 1,000 / 5,000 / 20,000 events
    python benchmarks/run.py --quick   # one repetition, 1,000 / 5,000 events (a few minutes)

Side by side in one run, each number with the 1-minute load average when it was taken:

  warm     per notebook, a live "belthaw" kernel: Run All (all code cells queued, as
           JupyterLab does) twice, one parameter changed the second time; time to the
           first image/png on iopub and the whole Run All, against bare savefig (png 300
           dpi, svg, pdf, to BytesIO) of every Figure the notebook left in its globals
  save     per figure: belthaw.figure.save_figure against three bare savefig calls of the
           same finished figure, same rc
  runner   `belthaw run --force` against the plain-script floor (nbconvert --to python,
           then python, as many at a time as the runner), and `belthaw run` again
  import   `import belthaw` and the notebook API beyond `import pandas, matplotlib`
  scale    belthaw.load() + release_series(month) on benchmarks/synth.py packages,
           against pandas.read_csv + the same group-by

The machine is shared: only ratios taken in one run mean something. Outputs go to a temp
folder; the committed figures/ are hashed before and after. Results replace the block
between the markers in docs/benchmarks.md; the findings around it are written by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import queue
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lib"), str(ROOT / "benchmarks")]  # run from a checkout, no install
from belthaw.catalogue import NOTEBOOKS  # noqa: E402
from synth import make_package  # noqa: E402

PY = sys.executable
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
#: One parameter per notebook for the second Run All: a value an analyst might try, which
#: keeps the figure size (so both runs draw comparable figures) and defeats any caching.
CHANGE = {
    "01_releases": ("granularity", "month"),
    "02_sanctions_relief": ("show_tightening", False),
    "03_exchanges": ("link_strengths", ["explicit", "reported"]),
    "04_briefing_overview": ("start", "2025-01-01"),
    "05_sources": ("max_events", 5),
}
#: The rc save() renders under besides render_context: without it, the first savefig of a
#: figure whose layout save() pinned would bring constrained layout back from the house rc
#: and lay the figure out again for every later format, which save() does not do.
KEEP_LAYOUT = {"figure.constrained_layout.use": False, "figure.autolayout": False}
BARE_SAVES = """
import io as _io, json as _json, time as _time
import matplotlib as _mpl
_KEEP_LAYOUT = KEEP_LAYOUT_RC
from matplotlib.figure import Figure as _Figure
from belthaw.figure.save import render_context as _rc
from belthaw.style import size_of as _size_of
_bare = {}
for _k, _v in list(globals().items()):
    if isinstance(_v, _Figure) and not _k.startswith("_") and id(_v) not in _bare:
        _s = _size_of(*_v.get_size_inches())
        with _rc(_s.name if _s else "a4-full"), _mpl.rc_context(_KEEP_LAYOUT):
            _t = _time.perf_counter()
            for _f in ("png", "svg", "pdf"):
                _v.savefig(_io.BytesIO(), format=_f, dpi=300)
            _bare[id(_v)] = (_k, _time.perf_counter() - _t)
print(_json.dumps(dict(_bare.values())))
""".replace("KEEP_LAYOUT_RC", repr(KEEP_LAYOUT))


def load1() -> float:
    return os.getloadavg()[0]


def env_for(tmp: Path, label: str) -> dict[str, str]:
    d = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=tmp))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "lib"), PYTHONHASHSEED="0")
    env.pop("MPLBACKEND", None)
    return env | {"BELTHAW_FIGURES_DIR": str(d / "figures"), "BELTHAW_BUILD_DIR": str(d / "build")}


def call(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, str]:
    """(wall seconds, stdout) of a command that must succeed."""
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=cwd)
    if p.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd[:4]))} failed: {p.stderr.strip()[-500:]}")
    return time.perf_counter() - t, p.stdout


def timed(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    return call(cmd, env, cwd)[0]


def last_json(cmd: list[str], env: dict[str, str]) -> dict:
    """What a probe printed last (one JSON line)."""
    return json.loads(call(cmd, env)[1].strip().splitlines()[-1])


# --------------------------------------------------------------------------- a. warm kernel


def run_all(kc, cells: list[str], timeout: float = 600) -> tuple[float | None, float, list[str]]:
    """Queue every cell at once (JupyterLab's Run All); (first png, total, printed lines)."""
    t0 = time.perf_counter()
    ids = [kc.execute(src, stop_on_error=True) for src in cells]
    first, printed = None, []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        kind, content = msg["msg_type"], msg["content"]
        if kind in ("display_data", "execute_result") and "image/png" in content["data"]:
            first = first if first is not None else time.perf_counter() - t0
        elif kind == "stream":
            printed += content["text"].splitlines()
        elif kind == "error":
            raise RuntimeError(f"cell failed: {content['ename']}: {content['evalue']}")
        if kind == "status" and content["execution_state"] == "idle":
            if msg["parent_header"].get("msg_id") == ids[-1]:
                return first, time.perf_counter() - t0, printed


def notebook_cells(notebook: str, values: dict) -> list[str]:
    """The code cells, with papermill's injected-parameters cell after the parameters cell."""
    book = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    out = []
    for cell in book.cells:
        if cell.cell_type == "code":
            out.append(cell.source)
            if "parameters" in cell.metadata.get("tags", []):
                out.append("# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in values.items()))
    return out


def bench_warm(notebook: str, tmp: Path) -> dict:
    km = KernelManager(kernel_name="belthaw")
    km.start_kernel(env=env_for(tmp, f"warm-{notebook}"), cwd=str(ROOT / "notebooks"))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        name, value = CHANGE[notebook]
        first1, total1, _ = run_all(kc, notebook_cells(notebook, {"output_set": "adhoc"}))
        load = load1()
        cells = notebook_cells(notebook, {"output_set": "adhoc", name: value})
        first2, total2, _ = run_all(kc, cells)
        _, _, printed = run_all(kc, [BARE_SAVES])
        bare = json.loads(printed[-1])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return dict(change=f"{name}={value!r}", first_run_s=total1, first_run_png_s=first1,
                png_s=first2, run_s=total2, bare_s=sum(bare.values()), figures=len(bare), load=load)  # fmt: skip


# --------------------------------------------------------------------------- b. save()

SAVE_PROBE = r"""
import io, json, statistics, sys, tempfile, time
import matplotlib as mpl
sys.path.insert(0, sys.argv[2])  # tests/: run a notebook's own cells in this process
from notebook_cells import run_notebook
from belthaw import notebook as nb
from belthaw.catalogue import NOTEBOOKS
from belthaw.figure.save import render_context, save_figure
from belthaw.style import size_of

reps, tmp, out = int(sys.argv[1]), tempfile.mkdtemp(), {}
data = nb.load(quiet=True)
for notebook in NOTEBOOKS:
    for name, s in run_notebook(notebook, {}, data).items():
        extra = {k: v for k, v in s.tables.items() if k != "data" and v is not None}
        def save():
            save_figure(s.fig, s.text, name, data=data, params=s.params,
                        table=s.tables["data"], tables=extra, out_dir=tmp)
        save()  # once untimed: fonts and caches warm, the layout pinned as the notebook leaves it
        size = size_of(*s.fig.get_size_inches()).name
        saves, bares = [], []
        for _ in range(reps):
            t = time.perf_counter(); save(); saves.append(time.perf_counter() - t)
            with render_context(size), mpl.rc_context(json.loads(sys.argv[3])):
                t = time.perf_counter()
                for fmt in ("png", "svg", "pdf"):
                    s.fig.savefig(io.BytesIO(), format=fmt, dpi=300)
                bares.append(time.perf_counter() - t)
        out[name] = {"save_s": statistics.median(saves), "bare_s": statistics.median(bares)}
print(json.dumps(out))
"""


# --------------------------------------------------------------------------- c. runner


def bench_runner(tmp: Path, jobs: int) -> dict:
    env = env_for(tmp, "floor") | {"MPLBACKEND": "Agg"}
    scripts = tmp / "scripts"
    nbs = [str(ROOT / "notebooks" / f"{n}.ipynb") for n in NOTEBOOKS]
    nbconvert = [PY, "-m", "nbconvert", "--to", "python", "--log-level", "ERROR"]
    timed([*nbconvert, "--output-dir", str(scripts), *nbs], env)
    load = load1()
    t = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda n: timed([PY, str(scripts / f"{n}.py")], env, ROOT / "notebooks"), NOTEBOOKS))  # fmt: skip
    floor = time.perf_counter() - t
    env = env_for(tmp, "runner")
    forced = timed([PY, "-m", "belthaw", "run", "--force", "--jobs", str(jobs)], env)
    nochange = timed([PY, "-m", "belthaw", "run", "--jobs", str(jobs)], env)
    return {"floor_s": floor, "forced_s": forced, "nochange_s": nochange, "load": load}


# --------------------------------------------------------------------------- d. import, e. scale

IMPORT_PROBE = r"""
import json, time
t0 = time.perf_counter()
import pandas, matplotlib
t1 = time.perf_counter()
import belthaw
t2 = time.perf_counter()
from belthaw import notebook
from belthaw.charts import releases, cumulative
from belthaw.transforms.timeline import release_series
t3 = time.perf_counter()
print(json.dumps({"base_s": t1 - t0, "belthaw_s": t2 - t1, "notebook_api_s": t3 - t2}))
"""

SCALE_PROBE = r"""
import json, sys, time
import pandas as pd
if sys.argv[2] == "belthaw":
    import belthaw
    from belthaw.counting import CountingRule
    from belthaw.transforms.timeline import release_series
    t = time.perf_counter()
    series = release_series(belthaw.load(sys.argv[1]), CountingRule(), granularity="month")
else:
    t = time.perf_counter()
    ev = pd.read_csv(sys.argv[1] + "/events.csv", parse_dates=["date"])
    rel = ev[ev["kind"] == "release"]
    series = rel.groupby(rel["date"].dt.to_period("M"))["count"].sum()
print(json.dumps({"s": time.perf_counter() - t, "rows": len(series)}))
"""


# --------------------------------------------------------------------------- report


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def figures_digest() -> str:
    h = hashlib.sha256()
    for p in sorted((ROOT / "figures").rglob("*")):
        if p.is_file():
            h.update(p.relative_to(ROOT).as_posix().encode() + p.read_bytes())
    return h.hexdigest()[:12]


def table(head: str, rows: list[list]) -> list[str]:
    cols = head.split(" | ")
    return ["", "| " + head + " |", "|" + "---|" * len(cols), *("| " + " | ".join(map(str, r)) + " |" for r in rows)]  # fmt: skip


def met(ratio: float, limit: float) -> str:
    return f"{ratio:.2f} {'yes' if ratio <= limit else 'NO'}"


def render(r: dict, argv: list[str]) -> str:
    pkgs = ", ".join(f"{p} {version(p)}" for p in ("pandas", "matplotlib", "ipykernel"))
    out = [START, "", f"## Results of {r['date']}", ""]
    out.append(
        f"`python benchmarks/run.py{''.join(' ' + a for a in argv)}`: {r['reps']} repetition(s), "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {pkgs}. Load average (1 min) "
        f"{r['load_start']:.2f} at start, {r['load_end']:.2f} at end. Committed figures/ "
        f"unchanged: {'yes' if r['figures_same'] else 'NO'}. Times in seconds."
    )
    out += [f"\n{r['note']}"] if r.get("note") else []  # a hand-made amendment of the raw JSON
    out += ["", "### a. The analyst's wait: warm kernel, second Run All"]
    rows = []
    for n, w in r["warm"].items():
        if "error" in w:
            rows.append([n, f"failed: {w['error']}", "", "", "", "", "", ""])
            continue
        rows.append([n, f"`{w['change']}`", f"{w['png_s']:.2f}", f"{w['run_s']:.2f}",
                     f"{w['bare_s']:.2f} ({w['figures']})", met(w["run_s"] / w["bare_s"], 1.3),
                     f"{w['first_run_s']:.2f} / {w['first_run_png_s']:.2f}", f"{w['load']:.2f}"])  # fmt: skip
    out += table("notebook | changed | first figure (~1 s) | Run All | bare saves (figures) | Run All / bare (<= 1.3) | cold Run All / its first figure | load", rows)  # fmt: skip
    out += ["", "### b. save() against three bare savefig (same finished figure, same rc)"]
    rows = [[n, f"{x['save_s']:.2f}", f"{x['bare_s']:.2f}", met(x["save_s"] / x["bare_s"], 1.3)]
            for n, x in r["save"].items()]  # fmt: skip
    out += table("figure | save_figure | 3 x savefig | ratio (<= 1.3)", rows)
    out.append(
        f"\nLoad {r['save_load']:.2f}; medians of {max(r['reps'], 2)}, after one untimed save."
    )
    ru, im = r["runner"], r["import"]
    forced, floor, jobs = med(ru["forced_s"]), med(ru["floor_s"]), r["jobs"]
    rows = [
        [f"`belthaw run --force`, {jobs} jobs", f"{forced:.2f}", f"plain scripts, {jobs} at a time: {floor:.2f}", f"{forced / floor:.2f}", f"{ru['load']:.2f}"],  # fmt: skip
        ["`belthaw run`, nothing changed", f"{med(ru['nochange_s']):.2f}", "", "", ""],
        ["`import belthaw`", f"{med(im['belthaw_s']):.3f}", f"`import pandas, matplotlib`: {med(im['base_s']):.2f}", "", f"{im['load']:.2f}"],  # fmt: skip
        ["then notebook, charts, transforms", f"{med(im['notebook_api_s']):.2f}", "", "", ""],
    ]  # fmt: skip
    for n, x in r["scale"].items():
        ours, plain = med(x["belthaw"]), med(x["pandas"])
        rows.append([f"{int(n):,} events: load + monthly series", f"{ours:.2f}", f"read_csv + group-by: {plain:.3f}", f"{ours / plain:.0f}", f"{x['load']:.2f}"])  # fmt: skip
    out += ["", "### c. The runner, d. import cost, e. the library at scale"]
    out += table("measurement | time | against | ratio | load", rows)
    return "\n".join([*out, "", END])


def write_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    DOC.write_text(head + block + rest.split(END, 1)[1], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="one repetition, two sizes")
    p.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md")
    p.add_argument("--render", type=Path, metavar="JSON", help="only render a saved raw result")
    args = p.parse_args(argv)
    r = json.loads(args.render.read_text()) if args.render else measure(args, argv)
    block = render(r, r["argv"])
    print(block)
    if not args.no_doc:
        write_doc(block)
    return 0


def measure(args: argparse.Namespace, argv: list[str] | None) -> dict:
    reps, sizes = (1, (1000, 5000)) if args.quick else (3, (1000, 5000, 20000))
    jobs = os.cpu_count() or 1
    r: dict = {"reps": reps, "jobs": jobs, "load_start": load1(), "warm": {}, "scale": {}}
    r["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    r["argv"] = sys.argv[1:] if argv is None else argv
    before = figures_digest()
    raw = Path(tempfile.gettempdir()) / "belthaw-bench-raw.json"
    with tempfile.TemporaryDirectory(prefix="belthaw-bench-") as t:
        try:
            measure_all(r, Path(t), reps, sizes)
        finally:
            raw.write_text(json.dumps(r, indent=1))  # kept: `--render` redraws the block from it
    r["load_end"], r["figures_same"] = load1(), figures_digest() == before
    raw.write_text(json.dumps(r, indent=1))
    return r


def measure_all(r: dict, tmp: Path, reps: int, sizes: tuple[int, ...]) -> None:
    """Fill ``r`` section by section (what was measured survives a failure later on)."""
    for n in NOTEBOOKS:
        print(f"warm {n} ...", flush=True)
        try:
            r["warm"][n] = bench_warm(n, tmp)
        except (RuntimeError, TimeoutError, queue.Empty) as err:
            r["warm"][n] = {"error": str(err)[:200]}
    print("save ...", flush=True)
    r["save_load"] = load1()
    r["save"] = last_json([PY, "-c", SAVE_PROBE, str(max(reps, 2)), str(ROOT / "tests"), json.dumps(KEEP_LAYOUT)], env_for(tmp, "save"))  # fmt: skip
    print("runner ...", flush=True)
    runs = []
    for k in range(reps):
        (tmp / f"r{k}").mkdir()
        runs.append(bench_runner(tmp / f"r{k}", r["jobs"]))
    r["runner"] = {k: [x[k] for x in runs] for k in runs[0]} | {"load": runs[0]["load"]}
    print("import, scale ...", flush=True)
    env = env_for(tmp, "import")
    ims = [last_json([PY, "-c", IMPORT_PROBE], env) for _ in range(max(reps, 3))]
    r["import"] = {k: [x[k] for x in ims] for k in ims[0]} | {"load": load1()}
    for n in sizes:
        pkg = make_package(tmp / f"pkg-{n}", n)
        r["scale"][n] = {"load": load1()} | {
            who: [last_json([PY, "-c", SCALE_PROBE, str(pkg), who], env)["s"] for _ in range(reps)]
            for who in ("belthaw", "pandas")
        }  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
