"""Read the data package: ``datapackage.json``, then each CSV as text, every cell checked
against its Table Schema field (type, required, enum, pattern, bounds, unique).

Files come from spreadsheets, so the reader accepts what cannot go wrong (a byte-order
mark, blank lines, Windows or old Mac line endings, spaces around a header name, columns
in another order) and names everything else by file, line (as a text editor counts it,
cells that span lines included) and column. The schema drives everything: a column or an
enum value added to the descriptor needs no code. Rules spanning rows or tables live in
:mod:`.rules`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from .damage import SPREADSHEET_DATE, text_damage
from .descriptor import read_bytes, read_descriptor
from .problems import Where, emit, flagger

#: A table is a few hundred rows (~100 kB); a file this large is not one of ours.
MAX_FILE_BYTES = 32 * 2**20
#: Every integer cell is at most this, whatever the schema says: no count is that large,
#: and with it no column sum can leave the exact range of int64 or float64.
INT_CEILING = 10**9
#: Every decimal cell is finite and at most this large.
NUMBER_CEILING = 1e15
EXCEL = "(in Excel: Save As > 'CSV UTF-8 (Comma delimited)')"

_INT = r"[+-]?[0-9]+"
_NUM = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
_ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass
class Table:
    """One table as read: its cells as text, typed, and what reading it found."""

    where: Where
    text: pd.DataFrame | None = None
    typed: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)


def per_distinct(s: pd.Series, fn) -> pd.Series:
    """``fn(s)`` for a per-value string operation, computed once per distinct value."""
    codes, uniques = pd.factorize(s, sort=False)
    if len(uniques) * 2 > len(s) or (codes < 0).any():
        return fn(s)
    res = fn(pd.Series(uniques, dtype=s.dtype))
    return pd.Series(res.to_numpy()[codes], index=s.index, name=s.name)


def split_ids(s: pd.Series) -> pd.Series:
    """';'-separated ids, one per entry (index = row label), empty ids dropped."""
    ids = s.astype(str).str.split(";").explode()
    return ids[ids.notna() & (ids != "")]


def decode(blob: bytes) -> tuple[str | None, int | None, str]:
    """(text, None, "") or (None, line, why) for bytes that are not a UTF-8 text file."""
    blob = blob.removeprefix(b"\xef\xbb\xbf")  # Excel's "CSV UTF-8" writes one: harmless
    if not blob.strip():
        return None, None, "is empty: expected a header row and data rows"
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, 1, "is saved as UTF-16 (Excel's 'Unicode Text'); save it as CSV UTF-8"
    if blob.startswith(b"PK\x03\x04"):
        return None, 1, "is an Excel workbook, not a CSV file; in Excel: Save As > CSV UTF-8"
    if b"\x00" in blob:
        line = blob.count(b"\n", 0, blob.find(b"\x00")) + 1
        return None, line, "contains a NUL byte: it is not a text CSV file"
    try:
        return blob.decode("utf-8"), None, ""
    except UnicodeDecodeError as exc:
        guess = blob[exc.start : exc.start + 1].decode("cp1252", "replace")
        why = f"is not UTF-8: byte 0x{blob[exc.start]:02x} (probably '{guess}' in Windows-1252, "
        why += "the encoding of Excel's plain 'CSV') cannot be read; save the file as CSV UTF-8 "
        return None, blob.count(b"\n", 0, exc.start) + 1, why + EXCEL


def parse(text: str) -> tuple[list[list[str]], list[int], tuple[int, str] | None]:
    """(records, the line each starts on, (line, why) where the text stops being CSV).

    Blank lines are skipped; a quoted cell may span lines, and the next record's line
    number counts them.
    """
    rows, lines, prev = [], [], 0
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows, lines, None
        except csv.Error as exc:
            return rows, lines, (prev + 1, str(exc))
        if len(row) > 1 or (row and row[0].strip()):
            rows.append(row)
            lines.append(prev + 1)
        prev = reader.line_num


def _quote_column(line_text: str, header: list[str]) -> str | None:
    """The column whose cell opens the quote that breaks ``line_text``."""
    cell, quoted, start, opened = 0, False, True, None
    for ch in line_text:
        if quoted:
            quoted = ch != '"'
        elif ch == '"' and start:
            quoted, opened = True, cell
        elif ch == ",":
            cell, start = cell + 1, True
            continue
        start = False
    return header[opened] if opened is not None and opened < len(header) else None


def check_header(file: str, header: list[str], names: list[str]) -> tuple[list[str], list[Problem]]:
    """The header's names (spaces and trailing empty cells removed) and its problems."""
    for sep, what in ((";", "';'"), ("\t", "tabs")):
        if len(header) == 1 and len(names) > 1 and sep in header[0]:
            msg = f"this file uses {what} as separator; save it as CSV with commas {EXCEL}"
            return [], [Problem(file, 1, None, msg)]
    got, out, allowed = [h.strip() for h in header], [], ", ".join(names)
    while len(got) > 1 and not got[-1]:
        got.pop()
    if len(got) < len(header):
        msg = "header ends with empty cells (trailing commas); delete them"
        out.append(Problem(file, 1, None, msg, "warning"))
    for k, (h, s) in enumerate(zip(header, got, strict=False)):
        if h != s:
            msg = f"header {h!r} has spaces around it; read as {s!r} (remove the spaces)"
            out.append(Problem(file, 1, s, msg, "warning"))
        if not s:
            out.append(Problem(file, 1, None, f"header cell {k + 1} is empty; name every column"))
        elif s in got[:k]:
            out.append(Problem(file, 1, s, "column appears twice in the header"))
        elif s not in names:
            out.append(Problem(file, 1, s, f"unexpected column; the schema allows: {allowed}"))
    missing = [n for n in names if n not in got]
    out += [Problem(file, 1, n, f"column is missing; expected columns: {allowed}") for n in missing]
    return got, out


def frame_of_rows(t: Table, rows: list[list[str]], header: list[str]) -> pd.Series:
    """Put the data rows in ``t.text`` (padded to the header); returns which rows are short.

    A row with extra cells that are all empty (a spreadsheet's trailing commas) keeps
    its cells with a warning; extra cells holding text make the row an error, left out.
    A row of empty cells is left out with a warning.
    """
    n, flag = len(header), flagger(t.problems, t.where)
    width = pd.Series([len(r) for r in rows])
    extra = pd.Series(["".join(r[n:]).strip() != "" for r in rows], dtype=bool)
    empty = pd.Series([not "".join(r).strip() for r in rows], dtype=bool)
    too_long, short = (width > n) & extra, width < n
    msg = "row ends with {v} empty cell(s) after the last column (trailing commas); delete them"
    flag(None, (width > n) & ~extra, msg, values=width - n, severity="warning")
    msg = f"row has {{v}} cells but the header has {n}: a cell "
    flag(None, too_long, msg + "holds an unquoted comma; put it in double quotes", values=width)
    msg += "is missing (every row needs a cell for every column, even an empty one at the end)"
    flag(None, short, msg, values=width)
    flag(None, empty, "row has only empty cells; it is ignored (delete it)", severity="warning")
    keep = ~too_long & ~empty
    cells = [(r + [""] * n)[:n] for r, k in zip(rows, keep, strict=True) if k]
    t.text = pd.DataFrame(cells, columns=header, index=keep.index[keep], dtype=str)
    return short[keep]


def read_table(resource: dict, data_dir: Path) -> Table:
    """Read one CSV as text, check every cell against its schema and type it."""
    path, fields = data_dir / resource["path"], resource["schema"]["fields"]
    t = Table(Where(path.name))
    blob, why = read_bytes(path, MAX_FILE_BYTES)
    text, line, why = (None, None, why) if blob is None else decode(blob)
    if text is None:
        t.problems.append(Problem(path.name, line, None, why))
        return t
    rows, lines, broken = parse(text)
    if broken:
        at, why = broken
        col = _quote_column(text.split("\n")[at - 1], [h.strip() for h in rows[0]] if rows else [])
        msg = f"is not well-formed CSV ({why}); put the whole cell in double quotes"
        if "end of data" in why:
            msg = "a quoted cell opens here and is never closed; add the closing '\"'"
        t.problems.append(Problem(path.name, at, col, msg))
        return t
    names = [f["name"] for f in fields]
    header, t.problems = check_header(path.name, rows[0], names)
    if any(p.severity == "error" for p in t.problems):
        return t
    t.where = Where(path.name, np.array(lines[1:]))
    short = frame_of_rows(t, rows[1:], header)
    if t.text.empty:
        t.problems.append(Problem(path.name, 1, None, "has a header but no data rows"))
        return t
    t.text = t.text[names]  # the schema's order, whatever the file's
    t.typed, found = check_and_type(t.text, fields, t.where)
    found += text_damage(t.text, fields, t.where)
    # A short row is reported once, as short; its padded cells are not checked.
    short_lines = {t.where.line(i) for i in short.index[short]}
    t.problems += [p for p in found if p.line not in short_lines]
    return t


def _full(s: pd.Series, pattern: str) -> pd.Series:
    return s.str.fullmatch(pattern, flags=re.ASCII).astype(bool)


def check_and_type(df: pd.DataFrame, fields: list[dict], where: Where) -> tuple[pd.DataFrame, list]:
    """The table in the dtypes of the contract (docs/architecture.md), and every problem
    of the schema's per-cell rules.

    A cell that breaks its type becomes missing, so the cross-table rules run on
    everything that did type: one pass reports both.
    """
    out: list[Problem] = []
    typed = {}
    for f in fields:
        col, c, kind = f["name"], f.get("constraints", {}), f.get("type", "string")
        s = df[col]
        present, flag = s != "", partial(emit, out, where, col, values=s)
        if c.get("required"):
            flag(~present, "is required but empty")
        if kind == "date":
            typed[col] = _date(s, present, flag)
        elif kind == "string":
            typed[col] = _text(s, present, c, flag)
        else:
            typed[col] = _number(s, present, kind == "integer", c, flag)
        if c.get("unique"):
            flag(present & s.duplicated(), "duplicate value {v!r}; each value must be unique")
    return pd.DataFrame(typed, index=df.index), out


def _date(s: pd.Series, present: pd.Series, flag) -> pd.Series:
    day = pd.to_datetime(s.where(_full(s, _ISO_DAY)), format="%Y-%m-%d", errors="coerce")
    bad, sheet = present & day.isna(), _full(s, SPREADSHEET_DATE)
    msg = "{v!r} is not a date in the form YYYY-MM-DD: a spreadsheet probably reformatted it; "
    msg += "write it as YYYY-MM-DD (e.g. 2025-09-11) and open the file with date columns as text"
    flag(bad & sheet, msg)
    flag(bad & ~sheet, "{v!r} is not a date; expected YYYY-MM-DD (e.g. 2025-09-11)")
    return day


def _number(s: pd.Series, present: pd.Series, whole: bool, c: dict, flag) -> pd.Series:
    if whole:
        ok, what, ceiling = _full(s, _INT), "a whole number (digits 0-9, e.g. 52)", INT_CEILING
    else:
        ok, what, ceiling = _full(s, _NUM), "a number (digits 0-9, e.g. 52 or 1.5)", NUMBER_CEILING
    num = pd.to_numeric(s.where(ok), errors="coerce").astype("float64")
    num = num.where(num.abs() <= ceiling)  # also refuses inf, which the pattern lets through
    bad = present & ~ok
    other = bad & ~s.str.isascii() & _full(s.str.replace(r"\d", "0", regex=True), _NUM)
    flag(other, "{v!r} uses digits other than 0-9; retype it with the digits 0-9")
    flag(bad & ~other, "{v!r} is not " + what)
    flag(ok & num.isna(), f"{{v}} is too large: the workbook accepts at most {ceiling:,.0f}")
    if "minimum" in c:
        flag(num < c["minimum"], f"{{v}} is below the minimum {c['minimum']}")
    if "maximum" in c:
        flag(num > c["maximum"], f"{{v}} is above the maximum {c['maximum']}")
    return num.astype("Int64") if whole else num


def _text(s: pd.Series, present: pd.Series, c: dict, flag) -> pd.Series:
    braces = lambda text: text.replace("{", "{{").replace("}", "}}")  # noqa: E731
    if "minLength" in c:
        msg = f"is shorter than {c['minLength']} characters"
        flag(present & (s.str.len() < c["minLength"]), msg)
    if "maxLength" in c:
        flag(s.str.len() > c["maxLength"], f"is longer than {c['maxLength']} characters")
    if "pattern" in c:
        msg = "{v!r} does not match the expected form " + braces(c["pattern"])
        flag(present & ~_full(s, c["pattern"]), msg)
    if "enum" not in c:
        return s
    allowed = s.isin(c["enum"])
    msg = "{v!r} is not allowed; expected one of: " + braces(", ".join(c["enum"]))
    flag(present & ~allowed, msg)
    return s.where(allowed).astype(pd.CategoricalDtype(list(dict.fromkeys(c["enum"]))))


def read_all(data_dir: Path) -> tuple[dict[str, Table], dict, list[Problem]]:
    """(tables by name, descriptor, problems of the descriptor and of multi-column keys).

    A broken descriptor gives no tables; each table's own problems are on the table.
    """
    descriptor, problems = read_descriptor(data_dir)
    if problems:
        return {}, descriptor, problems
    tables = {r["name"]: read_table(r, data_dir) for r in descriptor["resources"]}
    for r in descriptor["resources"]:  # a key of one column is the field's ``unique``
        t, pk = tables[r["name"]], r["schema"].get("primaryKey")
        if t.text is not None and isinstance(pk, list) and len(pk) > 1:
            msg = f"duplicate primary key ({', '.join(pk)})"
            emit(problems, t.where, "+".join(pk), t.text.duplicated(subset=pk), msg)
    return tables, descriptor, problems
