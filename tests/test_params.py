"""Parameter specs, coercion and checks (belthaw.params)."""

from __future__ import annotations

from pathlib import Path

import pytest

from belthaw.errors import ParameterError
from belthaw.params import (
    ParamsFileError,
    ParamSpec,
    coerce_and_check,
    load_param_sets,
    notebook_params,
)

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def specs() -> dict[str, ParamSpec]:
    return notebook_params(FIXTURES / "01_alpha.ipynb")


def test_specs_read_with_papermill_parser(specs):
    assert list(specs) == [
        "start",
        "end",
        "granularity",
        "annotate_min",
        "include_released_home",
        "formats",
        "output_set",
    ]
    assert specs["start"] == ParamSpec(
        "start", "str", "2024-07-01", "first day shown (ISO date)", None, True, "str"
    )
    assert specs["granularity"].choices == ("event", "month", "quarter")
    assert specs["annotate_min"].type == "int" and specs["annotate_min"].default == 50
    assert specs["include_released_home"].default is True
    assert specs["formats"].type == "list" and specs["formats"].default == ["png", "svg"]
    assert specs["formats"].choices == ("png", "svg", "pdf")
    assert not specs["output_set"].is_date


def test_notebook_without_parameters_cell(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nbformat.write(nb, tmp_path / "09_x.ipynb")
    assert notebook_params(tmp_path / "09_x.ipynb") == {}


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("n = 3  # no type", "not supported"),
        ("d: dict = {}  # a dict", "not supported"),
        ("n: int = foo()  # not a literal", "not a Python literal"),
        ('granularity: str = "weekly"  # bucket {event, month}', "not allowed"),
    ],
)
def test_bad_parameters_cell(tmp_path, line, fragment):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(line, metadata={"tags": ["parameters"]})])
    nbformat.write(nb, tmp_path / "09_bad.ipynb")
    with pytest.raises(ParameterError, match=fragment) as exc:
        notebook_params(tmp_path / "09_bad.ipynb")
    assert "09_bad" in str(exc.value)


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("annotate_min", "25", 25),
        ("annotate_min", 25, 25),
        ("annotate_min", " 7 ", 7),
        ("include_released_home", "false", False),
        ("include_released_home", "No", False),
        ("include_released_home", "yes", True),
        ("include_released_home", "1", True),
        ("include_released_home", "0", False),
        ("include_released_home", False, False),
        ("formats", "png,pdf", ["png", "pdf"]),
        ("formats", "png, pdf ,", ["png", "pdf"]),
        ("formats", '["svg"]', ["svg"]),
        ("formats", "[svg, pdf]", ["svg", "pdf"]),
        ("formats", ["pdf"], ["pdf"]),
        ("formats", "", []),
        ("granularity", "month", "month"),
        ("start", "2025-01-01", "2025-01-01"),
        ("start", __import__("datetime").date(2025, 1, 1), "2025-01-01"),  # unquoted YAML
    ],
)
def test_coercion(specs, name, value, expected):
    out = coerce_and_check("01_alpha", specs, {name: value})
    assert out[name] == expected
    assert type(out[name]) is type(expected)
    assert set(out) == set(specs)  # defaults filled in


def test_strings_are_not_guessed(specs):
    """A str parameter keeps '50' a string; papermill's -p would have made it an int."""
    s = {"label": ParamSpec("label", "str", "x")}
    assert coerce_and_check("nb", s, {"label": "50"}) == {"label": "50"}
    f = {"scale": ParamSpec("scale", "float", 1.0)}
    assert coerce_and_check("nb", f, {"scale": "2"}) == {"scale": 2.0}


@pytest.mark.parametrize(
    "values, parameter, fragment",
    [
        ({"granularty": "month"}, "granularty", "did you mean 'granularity'"),
        ({"colour": "red"}, "colour", "known: start, end, granularity"),
        ({"annotate_min": "lots"}, "annotate_min", "expected an integer, got 'lots'"),
        ({"annotate_min": True}, "annotate_min", "expected an integer"),
        ({"annotate_min": 2.5}, "annotate_min", "expected an integer"),
        ({"include_released_home": "maybe"}, "include_released_home", "expected true/false"),
        ({"granularity": "weekly"}, "granularity", "choose one of event, month, quarter"),
        ({"granularity": "mont"}, "granularity", "did you mean 'month'"),
        ({"granularity": 3}, "granularity", "expected a string"),
        ({"formats": "png,gif"}, "formats", "'gif' not allowed; choose from png, svg, pdf"),
        ({"formats": 3}, "formats", "expected a list"),
        ({"start": "2025-13-01"}, "start", "not a valid date"),
        ({"start": "01.02.2025"}, "start", "expected an ISO date YYYY-MM-DD"),
        ({"end": "2025-2-1"}, "end", "expected an ISO date"),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "end", "end 2025-01-01 is before start"),
        ({"start": "2027-01-01"}, "end", "is before start 2027-01-01"),  # against the default
    ],
)
def test_errors(specs, values, parameter, fragment):
    with pytest.raises(ParameterError) as exc:
        coerce_and_check("01_alpha", specs, values)
    err = exc.value
    assert err.notebook == "01_alpha"
    assert err.parameter == parameter
    assert fragment in str(err)
    assert str(err).startswith("01_alpha: parameter")


def test_several_errors_at_once(specs):
    with pytest.raises(ParameterError) as exc:
        coerce_and_check(
            "01_alpha",
            specs,
            {"granularty": "x", "annotate_min": "many", "formats": "gif", "start": "2025-02-30"},
        )
    msg = str(exc.value)
    assert msg.startswith("01_alpha: 4 parameter problems:")
    for frag in ("'granularty'", "'annotate_min'", "'formats'", "'start'"):
        assert frag in msg
    assert {p for p, _ in exc.value.problems} == {"granularty", "annotate_min", "formats", "start"}


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
notebooks:
  01_alpha: {reads: [events, claims]}
""",
    )
    sets = load_param_sets(p, NBS, ["events", "claims"])
    assert sets.set_names == ["default", "briefing-2025"]
    assert sets.reads == {"01_alpha": ["events", "claims"]}
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
        ("sets:\n  'a b': {}\n", "sets.a b", "folder names"),
        ("sets: [1, 2]\n", "sets", "expected a mapping"),
        ("set: {}\n", "set", "unknown top-level key"),
        ("notebooks:\n  01_alpha: {reads: [evnts]}\n", "notebooks.01_alpha.reads", "'events'"),
        ("notebooks:\n  09_x: {reads: []}\n", "notebooks.09_x", "no notebook named"),
        ("sets:\n  x:\n    all: 3\n", "sets.x.all", "expected a mapping"),
    ],
)
def test_params_file_errors(tmp_path, text, key, fragment):
    p = write(tmp_path, text)
    with pytest.raises(ParamsFileError) as exc:
        load_param_sets(p, NBS, ["events", "claims"])
    assert exc.value.key == key
    assert str(p) in str(exc.value)
    assert fragment in str(exc.value)


def test_unknown_set(tmp_path):
    sets = load_param_sets(write(tmp_path, "sets:\n  briefing-2025: {}\n"), NBS)
    with pytest.raises(ParamsFileError, match="did you mean 'briefing-2025'"):
        sets.values_for("briefing-2024", "01_alpha", [])


@pytest.mark.parametrize(
    "notebook",
    sorted(p.name for p in (Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
    + sorted(p.name for p in (Path(__file__).parent / "fixtures" / "notebooks").glob("*.ipynb")),
)
def test_our_parameter_parser_agrees_with_papermills(notebook):
    """The kernels parse their parameters without importing papermill; stay in step with it."""
    from papermill.translators import PythonTranslator

    from belthaw.params import _parameters_cell_source, inspect_parameters

    root = Path(__file__).parents[1]
    path = next(
        p
        for p in [root / "notebooks" / notebook, root / "tests/fixtures/notebooks" / notebook]
        if p.exists()
    )
    source = _parameters_cell_source(path) or ""
    theirs = [tuple(p) for p in PythonTranslator.inspect({"source": source})]
    ours = [(p.name, p.inferred_type_name, p.default, p.help) for p in inspect_parameters(source)]
    assert ours == theirs
