"""Bad data never gets a traceback, a hang or a silently changed number.

Each case breaks a copy of the shipped ``data/`` one way and states the exact place the
report must name (file, line, column) and the words that say what was expected. A
representative subset runs ``belthaw validate`` as a user types it; the rest call
``validate()``. Cases that must be *accepted* (a BOM, spaces around a header, Excel's
line endings) are checked to load with the right values.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from belthaw import paths
from belthaw.data import load, validate
from belthaw.data.problems import MAX_ROWS_PER_CHECK
from belthaw.data.read import INT_CEILING, MAX_FILE_BYTES
from belthaw.errors import DataError

SHIPPED = paths.ROOT / "data"
BELTHAW = Path(sys.executable).parent / "belthaw"


# ----------------------------------------------------------------------------- helpers


def fresh(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(SHIPPED, d)
    return d


def read_rows(d: Path, table: str) -> list[list[str]]:
    text = (d / f"{table}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    # the line arithmetic below (data row i is on line i + 2) needs one line per row
    assert len(rows) == len(text.splitlines()), f"{table}.csv has a cell spanning lines"
    return rows


def write_rows(d: Path, table: str, rows: list[list[str]], **kw) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", **kw).writerows(rows)
    (d / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8")


def set_cell(d: Path, table: str, column: str, value: str, where=None) -> int:
    """Put ``value`` in ``column`` of the first row matching ``where``; return its line."""
    rows = read_rows(d, table)
    c = rows[0].index(column)
    i = next(
        k
        for k in range(1, len(rows))
        if where is None or where(dict(zip(rows[0], rows[k], strict=True)))
    )
    rows[i][c] = value
    write_rows(d, table, rows)
    return i + 1


def first_release(r: dict) -> bool:
    return r["kind"] == "release" and r["count"] != ""


def edit_package(d: Path, fn: Callable[[dict], object]) -> str:
    """Change the descriptor in place with ``fn``; return the new text."""
    pkg = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    fn(pkg)
    text = json.dumps(pkg, indent=2, ensure_ascii=False)
    (d / "datapackage.json").write_text(text, encoding="utf-8")
    return text


def field_spec(pkg: dict, table: str, column: str) -> dict:
    res = next(r for r in pkg["resources"] if r["name"] == table)
    return next(f for f in res["schema"]["fields"] if f["name"] == column)


def line_of(text: str, needle: str, after: str | None = None) -> int:
    start = text.index(after) if after else 0
    return text.count("\n", 0, text.index(needle, start)) + 1


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BELTHAW), *args], capture_output=True, text=True, timeout=120, check=False
    )


# ---------------------------------------------------------------------- the case table
# Each case: mutate a fresh copy, return the text the report must contain (it starts
# with "file, line N, column 'c'" so the location is asserted exactly).


def bulk_dates(d):
    rows = read_rows(d, "events")
    c = rows[0].index("date")
    for r in rows[1:]:
        r[c] = "11/09/2025"  # a date column re-saved as DD/MM/YYYY
    write_rows(d, "events", rows)
    more = len(rows) - 1 - MAX_ROWS_PER_CHECK
    first = MAX_ROWS_PER_CHECK + 2
    return (
        f"events.csv, line {first}, column 'date': ... and the same problem on {more} more "
        f"rows (from line {first} on"
    )


def bulk_recased(d):
    rows = read_rows(d, "people")
    c = rows[0].index("outcome")
    for r in rows[1:]:
        r[c] = r[c].upper()  # a choice column re-cased
    write_rows(d, "people", rows)
    return f"people.csv, line {MAX_ROWS_PER_CHECK + 2}, column 'outcome': ... and the same problem"


def arabic_digits(d):
    line = set_cell(d, "events", "count", "٥٢", first_release)
    return f"events.csv, line {line}, column 'count': '٥٢' uses digits other than 0-9"


def over_ceiling(d):
    line = set_cell(d, "events", "count", str(5 * 10**18), first_release)
    return f"events.csv, line {line}, column 'count': {5 * 10**18} is too large"


def beyond_64_bits(d):
    line = set_cell(d, "totals", "value", "123456789012345678901234567890")
    return f"totals.csv, line {line}, column 'value': 123456789012345678901234567890 is too large"


def schema_maximum(d):
    edit_package(
        d, lambda p: field_spec(p, "events", "count")["constraints"].update(maximum=1000000)
    )
    line = set_cell(d, "events", "count", "2000000", first_release)
    return f"events.csv, line {line}, column 'count': 2000000 is above the maximum 1000000"


def missing_last_field(d):
    rows = read_rows(d, "events")
    rows[3] = rows[3][:-1]
    write_rows(d, "events", rows)
    n = len(rows[0])
    return f"events.csv, line 4: row has {n - 1} cells but the header has {n}: a cell is missing"


def too_many_fields(d):
    rows = read_rows(d, "claims")
    rows[5].append("extra")
    write_rows(d, "claims", rows)
    n = len(rows[0])
    return f"claims.csv, line 6: row has {n + 1} cells but the header has {n}"


def value_num(text):
    def case(d):
        line = set_cell(d, "claims", "value_num", text, lambda r: r["value_num"] != "")
        said = "1e400 is too large" if text == "1e400" else f"{text!r} is not a number"
        return f"claims.csv, line {line}, column 'value_num': {said}"

    return case


def blank_line_before_error(d):
    text = (d / "totals.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    text.insert(2, "\n")  # a blank line after the first data row
    rows = list(csv.reader(text))
    c = rows[0].index("value")
    line = 5  # the third data row: physical line 5 because of the blank line
    fields = list(csv.reader([text[line - 1]]))[0]
    fields[c] = "many"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    text[line - 1] = buf.getvalue()
    (d / "totals.csv").write_text("".join(text), encoding="utf-8")
    return f"totals.csv, line {line}, column 'value': 'many' is not a whole number"


def semicolons(d):
    write_rows(d, "claims", read_rows(d, "claims"), delimiter=";")
    return "claims.csv, line 1: this file uses ';' as separator; save it as CSV with commas"


def unbalanced_quote(d):
    lines = (d / "totals.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i in range(1, len(lines)) if '"' not in lines[i])
    header = lines[0].rstrip("\n").split(",")
    cells = lines[k].split(",")
    cells[header.index("wording")] = '"' + cells[header.index("wording")]
    lines[k] = ",".join(cells)
    (d / "totals.csv").write_text("".join(lines), encoding="utf-8")
    return f"totals.csv, line {k + 1}, column 'wording':"


def windows_1252(d):
    text = (d / "totals.csv").read_text(encoding="utf-8")
    assert text.isascii()
    first = text.splitlines()[1]
    text = text.replace(first, first.replace(",", ",Zürich ", 1), 1)
    (d / "totals.csv").write_bytes(text.encode("cp1252"))
    return "totals.csv, line 2: is not UTF-8: byte 0xfc (probably 'ü' in Windows-1252"


def utf16(d):
    text = (d / "totals.csv").read_text(encoding="utf-8")
    (d / "totals.csv").write_bytes(text.encode("utf-16"))
    return "totals.csv, line 1: is saved as UTF-16"


def xlsx(d):
    (d / "totals.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    return "totals.csv, line 1: is an Excel workbook, not a CSV file"


def nul_byte(d):
    text = (d / "totals.csv").read_bytes().split(b"\n")
    text[3] = text[3] + b"\x00"
    (d / "totals.csv").write_bytes(b"\n".join(text))
    return "totals.csv, line 4: contains a NUL byte"


def duplicate_header(d):
    rows = read_rows(d, "totals")
    rows[0][rows[0].index("notes")] = "wording"
    write_rows(d, "totals", rows)
    return "totals.csv, line 1, column 'wording': column appears twice in the header"


def old_mac_endings(d):
    b = (d / "totals.csv").read_bytes()
    (d / "totals.csv").write_bytes(b.replace(b"\n", b"\r"))
    return "totals.csv, line 1: has old Mac line endings"


def missing_file(d):
    (d / "exchanges.csv").unlink()
    return "exchanges.csv: not found in"


# datapackage.json cases: the expected line is where the broken value is written.


def descriptor_array(d):
    (d / "datapackage.json").write_text("[1, 2]\n", encoding="utf-8")
    return "datapackage.json, line 1: top level: must be a JSON object"


def descriptor_not_json(d):
    text = (d / "datapackage.json").read_text(encoding="utf-8")
    line = line_of(text, '"resources"')
    text = text.replace('"resources":', '"resources"', 1)
    (d / "datapackage.json").write_text(text, encoding="utf-8")
    return f"datapackage.json, line {line}: is not valid JSON: Expecting ':' delimiter"


def descriptor_deep(d):
    (d / "datapackage.json").write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    return "datapackage.json, line 1: is nested too deeply"


def resource_without_name(d):
    text = edit_package(d, lambda p: p["resources"][3].pop("name"))
    return f'datapackage.json, line {_res_line(text, 3)}: resources[3]: has no "name"'


def _res_line(text: str, i: int) -> int:
    """Line of the i-th resource object (json.dumps(indent=2) puts each at 4 spaces)."""
    lines = text.splitlines()
    first = next(n for n, ln in enumerate(lines) if ln.startswith('  "resources"'))
    starts = [n + 1 for n, ln in enumerate(lines) if n > first and ln == "    {"]
    return starts[i]


def resource_without_schema(d):
    text = edit_package(d, lambda p: p["resources"][1].pop("schema"))
    return (
        f"datapackage.json, line {_res_line(text, 1)}: resource 'events', schema: must be an object"
    )


def invalid_regex(d):
    text = edit_package(
        d, lambda p: field_spec(p, "sources", "source_id")["constraints"].update(pattern="^[a-z")
    )
    line = line_of(text, '"pattern": "^[a-z"')
    return (
        f"datapackage.json, line {line}: resource 'sources', field 'source_id', "
        "constraints.pattern: '^[a-z' is not a valid regular expression"
    )


def catastrophic_regex(d):
    text = edit_package(
        d, lambda p: field_spec(p, "sources", "publisher")["constraints"].update(pattern="^(a+)+$")
    )
    line = line_of(text, '"^(a+)+$"')
    return (
        f"datapackage.json, line {line}: resource 'sources', field 'publisher', "
        "constraints.pattern: '^(a+)+$' could take exponential time"
    )


def enum_as_string(d):
    text = edit_package(
        d, lambda p: field_spec(p, "events", "kind")["constraints"].update(enum="release")
    )
    line = line_of(text, '"enum": "release"')
    return (
        f"datapackage.json, line {line}: resource 'events', field 'kind', constraints.enum: "
        "is 'release' (text); expected a list of texts"
    )


def minimum_as_string(d):
    text = edit_package(
        d, lambda p: field_spec(p, "events", "count")["constraints"].update(minimum="0")
    )
    line = line_of(text, '"minimum": "0"')
    return (
        f"datapackage.json, line {line}: resource 'events', field 'count', constraints.minimum: "
        "is '0' (text); expected a number"
    )


def fk_unknown_resource(d):
    def fn(p):
        res = next(r for r in p["resources"] if r["name"] == "claims")
        res["schema"]["foreignKeys"][0]["reference"]["resource"] = "happenings"

    text = edit_package(d, fn)
    line = line_of(text, '"happenings"')
    return (
        f"datapackage.json, line {line}: resource 'claims', schema.foreignKeys[0].reference."
        "resource: 'happenings' is not a resource of this package"
    )


def unknown_type(d):
    text = edit_package(d, lambda p: field_spec(p, "totals", "value").update(type="bigint"))
    line = line_of(text, '"bigint"')
    return (
        f"datapackage.json, line {line}: resource 'totals', field 'value', type: 'bigint' is "
        "not supported"
    )


def path_setter(value: str, words: str):
    def case(d):
        def fn(p):
            next(r for r in p["resources"] if r["name"] == "people")["path"] = value

        text = edit_package(d, fn)
        line = line_of(text, json.dumps(value))
        return f"datapackage.json, line {line}: resource 'people', path: {words}"

    return case


def symlink_to_device(d):
    (d / "people.csv").unlink()
    os.symlink("/dev/zero", d / "people.csv")
    text = (d / "datapackage.json").read_text(encoding="utf-8")
    line = line_of(text, '"people.csv"')
    return f"datapackage.json, line {line}: resource 'people', path: 'people.csv' leads outside"


def fifo_in_folder(d):
    (d / "people.csv").unlink()
    os.mkfifo(d / "people.csv")  # opening it would block forever
    return "people.csv: is not a regular file"


def oversized(d):
    with open(d / "people.csv", "r+b") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    return f"people.csv: is {(MAX_FILE_BYTES + 1) / 2**20:.1f} MB; the limit is"


CASES: dict[str, Callable[[Path], str]] = {
    "bulk DD/MM/YYYY dates": bulk_dates,
    "bulk re-cased choices": bulk_recased,
    "Arabic-Indic digits": arabic_digits,
    "count above the ceiling": over_ceiling,
    "integer beyond 64 bits": beyond_64_bits,
    "schema maximum": schema_maximum,
    "row missing its last field": missing_last_field,
    "row with too many fields": too_many_fields,
    "value_num 1e400": value_num("1e400"),
    "value_num inf": value_num("inf"),
    "value_num nan": value_num("nan"),
    "error after a blank line": blank_line_before_error,
    "semicolon separator": semicolons,
    "unbalanced quote": unbalanced_quote,
    "Windows-1252": windows_1252,
    "UTF-16": utf16,
    "xlsx renamed": xlsx,
    "NUL byte": nul_byte,
    "duplicate header": duplicate_header,
    "old Mac line endings": old_mac_endings,
    "missing table": missing_file,
    "descriptor is an array": descriptor_array,
    "descriptor not JSON": descriptor_not_json,
    "descriptor nested too deeply": descriptor_deep,
    "resource without name": resource_without_name,
    "resource without schema": resource_without_schema,
    "invalid regex": invalid_regex,
    "catastrophic regex": catastrophic_regex,
    "enum as a string": enum_as_string,
    "minimum as a string": minimum_as_string,
    "foreign key to unknown resource": fk_unknown_resource,
    "unknown type": unknown_type,
    "absolute path": path_setter("/etc/hostname", "'/etc/hostname' is an absolute path"),
    "path with ..": path_setter("../people.csv", "'../people.csv' goes outside the data folder"),
    "remote path": path_setter(
        "https://example.org/p.csv", "'https://example.org/p.csv' must be a plain"
    ),
    "symlink to /dev/zero": symlink_to_device,
    "FIFO": fifo_in_folder,
    "file over the size limit": oversized,
}
#: Run through the console script, as a user or CI runs it.
CLI_CASES = {
    "bulk DD/MM/YYYY dates",
    "Arabic-Indic digits",
    "row missing its last field",
    "semicolon separator",
    "Windows-1252",
    "catastrophic regex",
    "absolute path",
    "FIFO",
    "descriptor is an array",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_located(tmp_path, name):
    d = fresh(tmp_path)
    expected = CASES[name](d)
    if name in CLI_CASES:
        proc = run_cli("validate", "--data-dir", str(d))
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, out
        assert "Traceback" not in out
        assert expected in out, out
    else:
        report = validate(d)
        assert not report.ok
        assert expected in str(report), str(report)
    with pytest.raises(DataError) as err:  # loading stops with the same located message
        load(d)
    assert expected.split(":")[0] in str(err.value)


def test_summary_and_load_report_a_bulk_error_without_traceback(tmp_path):
    d = fresh(tmp_path)
    expected = bulk_dates(d)
    proc = run_cli("summary", "--data-dir", str(d))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert expected in proc.stderr


# ---------------------------------------------------------------- accepted correctly


def test_bom_is_accepted_silently(tmp_path):
    d = fresh(tmp_path)
    (d / "claims.csv").write_bytes(b"\xef\xbb\xbf" + (d / "claims.csv").read_bytes())
    report = validate(d)
    assert report.ok, str(report)
    assert not [p for p in report.problems if p.file == "claims.csv"]
    assert load(d).claims.columns[0] == "claim_id"


def test_excel_line_endings_and_blank_lines_are_accepted(tmp_path):
    d = fresh(tmp_path)
    b = (d / "totals.csv").read_bytes()
    (d / "totals.csv").write_bytes(b.replace(b"\n", b"\r\n", 3) + b"\r\n\r\n")
    assert validate(d).ok
    assert load(d).totals.equals(load(SHIPPED).totals)


def test_spaces_around_a_header_are_stripped_with_a_warning(tmp_path):
    d = fresh(tmp_path)
    text = (d / "events.csv").read_text(encoding="utf-8")
    (d / "events.csv").write_text(text.replace(",kind,", ", kind ,", 1), encoding="utf-8")
    report = validate(d)
    assert report.ok, str(report)
    assert "events.csv, line 1, column 'kind': header ' kind ' has spaces around it" in str(report)
    assert load(d).events["kind"].equals(load(SHIPPED).events["kind"])


def test_counts_stay_exact_up_to_the_ceiling(tmp_path):
    d = fresh(tmp_path)
    set_cell(d, "prisoner_counts", "count", str(INT_CEILING))
    assert load(d).prisoner_counts["count"].iloc[0] == INT_CEILING


def test_error_cap_says_how_many_more(tmp_path):
    d = fresh(tmp_path)
    bulk_dates(d)
    report = validate(d)
    dates = [p for p in report.errors if p.column == "date" and p.file == "events.csv"]
    assert len(dates) == MAX_ROWS_PER_CHECK + 1
    n_rows = len(read_rows(d, "events")) - 1
    assert f"same problem on {n_rows - MAX_ROWS_PER_CHECK} more rows" in dates[-1].message


def test_cell_and_cross_table_errors_come_in_one_pass(tmp_path):
    d = fresh(tmp_path)
    bad_cell = set_cell(d, "events", "count", "lots", first_release)
    bad_ref = set_cell(d, "claims", "event_id", "ev-20990101-nothing")
    text = str(validate(d))
    assert f"events.csv, line {bad_cell}, column 'count': 'lots' is not a whole number" in text
    assert (
        f"claims.csv, line {bad_ref}, column 'event_id': 'ev-20990101-nothing' is not a known"
        in text
    )
