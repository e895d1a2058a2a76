"""Mutation fuzzer: break the mini package at random, never get an exception.

Each example applies one to three mutations to the mini package (tests/minidata.py),
with the real descriptor (a cell replaced by
random text, non-ASCII digits or a huge number; rows dropped or duplicated; columns
renamed or swapped; another separator or encoding; a BOM; a truncated file; the
descriptor's constraints, types, paths and patterns changed) and checks that
``validate()`` and ``load()`` either report located problems or accept the data with
the values as written. The seed is fixed (``derandomize``) and the number of examples
bounded, so the run is the same every time and stays within the normal test command.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minidata
from belthaw import paths
from belthaw.data import load, validate
from belthaw.errors import DataError

TABLES = paths.TABLES
FILES = {"datapackage.json": (paths.ROOT / "data" / "datapackage.json").read_bytes()}
FILES.update({f"{t}.csv": minidata.with_schema_columns(t, minidata.TABLES[t]).encode() for t in TABLES})  # fmt: skip
ROWS = {t: list(csv.reader(io.StringIO(FILES[f"{t}.csv"].decode(), newline=""))) for t in TABLES}
PACKAGE = json.loads(FILES["datapackage.json"])
TYPES = {
    r["name"]: {f["name"]: f.get("type", "string") for f in r["schema"]["fields"]}
    for r in PACKAGE["resources"]
}
#: Problems that concern a whole file (or a descriptor part not found in its text), so
#: have no line.
FILE_LEVEL = (
    "not found",
    "is not a regular file",
    "MB",
    "is empty",
    "cannot be read",
    "resources",
    "top level",
)

WEIRD = [
    "",
    " ",
    "٥٢",
    "１２",
    "1e400",
    "inf",
    "nan",
    "-1",
    "+7",
    "0x10",
    "1_000",
    "2025-02-30",
    "2025-13-01",
    "11/09/2025",
    "Release",
    '"',
    '"unclosed',
    ",",
    ";",
    "a;b",
    "\n",
    "\r",
    "line\nbreak",
    "\x00",
    "é",
    "a" * 600,
    "https://example.org/x",
    "ev-20250101-x",
]
# The descriptor's patterns are the project's own, reviewed like code: no patterns that
# backtrack for minutes are tried here.
PATTERNS = ["[", "(", "^[a-z]+$", "^\\d{4}$", "x{2,1}"]
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from(PATTERNS),
)

table_st = st.sampled_from(TABLES)
cell_value = st.one_of(
    st.sampled_from(WEIRD),
    st.text(max_size=20),
    st.integers(10**9, 10**30).map(str),
    st.integers(-10, 200).map(str),
    st.text(alphabet="٠١٢٣٤٥٦٧٨٩०१२३", min_size=1, max_size=4),
)

mutation = st.one_of(
    st.tuples(st.just("cell"), table_st, st.integers(0, 10**6), st.integers(0, 99), cell_value),
    st.tuples(st.just("drop_row"), table_st, st.integers(0, 10**6)),
    st.tuples(st.just("dup_row"), table_st, st.integers(0, 10**6)),
    st.tuples(st.just("rename"), table_st, st.integers(0, 99), st.sampled_from(WEIRD[:14])),
    st.tuples(st.just("swap"), table_st, st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("separator"), table_st, st.sampled_from([";", "\t", "|"])),
    st.tuples(st.just("encoding"), table_st, st.sampled_from(["cp1252", "utf-16", "bom"])),
    st.tuples(st.just("truncate"), table_st, st.floats(0, 1)),
    st.tuples(
        st.just("constraint"),
        table_st,
        st.integers(0, 99),
        st.sampled_from(["required", "unique", "enum", "pattern", "minimum", "maximum", "x"]),
        JSON_VALUES,
    ),
    st.tuples(
        st.just("type"),
        table_st,
        st.integers(0, 99),
        st.sampled_from(["string", "integer", "number", "date", "boolean", 7]),
    ),
    st.tuples(
        st.just("path"),
        table_st,
        st.sampled_from(["/etc/hostname", "../x.csv", "", "a/../../b.csv", "events.csv", 3]),
    ),
    st.tuples(st.just("descriptor"), JSON_VALUES),
)


class Package:
    """The package being broken, held in memory until written."""

    def __init__(self):
        self.rows = {t: [list(r) for r in ROWS[t]] for t in TABLES}
        self.pkg = json.loads(FILES["datapackage.json"])
        self.raw: dict[str, bytes] = {}
        self.cell: tuple[str, int, str, str] | None = None

    def res(self, table: str) -> dict:
        return next(r for r in self.pkg["resources"] if r["name"] == table)

    def apply(self, m: tuple) -> None:
        try:
            self._apply(m)
        except (TypeError, KeyError, AttributeError, StopIteration, ZeroDivisionError):
            pass  # no fields left to edit (descriptor replaced) or no rows left to drop

    def _apply(self, m: tuple) -> None:
        kind, table = m[0], m[1]
        rows = self.rows.get(table) if isinstance(table, str) else None
        if kind == "cell":
            r = 1 + m[2] % (len(rows) - 1)
            c = m[3] % len(rows[0])
            rows[r][c] = m[4]
            # a table already written as raw bytes (another encoding...) ignores the edit
            self.cell = None if table in self.raw else (table, r - 1, rows[0][c], m[4])
        elif kind == "drop_row":
            del rows[1 + m[2] % (len(rows) - 1)]
        elif kind == "dup_row":
            r = 1 + m[2] % (len(rows) - 1)
            rows.insert(r, list(rows[r]))
        elif kind == "rename":
            rows[0][m[2] % len(rows[0])] = m[3]
        elif kind == "swap":
            i, j = m[2] % len(rows[0]), m[3] % len(rows[0])
            for row in rows:
                if len(row) > max(i, j):
                    row[i], row[j] = row[j], row[i]
        elif kind in ("separator", "encoding", "truncate"):
            text = self.text(table)
            if kind == "separator":
                buf = io.StringIO()
                csv.writer(buf, delimiter=m[2], lineterminator="\n").writerows(rows)
                self.raw[table] = buf.getvalue().encode()
            elif m[2] == "bom":
                self.raw[table] = b"\xef\xbb\xbf" + text.encode()
            elif kind == "encoding":
                self.raw[table] = text.encode(m[2], errors="replace")
            else:
                b = text.encode()
                self.raw[table] = b[: int(len(b) * m[2])]
        elif kind == "constraint":
            fields = self.res(table)["schema"]["fields"]
            fields[m[2] % len(fields)].setdefault("constraints", {})[m[3]] = m[4]
        elif kind == "type":
            fields = self.res(table)["schema"]["fields"]
            fields[m[2] % len(fields)]["type"] = m[3]
        elif kind == "path":
            self.res(table)["path"] = m[2]
        elif kind == "descriptor":
            self.pkg = m[1]
        if kind != "cell":
            self.cell = None  # a later mutation may move the cell: check only lone cells

    def text(self, table: str) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(self.rows[table])
        return buf.getvalue()

    def write(self, d: Path) -> None:
        d.mkdir()
        for name, blob in FILES.items():
            (d / name).write_bytes(blob)
        (d / "datapackage.json").write_text(json.dumps(self.pkg), encoding="utf-8")
        for t in TABLES:
            blob = self.raw.get(t)
            (d / f"{t}.csv").write_bytes(blob if blob is not None else self.text(t).encode())


def _lines(d: Path, file: str) -> int:
    try:
        return (d / file).read_bytes().count(b"\n") + 1
    except OSError:
        return 0


@settings(
    derandomize=True,
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(mutation, min_size=1, max_size=3))
def test_broken_package_gives_located_problems_or_correct_values(mutations):
    pkg = Package()
    for m in mutations:
        pkg.apply(m)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "data"
        pkg.write(d)
        report = validate(d)  # must not raise
        for p in report.problems:
            assert p.file and p.message, p
            if p.line is None:
                assert any(w in p.message for w in FILE_LEVEL), p
            else:
                assert 1 <= p.line <= _lines(d, p.file), p
        try:
            data = load(d)
        except DataError as exc:
            assert not report.ok, "load() refused what validate() accepted"
            assert exc.problems
            return
        assert report.ok, "load() accepted what validate() refused"
        if pkg.cell is not None:
            table, row, column, value = pkg.cell
            kind = TYPES[table].get(column)
            got = data.table(table)[column].iloc[row]
            if kind == "integer" and value != "":
                # accepted means exactly the number written, never a changed one
                assert str(got) == str(int(value)), (value, got)
            elif kind == "string":
                assert str(got) == value
