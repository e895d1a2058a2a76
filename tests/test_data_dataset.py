"""belthaw.data.dataset: ``load`` gives the typed Dataset of docs/architecture.md."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from belthaw.data import Dataset, load
from belthaw.errors import DataError
from minidata import TABLES, edit, write

DTYPES = [
    ("events", "date", "datetime64"),
    ("events", "date_end", "datetime64"),
    ("events", "count", "Int64"),
    ("events", "kind", "category"),
    ("events", "title", "str"),
    ("claims", "value", "str"),
    ("claims", "value_num", "float64"),
    ("totals", "since", "datetime64"),
    ("totals", "value", "Int64"),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load(write(tmp_path_factory.mktemp("mini")))


@pytest.mark.parametrize(("table", "column", "dtype"), DTYPES)
def test_columns_have_the_contract_dtypes(data, table, column, dtype):
    assert str(data.table(table)[column].dtype).startswith(dtype)


def test_every_schema_column_in_schema_order_and_rows_in_file_order(data, tmp_path):
    pkg = json.loads((data.data_dir / "datapackage.json").read_text(encoding="utf-8"))
    for res in pkg["resources"]:
        frame = data.table(res["name"])
        assert list(frame.columns) == [f["name"] for f in res["schema"]["fields"]]
        assert isinstance(frame.index, pd.RangeIndex)
    assert data.events["event_id"].iloc[-1] == "ev-20251230-pardon"


def test_empty_cells_are_empty_text_or_missing(data):
    ev = data.events
    assert ev.loc[0, "notes"] == "" and pd.isna(ev.loc[0, "count"]) and pd.isna(ev.loc[0, "date_end"])  # fmt: skip
    assert list(ev["kind"].cat.categories)[:2] == ["release", "sanctions_relief"]  # schema order


def test_metadata(data):
    assert data.as_of == pd.Timestamp("2025-12-30")
    semver, digest = data.version.split("+")
    assert semver == json.loads((data.data_dir / "datapackage.json").read_text())["version"]
    assert len(digest) == 12 and int(digest, 16) >= 0
    assert isinstance(data, Dataset) and data.warnings == ()


def test_as_of_counts_the_end_of_a_range(tmp_path):
    d = write(tmp_path, **edit("events", "2025-12-12,2025-12-13,range", "2025-12-12,2026-01-05,range"))  # fmt: skip
    assert load(d).as_of == pd.Timestamp("2026-01-05")


@pytest.mark.parametrize("name", ["people.csv", "claims.csv", "CHANGELOG.md", "datapackage.json"])
def test_editing_any_file_of_the_folder_changes_the_version(tmp_path, name):
    d = write(tmp_path)
    (d / "CHANGELOG.md").write_text("# Changes\n", encoding="utf-8")
    before = load(d).version
    with open(d / name, "ab") as fh:
        fh.write(b"\n")
    assert load(d).version != before


def test_publishers_sorted_and_in_citation_order(data):
    assert data.publishers(["ap-1;seed-1", "ngo-1"]) == ["AP", "Example Analysis", "Viasna"]
    assert data.publishers_in_order(["seed-1;ap-1", "ap-1", "nope", "ngo-1"]) == ["Example Analysis", "AP", "Viasna"]  # fmt: skip
    assert data.publishers_in_order("ngo-1;ap-1") == ["Viasna", "AP"]


@pytest.mark.parametrize(
    ("origin", "credited"),
    [
        ("Reuters", "Reuters"),
        ("unknown", "Reuters"),
        ("AP", "AP"),
    ],  # origin first, then the copy's original
)
def test_a_copy_is_credited_to_its_origin_and_aggregators_come_last(tmp_path, origin, credited):
    replace = edit(
        "sources", "news,en,dossier,original,,", "news,en,dossier,republication,Reuters,"
    )
    replace["sources"] = replace["sources"].replace("ap-1,AP,AP,", f"ap-1,AP,{origin},")
    replace["sources"] = replace["sources"].replace("ngo,en,dossier,original", "ngo,en,dossier,aggregator")  # fmt: skip
    data = load(write(tmp_path, **replace), check=False)
    assert data.publishers_in_order(["ngo-1;ap-1;seed-1"]) == [credited, "Example Analysis", "Viasna"]  # fmt: skip


def test_load_raises_every_error_and_keeps_warnings(tmp_path, monkeypatch):
    bad = write(tmp_path / "bad", **edit("events", "2025-11-04,,day", "2025-11-31,,day"))
    with pytest.raises(DataError) as err:
        load(bad)
    assert "events.csv, line 5, column 'date'" in str(err.value)
    monkeypatch.setenv("BELTHAW_TODAY", "2025-12-29")
    data = load(write(tmp_path / "ok"))
    assert [(p.line, p.column) for p in data.warnings] == [(7, "date")]


def test_check_false_skips_the_cross_table_rules_only(tmp_path):
    d = write(tmp_path, **edit("claims", "cl-3,ev-20251230-pardon", "cl-3,ev-20991230-ghost"))
    with pytest.raises(DataError):
        load(d)
    assert load(d, check=False).claims["event_id"].iloc[2] == "ev-20991230-ghost"
    broken = write(tmp_path / "b", **edit("events", "2025-11-04,,day", "2025-11-31,,day"))
    with pytest.raises(DataError):  # cell errors always stop loading
        load(broken, check=False)


def test_ignored_rows_leave_a_plain_index(tmp_path):
    data = load(write(tmp_path, totals=TABLES["totals"].replace("\n", "\n,,,,,,,,,\n", 1)))
    assert isinstance(data.totals.index, pd.RangeIndex) and len(data.totals) == 1
