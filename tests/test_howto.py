"""docs/adding-an-event.md followed literally: its example rows, appended to a copy of the
data, validate and reach every figure that counts them.

The rows come from the page's own ``csv`` blocks, so the page and this test cannot drift:
a column added to the schema, a new rule or a chart that drops a late release fails here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import papermill
import pytest
from matplotlib.patches import Rectangle

from belthaw import notebook as nb
from belthaw import paths
from notebook_cells import run_notebook

matplotlib.use("Agg")

DOC = paths.DOCS_DIR / "adding-an-event.md"
TOOL = paths.ROOT / "tools" / "data_dictionary.py"
#: The tables a new release touches, in the order the page adds them.
TOUCHED = ("sources", "events", "claims", "exchanges")
#: Figure stems that count releases, and the notebook drawing each.
COUNTING = {"01-releases": "01_releases", "01-cumulative": "01_releases", "04-overview": "04_briefing_overview"}  # fmt: skip
RUN = ("01_releases", "04_briefing_overview", "05_sources")
CSV_BLOCK = re.compile(r"^```csv (\S+)\n(.*?)^```", re.S | re.M)


def doc_blocks() -> dict[str, list[str]]:
    """``{table: [header, row, ...]}`` of the page's ``csv`` blocks (raw CSV lines)."""
    blocks: dict[str, list[str]] = {}
    for m in CSV_BLOCK.finditer(DOC.read_text(encoding="utf-8")):
        blocks.setdefault(Path(m.group(1)).stem, []).extend(m.group(2).splitlines())
    return blocks


def doc_rows(table: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("\n".join(doc_blocks()[table]))))


def schema_fields(table: str) -> list[dict]:
    dp = json.loads(paths.ROOT.joinpath("data", "datapackage.json").read_text(encoding="utf-8"))
    return next(r for r in dp["resources"] if r["name"] == table)["schema"]["fields"]


def section(table: str) -> str:
    """The page's section on ``data/<table>.csv``, up to the next section."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"`data/{table}.csv`")
    nxt = text.find("\n## ", start)
    return text[start : nxt if nxt > 0 else len(text)]


def the_release() -> dict[str, str]:
    (row,) = [r for r in doc_rows("events") if r["kind"] == "release"]
    return row


# --- the page itself -------------------------------------------------------------------


@pytest.mark.parametrize("table", TOUCHED)
def test_example_block_has_the_table_header_in_order(table):
    header = paths.ROOT.joinpath("data", f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
    lines = doc_blocks()[table]
    assert lines[0] == header, f"the {table}.csv example must start with the file's header line"
    assert len(lines) >= 2, f"no example row for {table}.csv"


@pytest.mark.parametrize("table", TOUCHED)
def test_every_required_column_is_named_with_its_allowed_values(table):
    text = section(table)
    for f in schema_fields(table):
        c = f.get("constraints", {})
        if c.get("required"):
            assert f"| `{f['name']}` | yes |" in text, f"{table}.{f['name']} not listed as required"
        for value in c.get("enum", []):
            assert f"`{value}`" in text, f"{table}.{f['name']}: allowed value {value!r} not named"


@pytest.mark.parametrize("table", TOUCHED)
def test_example_rows_fill_every_required_column_and_say_they_are_fictitious(table):
    required = [f["name"] for f in schema_fields(table) if f.get("constraints", {}).get("required")]
    for row in doc_rows(table):
        assert None not in row and None not in row.values(), f"{table}: a row has the wrong width"
        assert all(row[c].strip() for c in required), (
            f"{table}: {row} leaves a required column empty"
        )
        assert "fictitious" in ",".join(row.values()).lower(), (
            f"{table}: {row} not marked fictitious"
        )


def test_the_example_release_answers_a_us_step_with_a_link_claim():
    release, (pair,) = the_release(), doc_rows("exchanges")
    events = {r["event_id"]: r for r in doc_rows("events")}
    assert pair["release_event_id"] == release["event_id"]
    assert events[pair["concession_event_id"]]["jurisdiction"] == "US"
    links = [c for c in doc_rows("claims") if c["field"] == "link"]
    assert [c["exchange_id"] for c in links] == [pair["exchange_id"]]


def test_the_steps_end_with_make_run_and_one_commit_of_everything_derived():
    text = DOC.read_text(encoding="utf-8")
    steps = text[text.index("## 6.") :]
    assert steps.index("belthaw validate") < steps.index("make run") < steps.index("git commit")
    for path in ("data/", "figures/", "README.md", "data/CHANGELOG.md"):
        assert path in text, f"the page does not say to commit {path}"


def test_data_dictionary_without_pandas_says_which_python_to_use():
    # -S leaves out site-packages: the same interpreter, but no pandas.
    proc = subprocess.run(
        [sys.executable, "-S", str(TOOL), "--check"], capture_output=True, text=True, cwd=paths.ROOT
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert ".venv/bin/python tools/data_dictionary.py" in proc.stderr and "make run" in proc.stderr


# --- the page followed: rows appended, validate, the notebooks ------------------------


@pytest.fixture(scope="module")
def howto_data(tmp_path_factory) -> Path:
    """A copy of the project's data with the page's example rows appended to each table."""
    data = tmp_path_factory.mktemp("howto") / "data"
    shutil.copytree(paths.ROOT / "data", data)
    for table, lines in doc_blocks().items():
        target = data / f"{table}.csv"
        text = target.read_text(encoding="utf-8")
        sep = "" if text.endswith("\n") else "\n"
        target.write_text(text + sep + "\n".join(lines[1:]) + "\n", encoding="utf-8")
    return data


def _env(**extra: Path) -> dict[str, str]:
    return {**os.environ, **{k: str(v) for k, v in extra.items()}}


@pytest.mark.notebooks
def test_validate_accepts_the_example_rows(howto_data, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "belthaw", "validate"],
        capture_output=True, text=True, cwd=tmp_path, env=_env(BELTHAW_DATA_DIR=howto_data),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\b0 error\(s\)", proc.stdout), proc.stdout
    n_sources = len(pd.read_csv(paths.ROOT / "data" / "sources.csv")) + len(doc_rows("sources"))
    assert f"sources {n_sources}" in proc.stdout, "validate did not read the copy"


@pytest.mark.notebooks
def test_readme_check_names_the_counting_block_after_the_new_rows(howto_data):
    proc = subprocess.run(
        [sys.executable, str(TOOL), "--check"], capture_output=True, text=True,
        cwd=paths.ROOT, env=_env(BELTHAW_DATA_DIR=howto_data),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "counting choices block is out of date" in proc.stdout
    assert "data dictionary block" not in proc.stdout  # the schema did not change


@pytest.fixture(scope="module")
def papermill_run(howto_data, tmp_path_factory) -> Path:
    """The notebooks executed by papermill on the copy, figures into a folder of their own."""
    base = tmp_path_factory.mktemp("howto-run")
    env = {
        "BELTHAW_DATA_DIR": howto_data,
        "BELTHAW_FIGURES_DIR": base / "figures",
        "BELTHAW_BUILD_DIR": base / "build",
    }
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits this process's environment
        for k, v in env.items():
            mp.setenv(k, str(v))
        for name in RUN:
            papermill.execute_notebook(
                paths.NOTEBOOKS_DIR / f"{name}.ipynb", base / f"{name}.ipynb",
                parameters={"output_set": "default"}, kernel_name="belthaw",
                cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False, start_timeout=180,
            )  # fmt: skip
    return base / "figures"


@pytest.fixture(scope="module")
def in_process(howto_data):
    """Every figure's title and drawing, with and without the example rows (same code)."""
    out: dict[str, dict] = {"before": {}, "after": {}}
    for when, folder in (("before", paths.ROOT / "data"), ("after", howto_data)):
        data = nb.load(folder, quiet=True)
        for name in RUN:
            saved = run_notebook(name, {}, data)
            assert isinstance(saved, dict), saved
            out[when].update(saved)
    yield out
    for saved in (*out["before"].values(), *out["after"].values()):
        plt.close(saved.fig)


def _number(pattern: str, title: str) -> int:
    m = re.search(pattern, title)
    assert m, f"{pattern!r} not in the title {title!r}"
    return int(m.group(1).replace(",", ""))


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", sorted(COUNTING))
def test_the_release_is_a_row_of_the_figure_csv(papermill_run, stem):
    release = the_release()
    table = pd.read_csv(papermill_run / f"{stem}-data.csv", dtype=str, keep_default_na=False)
    rows = table[table["event_id"] == release["event_id"]]
    assert len(rows) == 1, f"{stem}-data.csv has no row for the new release"
    row = rows.iloc[0]
    assert (row["count"], row["release_type"]) == (release["count"], release["release_type"])
    assert release["source_ids"] in row["source_ids"] and row["confidence"]


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", sorted(COUNTING))
def test_the_title_counts_the_release_once_more(papermill_run, in_process, stem):
    release = the_release()
    title = json.loads((papermill_run / f"{stem}.json").read_text(encoding="utf-8"))["title"]
    before = in_process["before"][stem].text.title
    assert title == in_process["after"][stem].text.title  # papermill and in-process agree
    people = r"([\d,]+) people freed"
    assert _number(people, title) == _number(people, before) + int(release["count"])
    if " releases" in before:
        releases = r"([\d,]+) releases since"
        assert _number(releases, title) == _number(releases, before) + 1
    if "US track" in before:  # the example is a US-track release
        us = r"in ([\d,]+) releases on the US track"
        assert _number(us, title) == _number(us, before) + 1


@pytest.mark.notebooks
def test_figures_that_do_not_count_releases_are_unchanged(papermill_run, in_process):
    # 05's figures compare sources' figures and published totals; a release after every
    # published total, with one source, changes neither.
    for stem in ("05-claims", "05-totals"):
        title = json.loads((papermill_run / f"{stem}.json").read_text(encoding="utf-8"))["title"]
        assert title == in_process["before"][stem].text.title


def _bars_at(ax, x: float) -> list[Rectangle]:
    return [
        p for p in ax.patches
        if isinstance(p, Rectangle) and p.get_x() <= x <= p.get_x() + p.get_width()
    ]  # fmt: skip


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", ["01-releases", "04-overview"])
def test_the_release_bar_is_drawn_inside_the_axes(in_process, stem):
    release = the_release()
    x = mdates.date2num(pd.Timestamp(release["date"]))
    fig = in_process["after"][stem].fig
    bars = [(ax, b) for ax in fig.axes for b in _bars_at(ax, x) if b.get_height() == int(release["count"])]  # fmt: skip
    assert bars, f"{stem}: no bar of {release['count']} at {release['date']}"
    for ax, bar in bars:
        lo, hi = ax.get_xlim()
        assert lo <= bar.get_x() and bar.get_x() + bar.get_width() <= hi, (
            f"{stem}: the bar of {release['date']} lies outside the x range {mdates.num2date(hi):%Y-%m-%d}"
        )


def _as_num(xs) -> pd.Series:
    """x data as matplotlib date numbers, whether drawn from dates or from numbers."""
    xs = pd.Series(list(xs))
    return (
        xs.astype(float)
        if pd.api.types.is_numeric_dtype(xs)
        else pd.Series(mdates.date2num(pd.to_datetime(xs)))
    )


@pytest.mark.notebooks
def test_the_running_total_reaches_the_release(in_process):
    release = the_release()
    x = mdates.date2num(pd.Timestamp(release["date"]))
    ax = in_process["after"]["01-cumulative"].fig.axes[0]
    lo, hi = ax.get_xlim()
    assert lo <= x <= hi
    before = _number(r"([\d,]+) people freed", in_process["before"]["01-cumulative"].text.title)
    top = int(release["count"]) + before
    ends = [(_as_num(line.get_xdata()).max(), max(line.get_ydata())) for line in ax.lines]
    assert any(abs(end - x) < 1 and y == top for end, y in ends), (
        f"no line of 01-cumulative reaches {top} on {release['date']}: {ends}"
    )


@pytest.mark.notebooks
def test_rewriting_the_readme_counts_the_new_release(howto_data, tmp_path):
    readme = tmp_path / "README.md"
    shutil.copy(paths.ROOT / "README.md", readme)
    before = readme.read_text(encoding="utf-8")
    env = _env(BELTHAW_DATA_DIR=howto_data)
    for args, rc in ((["--readme", str(readme)], 0), (["--check", "--readme", str(readme)], 0)):
        proc = subprocess.run(
            [sys.executable, str(TOOL), *args], capture_output=True, text=True, env=env
        )
        assert proc.returncode == rc, proc.stdout + proc.stderr
    after = readme.read_text(encoding="utf-8")
    people = r"\*\*([\d,]+) people freed\*\*"
    releases = r"people freed\*\* in ([\d,]+) releases"
    assert _number(people, after) == _number(people, before) + int(the_release()["count"])
    assert _number(releases, after) == _number(releases, before) + 1
