"""Parameters typed by hand never give a traceback or a silently odd value.

Property: for every notebook and every declared parameter, any value (typed as YAML
would give it, or a string as ``-p`` gives it) is either accepted and lies within its
declaration (type, bounds, choices, list rules, calendar dates), or is refused with a
short :class:`ParameterError`. Hypothesis runs with a fixed seed and a bounded number
of examples, so the suite stays fast and a failure replays. A few cases run through
the command line and through plain papermill, as users would type them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import minidata
from belthaw import paths
from belthaw.errors import ParameterError
from belthaw.parameters import NOTEBOOKS, Param, resolve

BELTHAW = str(Path(sys.executable).with_name("belthaw"))
MAX_MESSAGE = 500

PARAMS = [(nb, p) for nb, ps in NOTEBOOKS.items() for p in ps]

# -- values a person (or a spreadsheet, or YAML) might produce --------------------------------

_tricky_text = st.sampled_from(
    [
        "", " ", "0", "-0", "+7", "1e3", "1_000", "0x10", "٥٢", "５", "²", "1.0", "nan", "inf",
        "-inf", "9" * 19, "-" + "9" * 40, "2025-02-30", "2025-13-01", "2025-1-1", "20250101",
        "0000-01-01", "9999-12-31", "2025-02-28T00:00", " 2025-03-01", "yes", "No", "ON",
        "true", "[]", "[[]]", '["png", ["svg"]]', "png,,svg", "png, png", "[1, 2]", "{a: 1}",
        "&a [*a]", "!!python/object:os.system", "- a\n- b", "a4-full\n", "A4-FULL", "a4_full",
        "../../../etc", "x" * 5000, "é" * 300, "\x00", "\u202e", "best ", "None", "null", "~",
    ]
)  # fmt: skip
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-5, max_value=60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.text(max_size=80),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=6),
    _tricky_text,
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=12,
)


def _declared_ok(p: Param, v) -> None:
    """An accepted value obeys its declaration."""
    if p.type is list:
        assert isinstance(v, list) and all(isinstance(x, str) for x in v)
        assert len(v) >= p.min_items and len(set(v)) == len(v)
        if p.choices:
            assert set(v) <= set(p.choices)
        return
    assert type(v) is p.type, f"{p.name}: {v!r} is not {p.type.__name__}"
    if p.type is float:
        assert math.isfinite(v)
    if p.choices:
        assert v in p.choices
    if p.minimum is not None:
        assert v >= p.minimum
    if p.maximum is not None:
        assert v <= p.maximum
    if p.is_date and v:
        assert dt.date.fromisoformat(v).isoformat() == v


def _refused_well(exc: ParameterError, value) -> None:
    msg = str(exc)
    assert len(msg) < MAX_MESSAGE, f"message of {len(msg)} chars: {msg[:200]}…"
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 100:
        assert text not in msg, "the whole bad value was printed back"


@seed(20260115)
@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(case=st.sampled_from(PARAMS), value=_values, as_string=st.booleans())
def test_any_value_is_accepted_within_bounds_or_refused_briefly(case, value, as_string):
    notebook, p = case
    if as_string:  # what `-p NAME VALUE` hands over
        value = value if isinstance(value, str) else json.dumps(value, default=str)
    try:
        out = resolve(notebook, {p.name: value})
    except ParameterError as exc:
        _refused_well(exc, value)
        return
    _declared_ok(p, out[p.name])


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    notebook=st.sampled_from(list(NOTEBOOKS)),
    values=st.dictionaries(st.text(max_size=30), _values, max_size=4),
)
def test_unknown_names_and_many_problems_stay_short(notebook, values):
    try:
        resolve(notebook, values)
    except ParameterError as exc:
        # one line per problem, each short
        assert all(len(line) < MAX_MESSAGE for line in str(exc).splitlines())


@pytest.mark.parametrize(
    "value,expected",
    [
        ("٥", "digits 0-9"),
        ("2025-02-30", "not a day of the calendar"),
        (dt.date(2025, 3, 1), None),
        ("x" * 100_000, "100002 chars"),
    ],
)
def test_specific_values(value, expected):
    if expected is None:
        assert resolve("01_releases", {"start": value})["start"] == "2025-03-01"
        return
    name = "annotate_min" if expected == "digits 0-9" else "start"
    with pytest.raises(ParameterError, match=expected) as e:
        resolve("01_releases", {name: value})
    assert len(str(e.value)) < MAX_MESSAGE


@pytest.mark.parametrize("name", ["formats"])
def test_empty_list_is_refused(name):
    with pytest.raises(ParameterError, match="at least 1"):
        resolve("01_releases", {name: []})


# -- output_set: the library refuses names that leave figures/ ---------------------------------


@pytest.mark.parametrize(
    "bad", ["../../../somewhere", "/tmp/x", "a/b", "..", "durations.json", "params", "UPPER", ""]
)
def test_figure_dir_refuses_anything_but_a_plain_set_name(bad):
    with pytest.raises(ParameterError, match="output_set") as e:
        paths.figure_dir(bad)
    assert len(str(e.value)) < MAX_MESSAGE


@pytest.mark.parametrize("good", ["default", "adhoc", "briefing-2025", "a", "x" * 40])
def test_figure_dir_accepts_set_names_inside_figures(good):
    folder = paths.figure_dir(good)
    assert folder == paths.FIGURES_DIR or folder.parent == paths.FIGURES_DIR


def test_notebook_check_refuses_an_output_set_that_leaves_figures():
    """The notebook's own check (first cell after the parameters) must refuse it.

    Needs parameters.py to apply ``paths.check_set_name`` to ``output_set`` (lead).
    """
    with pytest.raises(ParameterError, match="output_set"):
        resolve("01_releases", {"output_set": "../../../somewhere"})


@pytest.mark.notebooks
def test_plain_papermill_cannot_write_outside_figures(tmp_path):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    data = minidata.write(tmp_path / "data")
    figures = tmp_path / "work" / "figures"
    figures.mkdir(parents=True)
    env = {
        "BELTHAW_DATA_DIR": str(data),
        "BELTHAW_FIGURES_DIR": str(figures),
        "BELTHAW_TODAY": "2026-01-15",
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with pytest.raises(PapermillExecutionError) as e:
            pm.execute_notebook(
                str(paths.NOTEBOOKS_DIR / "04_briefing_overview.ipynb"),
                str(tmp_path / "out.ipynb"),
                parameters={"output_set": "../../escaped"},
                cwd=str(paths.NOTEBOOKS_DIR),
                progress_bar=False,
                kernel_name="python3",
            )
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert e.value.ename == "ParameterError" and "output_set" in e.value.evalue
    assert not (tmp_path / "escaped").exists()
    assert list(figures.rglob("*")) == [], "nothing written anywhere"


# -- through the command line ----------------------------------------------------------------

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)  # fmt: skip


def _belthaw(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "BELTHAW_FIGURES_DIR": str(tmp_path / "figures"),
        "BELTHAW_BUILD_DIR": str(tmp_path / "build"),
        "BELTHAW_DATA_DIR": str(minidata.write(tmp_path / "data")),
        "BELTHAW_TODAY": "2026-01-15",
    }
    return subprocess.run(
        [BELTHAW, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "args,files,expected",
    [
        (["run", "-p", "infer_window_days", "365"], {}, "largest allowed value, 30"),
        (["run", "-p", "annotate_min", "-100"], {}, "smallest allowed value, 1"),
        (["run", "-p", "formats", "[]"], {}, "at least 1"),
        (["run", "-y", "bomb.yaml"], {"bomb.yaml": BOMB}, "aliases"),
        (["run", "-y", "date.yaml"], {"date.yaml": "start: 2025-02-30\n"}, "2025-02-30"),
        (["run", "-y", "deep.yaml"], {"deep.yaml": "formats: " + "[" * 100_000}, "nested deeper"),
        (["run", "-p", "formats", "[" * 100_000], {}, "nested deeper than 16 levels"),
        (["run", "-y", "folder"], {}, "not a regular file"),
        (["run", "--set", "nope"], {}, "known sets: default, "),
        (["run", "--set", "durations.json"], {}, "cannot name a parameter set"),
        (["run", "--set", "params"], {}, "reserved"),
        (["run", "--set", "../.."], {}, "cannot name a parameter set"),
        (["brief", "--set", "../.."], {}, "cannot name a parameter set"),
    ],
)
def test_cli_refuses_bad_parameters_with_a_short_message(tmp_path, args, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "folder").mkdir()
    r = _belthaw(tmp_path, *args)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr
    assert expected in r.stderr, r.stderr[-1000:]
    last = r.stderr.strip().splitlines()[-1]
    assert len(last) < MAX_MESSAGE
    assert not (tmp_path / "figures").exists() or not any((tmp_path / "figures").rglob("*.png"))
