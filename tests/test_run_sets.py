"""Parameter files read like data files, ``-p`` values with a depth limit, parameter sets, and
the line naming a parameters cell JupyterLab saved with an edit (belthaw.run.sets)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from belthaw import cli
from belthaw.errors import ParameterError
from belthaw.run.sets import (
    MAX_DEPTH,
    MAX_YAML_BYTES,
    ParamsFileError,
    bracket_depth,
    cell_hint,
    load_param_sets,
    parameters_cell,
    read_yaml,
)
from runner_fixtures import DECLARED

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)  # fmt: skip


def _nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


BLOCK_DEEP = "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40 + "v\n"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[" * 200_000, "nested deeper than 16 levels"),  # PyYAML would take minutes
        ("a: " + "{b: " * 30 + "1" + "}" * 30, "nested deeper than 16 levels"),
        (BLOCK_DEEP, "nested deeper than 16 levels"),
        (BOMB, "aliases"),
        ("a: !!python/object:os.system x\n", "not valid YAML"),
        ("start: 2025-02-30\n", "line 1: 2025-02-30 is not a day of the calendar"),
        ("a: [1, 2\n", "not valid YAML at line 2"),
        ("x" * (MAX_YAML_BYTES + 1), "larger than 256 KiB"),
    ],
)
def test_a_bad_parameter_file_is_refused_in_one_short_line(tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ParamsFileError) as exc:
        read_yaml(path)
    message = str(exc.value)
    assert expected in message and message.startswith(str(path))
    assert "\n" not in message and len(message) < 300


def test_non_utf8_and_missing_files(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("start: café\n".encode("latin-1"))
    with pytest.raises(ParamsFileError, match="not UTF-8 text; save it as UTF-8"):
        read_yaml(bad)
    with pytest.raises(ParamsFileError, match="file not found"):
        read_yaml(tmp_path / "nope.yaml")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_only_regular_files_are_read(tmp_path, kind):
    path = tmp_path / "p.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # reading it would block for ever
    elif kind == "device":
        path.symlink_to("/dev/zero")  # reading it would never end
    else:
        path.mkdir()
    with pytest.raises(ParamsFileError, match="not a regular file"):
        read_yaml(path)


@pytest.mark.parametrize(
    "text,value",
    [
        ("a: 1\n", {"a": 1}),
        ("start: 2025-01-01\n", {"start": __import__("datetime").date(2025, 1, 1)}),
        ("\ufeffformats: [png, svg]\n", {"formats": ["png", "svg"]}),  # a BOM from Windows
        ("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), {"a": _nested(MAX_DEPTH - 1)}),
        ("", None),
    ],
)
def test_good_parameter_files_are_read(tmp_path, text, value):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_yaml(path) == value


@pytest.mark.parametrize(
    "text,depth", [("", 0), ("a,b", 0), ("[a, b]", 1), ('["x", ["y"]]', 2), ("]]][[", 2)]
)
def test_bracket_depth(text, depth):
    assert bracket_depth(text) == depth


@pytest.mark.parametrize("value", ["[" * 1_000_000, "[" * 17 + "]" * 17, "{[" * 9])
def test_a_deeply_nested_p_value_is_refused_before_any_parsing(value, monkeypatch):
    import yaml

    def no_parsing(*a, **k):
        raise AssertionError("a -p value this deep must be refused on its raw text")

    monkeypatch.setattr(yaml, "safe_load", no_parsing)
    monkeypatch.setattr(yaml, "scan", no_parsing)
    args = argparse.Namespace(yaml=[], parameter=[["formats", value]])
    with pytest.raises(ParameterError, match="nested deeper than 16 levels") as exc:
        cli.overrides(args)
    assert len(str(exc.value)) < 200


def test_p_values_after_yaml_values(tmp_path):
    y = tmp_path / "o.yaml"
    y.write_text("granularity: month\nformats: [png]\n")
    args = argparse.Namespace(yaml=[str(y)], parameter=[["granularity", "quarter"]])
    assert cli.overrides(args) == {"granularity": "quarter", "formats": ["png"]}
    y.write_text("- a\n- b\n")
    with pytest.raises(ParamsFileError, match="expected a mapping"):
        cli.overrides(args)


def test_an_unknown_set_lists_the_known_ones(tmp_path):
    p = tmp_path / "params.yaml"
    p.write_text("sets:\n  briefing-2025: {}\n  since-july-2024: {}\n")
    sets = load_param_sets(p, ["01_alpha"])
    with pytest.raises(ParamsFileError) as exc:
        sets.check("briefing-2024")
    assert "did you mean 'briefing-2025'" in str(exc.value)
    assert "known sets: default, briefing-2025, since-july-2024" in str(exc.value)
    sets.check("default")  # always a set


SPECS = {p.name: p for p in DECLARED["01_alpha"]}
DECLARED_CELL = "\n".join(p.cell_line() for p in SPECS.values())
LABEL = "notebooks/01_alpha.ipynb"


@pytest.mark.parametrize(
    "cell,expected",
    [
        (DECLARED_CELL, None),
        (
            DECLARED_CELL.replace('"event"', '"month"'),
            'your parameters cell says granularity = "month"; belthaw run uses the set\'s values — '
            f"pass -p granularity month to use yours, or `git checkout {LABEL}` to restore the cell",
        ),
        (
            DECLARED_CELL.replace("= 50", "= 5")
            .replace('["png", "svg"]', '["pdf"]')
            .replace("= True", "= False"),
            'annotate_min = 5, include_released_home = false, formats = ["pdf"]; belthaw run uses '
            "the set's values — pass -p annotate_min 5 -p include_released_home false "
            "-p formats '[\"pdf\"]' to use yours",
        ),  # fmt: skip
        (
            DECLARED_CELL.replace('"2024-07-01"', '"2025-01-01 "'),
            "-p start '2025-01-01 '",
        ),
        (DECLARED_CELL + "\n# my note", "its parameters cell differs from the declaration"),
        ("start: str = (", "its parameters cell differs from the declaration"),
        (None, "has no parameters cell"),
    ],
)
def test_cell_hint_names_the_edit_and_the_fix(cell, expected):
    hint = cell_hint(LABEL, cell, SPECS)
    if expected is None:
        assert hint is None
        return
    assert hint.startswith(f"{LABEL}: ") and expected in hint and "\n" not in hint
    assert f"`git checkout {LABEL}`" in hint


def test_cell_hint_on_the_shipped_fixtures_is_silent():
    for path in sorted(Path(__file__).parent.joinpath("fixtures", "notebooks").glob("*.ipynb")):
        specs = {p.name: p for p in DECLARED[path.stem]}
        assert cell_hint(path.name, parameters_cell(path), specs) is None, path.name
