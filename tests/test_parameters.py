"""Parameters declared once (belthaw.parameters): coercion, bounds, choices, the typed object
builders receive, the notebook cells derived from the declaration; and params.yaml sets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from belthaw import parameters
from belthaw.errors import ParameterError
from belthaw.parameters import NOTEBOOKS, Param, check, resolve
from belthaw.run.sets import ParamsFileError, load_param_sets, parameters_cell

ROOT = Path(__file__).parents[1]
NB = "01_releases"


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("annotate_min", "50", 50),
        ("annotate_min", 50.0, 50),
        ("annotate_min", " 7 ", 7),
        ("include_released_home", "yes", True),
        ("include_released_home", "0", False),
        ("include_released_home", False, False),
        ("formats", "png,pdf", ["png", "pdf"]),
        ("formats", "png, pdf ,", ["png", "pdf"]),
        ("formats", '["svg"]', ["svg"]),
        ("formats", ["pdf"], ["pdf"]),
        ("granularity", "month", "month"),
        ("start", "2025-01-01", "2025-01-01"),
        ("start", dt.date(2025, 1, 1), "2025-01-01"),  # unquoted YAML date
        ("end", "", ""),
    ],
)
def test_coercion(name, value, expected):
    out = resolve(NB, {name: value})
    assert out[name] == expected
    assert type(out[name]) is type(expected)
    assert set(out) == {p.name for p in NOTEBOOKS[NB]}  # defaults filled in


@pytest.mark.parametrize(
    "values, parameter, fragment",
    [
        ({"granularty": "month"}, "granularty", "did you mean 'granularity'"),
        ({"colour": "red"}, "colour", "known: start, end, as_of, granularity"),
        ({"annotate_min": "lots"}, "annotate_min", "expected a whole number"),
        ({"annotate_min": "\u0665\u0662"}, "annotate_min", "digits 0-9"),  # Arabic-Indic 52
        ({"annotate_min": True}, "annotate_min", "expected a whole number"),
        ({"annotate_min": 2.5}, "annotate_min", "expected a whole number"),
        ({"annotate_min": -100}, "annotate_min", "below the smallest allowed value, 1"),
        ({"annotate_min": "9" * 40}, "annotate_min", "expected a whole number"),
        ({"stale_after_days": -1}, "stale_after_days", "below the smallest allowed value, 0"),
        ({"include_released_home": "maybe"}, "include_released_home", "expected true/false"),
        ({"granularity": "weekly"}, "granularity", "choose one of event, month, quarter"),
        ({"granularity": "mont"}, "granularity", "did you mean 'month'"),
        ({"granularity": 3}, "granularity", "expected text"),
        ({"formats": "png,gif"}, "formats", "'gif' not allowed; choose from png, svg, pdf"),
        ({"formats": []}, "formats", "give at least 1"),
        ({"formats": "png,png"}, "formats", "each element may appear once"),
        ({"formats": 3}, "formats", "expected a list"),
        ({"start": "2025-13-01"}, "start", "not a day of the calendar"),
        ({"start": "2025-02-30"}, "start", "not a day of the calendar"),
        ({"start": "01.02.2025"}, "start", "expected an ISO date YYYY-MM-DD"),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "end", "end 2025-01-01 is before start"),
        ({"start": "x" * 5000}, "start", "… (5002 chars)"),  # long values quoted as a prefix
    ],
)
def test_errors(values, parameter, fragment):
    with pytest.raises(ParameterError) as exc:
        resolve(NB, values)
    err = exc.value
    assert err.notebook == NB
    assert err.parameter == parameter
    assert fragment in str(err)
    assert len(str(err)) < 400


@pytest.mark.parametrize(
    "notebook, name, value, fragment",
    [
        ("03_exchanges", "infer_window_days", 365, "above the largest allowed value, 30"),
        ("03_exchanges", "infer_window_days", -5, "below the smallest allowed value, 0"),
        ("03_exchanges", "link_strengths", [], "give at least 1"),
        ("05_sources", "max_events", 0, "below the smallest allowed value, 1"),
        ("02_sanctions_relief", "jurisdictions", ["US", "RU"], "'RU' not allowed"),
    ],
)
def test_bounds_of_every_notebook(notebook, name, value, fragment):
    with pytest.raises(ParameterError, match=fragment.replace("(", r"\(")):
        resolve(notebook, {name: value})


def test_several_errors_at_once():
    with pytest.raises(ParameterError) as exc:
        resolve(
            NB, {"granularty": "x", "annotate_min": "many", "formats": "gif", "start": "2025-02-30"}
        )
    msg = str(exc.value)
    assert msg.startswith(f"{NB}: 4 parameter problems:")
    assert {p for p, _ in exc.value.problems} == {"granularty", "annotate_min", "formats", "start"}


def test_the_typed_object_builders_receive():
    p = check("03_exchanges", {"infer_window_days": "3", "unrelated_global": object()})
    assert p.infer_window_days == 3 and p.link_strengths == ("explicit", "reported", "inferred")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.infer_window_days = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        p.window_days  # noqa: B018 - a misspelt name fails, it never falls back to a default
    assert [f.name for f in dataclasses.fields(p)] == [x.name for x in NOTEBOOKS["03_exchanges"]]


def test_every_default_passes_its_own_checks():
    for notebook in NOTEBOOKS:
        assert resolve(notebook, parameters.defaults(notebook)) == parameters.defaults(notebook)


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_notebook_cell_is_derived_from_the_declaration(notebook):
    cell = parameters_cell(ROOT / "notebooks" / f"{notebook}.ipynb")
    assert cell == parameters.cell_source(notebook)


def test_cell_lines_are_what_papermill_reads():
    """papermill --help-notebook reads the same names, types and defaults."""
    from papermill.translators import PythonTranslator

    for notebook in NOTEBOOKS:
        found = PythonTranslator.inspect({"source": parameters.cell_source(notebook)})
        assert [p.name for p in found] == [x.name for x in NOTEBOOKS[notebook]]
        for p, decl in zip(found, NOTEBOOKS[notebook], strict=True):
            assert p.inferred_type_name == decl.type.__name__
            assert json.loads(p.default) == decl.default if decl.type in (str, list) else True


def test_a_declared_choice_reaches_the_cell():
    line = Param("g", str, "a", "pick one", ("a", "b")).cell_line()
    assert line == 'g: str = "a"  # pick one {a, b}'


# --------------------------------------------------------------------------- params.yaml


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "params.yaml"
    p.write_text(text)
    return p


NBS = ["01_alpha", "02_beta"]


def test_load_param_sets(tmp_path):
    p = write(
        tmp_path,
        """
defaults: {annotate_min: 10}
sets:
  default:
    01_alpha: {granularity: month}
  briefing-2025:
    all: {start: "2025-01-01", end: 2025-12-31}
""",
    )
    sets = load_param_sets(p, NBS)
    assert sets.set_names == ["default", "briefing-2025"]
    assert sets.values_for("default", "01_alpha", ["annotate_min", "granularity"]) == {
        "annotate_min": 10,
        "granularity": "month",
    }
    # defaults/all only reach notebooks that declare the parameter
    assert sets.values_for("briefing-2025", "02_beta", ["start"]) == {"start": "2025-01-01"}


def test_missing_file_means_default_only(tmp_path):
    sets = load_param_sets(tmp_path / "nope.yaml", NBS)
    assert sets.set_names == ["default"]
    assert sets.values_for("default", "01_alpha", ["x"]) == {}


@pytest.mark.parametrize(
    "text, key, fragment",
    [
        ("sets:\n  default:\n    01_alpa: {}\n", "sets.default.01_alpa", "did you mean '01_alpha'"),
        ("sets:\n  adhoc: {}\n", "sets.adhoc", "reserved"),
        ("sets:\n  'a b': {}\n", "sets.a b", "lower-case letters, digits and dashes"),
        ("sets:\n  durations.json: {}\n", "sets.durations.json", "cannot name a parameter set"),
        ("sets:\n  cache: {}\n", "sets.cache", "reserved"),
        ("sets: [1, 2]\n", "sets", "expected a mapping"),
        ("set: {}\n", "set", "unknown top-level key"),
        ("notebooks:\n  01_alpha: {reads: [events]}\n", "notebooks", "unknown top-level key"),
        ("a: &a [1]\nb: *a\n", "", "aliases"),
        ("sets: {x: [\n", "", "not valid YAML at line"),
        ("sets:\n  x:\n    all: 3\n", "sets.x.all", "expected a mapping"),
    ],
)
def test_params_file_errors(tmp_path, text, key, fragment):
    p = write(tmp_path, text)
    with pytest.raises(ParamsFileError) as exc:
        load_param_sets(p, NBS)
    assert exc.value.key == key
    assert str(p) in str(exc.value)
    assert fragment in str(exc.value)


def test_unknown_set(tmp_path):
    sets = load_param_sets(write(tmp_path, "sets:\n  briefing-2025: {}\n"), NBS)
    with pytest.raises(ParamsFileError, match="did you mean 'briefing-2025'"):
        sets.values_for("briefing-2024", "01_alpha", [])
