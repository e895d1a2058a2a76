"""belthaw.data.descriptor: datapackage.json is read and checked for what the code relies on.

Each case changes the mini package's descriptor one way; the report names
datapackage.json, the line of the resource or field at fault and what to write instead.
"""

from __future__ import annotations

import json
import os

import pytest

from belthaw.data import load, validate
from belthaw.data.descriptor import line_of
from belthaw.errors import DataError
from minidata import write


def res(pkg: dict, name: str) -> dict:
    return next(r for r in pkg["resources"] if r["name"] == name)


def spec(pkg: dict, table: str, column: str) -> dict:
    return next(f for f in res(pkg, table)["schema"]["fields"] if f["name"] == column)


def drop_field(pkg: dict, table: str, column: str) -> None:
    fields = res(pkg, table)["schema"]["fields"]
    fields.remove(spec(pkg, table, column))


# (case, change to the descriptor, names locating the line (or None: no line), words)
CASES = [
    ("unknown type", lambda p: spec(p, "totals", "value").update(type="bigint"), ("totals", "value"), "resource 'totals', field 'value', type: \"bigint\" is not supported"),
    ("enum as text", lambda p: spec(p, "events", "kind")["constraints"].update(enum="release"), ("events", "kind"), "constraints.enum: is \"release\"; expected a list of texts"),
    ("minimum as text", lambda p: spec(p, "events", "count")["constraints"].update(minimum="0"), ("events", "count"), 'constraints.minimum: is "0"; expected a number'),
    ("required as text", lambda p: spec(p, "events", "title")["constraints"].update(required="yes"), ("events", "title"), "constraints.required: is \"yes\"; expected true or false"),
    ("minimum on text", lambda p: spec(p, "events", "title")["constraints"].update(minimum=1), ("events", "title"), "must be a finite number, on a number field"),
    ("minimum infinite", lambda p: spec(p, "events", "count")["constraints"].update(minimum=float("-inf")), ("events", "count"), "constraints.minimum: must be a finite number"),
    ("maximum beyond any count", lambda p: spec(p, "events", "count")["constraints"].update(maximum=10**400), ("events", "count"), "constraints.maximum: must be a finite number"),
    ("unknown constraint", lambda p: spec(p, "events", "title")["constraints"].update(format="x"), ("events", "title"), "constraints.format: is not supported"),
    ("invalid pattern", lambda p: spec(p, "sources", "source_id")["constraints"].update(pattern="^[a-z"), ("sources", "source_id"), "'^[a-z' is not a valid regular expression"),
    ("field twice", lambda p: res(p, "totals")["schema"]["fields"].append({"name": "notes"}), ("totals", "notes"), "field 'notes': declared twice"),
    ("column the code reads", lambda p: drop_field(p, "events", "count"), ("events",), "resource 'events', schema: needs field 'count' of type integer"),
    ("retyped column", lambda p: spec(p, "events", "count").update(type="number"), ("events",), "needs field 'count' of type integer"),
    ("optional column retyped", lambda p: spec(p, "events", "n_pardoned").update(type="string"), ("events", "n_pardoned"), "field 'n_pardoned': must have type integer, not string"),
    ("no schema", lambda p: res(p, "events").pop("schema"), ("events",), "resource 'events', schema: must be an object"),
    ("resource without name", lambda p: res(p, "exchanges").pop("name"), None, 'resources[3]: has no "name"'),
    ("table missing", lambda p: p["resources"].remove(res(p, "people")), None, "has no resource named 'people'; the workbook needs it"),
    ("name twice", lambda p: res(p, "totals").update(name="claims"), ("claims",), "resource 'claims': the name is used twice"),
    ("absolute path", lambda p: res(p, "people").update(path="/etc/hostname"), ("people",), "path: '/etc/hostname' is an absolute path"),
    ("path with ..", lambda p: res(p, "people").update(path="../people.csv"), ("people",), "path: '../people.csv' goes outside the data folder"),
    ("remote path", lambda p: res(p, "people").update(path="https://example.org/p.csv"), ("people",), "must be a plain relative file name"),
    ("path not text", lambda p: res(p, "people").update(path=3), ("people",), 'path: must be a file name (text), e.g. "events.csv"'),
    ("foreign key to nothing", lambda p: res(p, "claims")["schema"]["foreignKeys"][0]["reference"].update(resource="happenings"), ("claims",), "schema.foreignKeys[0]: must name one field of this resource and a resource"),
    ("primary key of nothing", lambda p: res(p, "totals")["schema"].update(primaryKey=["nope"]), ("totals",), 'schema.primaryKey: ["nope"] must name fields'),
    ("top level a list", lambda p: p.clear(), None, 'top level: must be a JSON object with a "resources" list'),
]  # fmt: skip


@pytest.mark.parametrize(("change", "names", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_descriptor_problem_is_located(tmp_path, change, names, words):
    d = write(tmp_path)
    pkg = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    change(pkg)
    text = json.dumps(pkg if pkg else [1, 2], indent=2)
    (d / "datapackage.json").write_text(text, encoding="utf-8")
    report = validate(d)
    assert not report.ok and not report.rows  # no table is read from a broken descriptor
    line = line_of(text, *names) if names else None
    if names:
        assert line is not None  # the names are really in the text
    hits = [p for p in report.errors if p.file == "datapackage.json" and p.line == line]
    assert any(words in p.message for p in hits), str(report)


def test_line_of_follows_the_names_in_order():
    text = '{\n "resources": [\n  {"name": "a",\n   "fields": [\n    {"name": "x"}]},\n  {"name": "b",\n   "fields": [{"name": "x"}]}]}'  # fmt: skip
    assert line_of(text, "a", "x") == 5
    assert line_of(text, "b", "x") == 7
    assert line_of(text, "nope") is None


@pytest.mark.parametrize(
    ("blob", "line", "words"),
    [
        (b'{\n  "resources"\n  []\n}', 3, "is not valid JSON: Expecting ':' delimiter (column 3)"),
        (b"[" * 100_000 + b"]" * 100_000, 1, "is nested too deeply"),
        (b'{"title": "caf\xe9"}', 1, "is not UTF-8"),
    ],
    ids=["syntax", "deep", "encoding"],
)
def test_a_descriptor_that_is_not_json_is_named_in_one_line(tmp_path, blob, line, words):
    d = write(tmp_path)
    (d / "datapackage.json").write_bytes(blob)
    [p] = validate(d).errors
    assert (p.file, p.line) == ("datapackage.json", line) and words in p.message
    with pytest.raises(DataError, match="datapackage.json"):
        load(d)


def test_a_missing_descriptor_is_named(tmp_path):
    d = write(tmp_path)
    (d / "datapackage.json").unlink()
    [p] = validate(d).errors
    assert p.file == "datapackage.json" and p.message.startswith("not found in")


def test_a_symlink_leaving_the_folder_is_refused(tmp_path):
    d = write(tmp_path)
    (d / "people.csv").unlink()
    os.symlink("/dev/zero", d / "people.csv")
    assert "'people.csv' leads outside the data folder" in str(validate(d))


def test_new_columns_and_enum_values_need_no_code(tmp_path):
    """What another audit adds to the schema (a column, an enum value) just works."""
    d = write(tmp_path)
    pkg = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    res(pkg, "sources")["schema"]["fields"].append(
        {"name": "medium", "type": "string", "constraints": {"enum": ["web", "print"]}}
    )
    spec(pkg, "claims", "field")["constraints"]["enum"].append("stock_estimate")
    (d / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    sources = (d / "sources.csv").read_text(encoding="utf-8").splitlines()
    sources = [sources[0] + ",medium"] + [r + (",web" if i % 2 else ",") for i, r in enumerate(sources[1:])]  # fmt: skip
    (d / "sources.csv").write_text("\n".join(sources) + "\n", encoding="utf-8")
    claims = (d / "claims.csv").read_text(encoding="utf-8").replace("count,more than 50", "stock_estimate,more than 50")  # fmt: skip
    (d / "claims.csv").write_text(claims, encoding="utf-8")
    report = validate(d)
    assert report.ok, str(report)
    data = load(d)
    assert list(data.sources["medium"].cat.categories) == ["web", "print"]
    assert data.sources["medium"].isna().iloc[0] and data.sources["medium"].iloc[1] == "web"
    assert "stock_estimate" in set(data.claims["field"].astype(str))
