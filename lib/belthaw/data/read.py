"""Read the data package: ``datapackage.json``, then each CSV as text, every cell checked
against its Table Schema field (type, required, enum, pattern, bounds, unique).

Files come from spreadsheets, so the reader accepts what cannot go wrong (a byte-order
mark, blank lines, Windows or old Mac line endings, spaces around a header name) and
names everything else by file, line (as a text editor counts it, cells that span lines
included) and column. The schema drives everything: a column or an enum value added to
the descriptor needs no code. Rules spanning rows or tables live in :mod:`.rules`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
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

_INT = r"[+-]?[0-9]+"
_NUM = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
_ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass
class Table:
    """One table as read: its cells as text, typed, and what reading it found."""

    name: str
    where: Where
    fields: list[dict]
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


# ------------------------------------------------------------------ bytes -> rows


def decode(blob: bytes) -> tuple[str | None, int | None, str]:
    """(text, None, "") or (None, line, why) for bytes that are not a UTF-8 text file."""
    line = lambda offset: blob.count(b"\n", 0, offset) + 1  # noqa: E731
    if blob.startswith(b"\xef\xbb\xbf"):  # Excel's "CSV UTF-8" writes one: harmless
        blob = blob[3:]
    if not blob.strip():
        return None, None, "is empty: expected a header row and data rows"
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, 1, "is saved as UTF-16 (Excel's 'Unicode Text'); save it as CSV UTF-8"
    if blob.startswith(b"PK\x03\x04"):
        return None, 1, "is an Excel workbook, not a CSV file; in Excel: Save As > CSV UTF-8"
    if b"\x00" in blob:
        return None, line(blob.find(b"\x00")), "contains a NUL byte: it is not a text CSV file"
    try:
        return blob.decode("utf-8"), None, ""
    except UnicodeDecodeError as exc:
        guess = blob[exc.start : exc.start + 1].decode("cp1252", "replace")
        why = f"is not UTF-8: byte 0x{blob[exc.start]:02x} (probably '{guess}' in Windows-1252, "
        why += "the encoding of Excel's plain 'CSV') cannot be read; save the file as CSV UTF-8"
        return None, line(exc.start), why + " (in Excel: Save As > 'CSV UTF-8 (Comma delimited)')"


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


# ------------------------------------------------------------------ the header


def check_header(file: str, header: list[str], names: list[str]) -> tuple[list[str], list[Problem]]:
    """The header's names (spaces and trailing empty cells removed) and its problems."""
    out: list[Problem] = []
    if len(header) == 1 and len(names) > 1:
        for sep, what in ((";", "';'"), ("\t", "tabs")):
            if sep in header[0]:
                return [], [
                    Problem(
                        file,
                        1,
                        None,
                        (
                            f"this file uses {what} as separator; save it as CSV with commas "
                            "(in Excel: Save As > 'CSV UTF-8 (Comma delimited)')"
                        ),
                    )
                ]
    if len(header) > 1 and not header[-1].strip():
        while len(header) > 1 and not header[-1].strip():
            header = header[:-1]
        msg = "header ends with empty cells (trailing commas); delete them"
        out.append(Problem(file, 1, None, msg, "warning"))
    got = [h.strip() for h in header]
    for h, s in zip(header, got, strict=True):
        if h != s:
            msg = f"header {h!r} has spaces around it; read as {s!r} (remove the spaces)"
            out.append(Problem(file, 1, s, msg, "warning"))
    for k, h in enumerate(got):
        if not h:
            out.append(Problem(file, 1, None, f"header cell {k + 1} is empty; name every column"))
        elif h in got[:k]:
            out.append(Problem(file, 1, h, "column appears twice in the header"))
        elif h not in names:
            out.append(
                Problem(file, 1, h, f"unexpected column; the schema allows: {', '.join(names)}")
            )
    for n in names:
        if n not in got:
            out.append(
                Problem(file, 1, n, f"column is missing; expected columns: {', '.join(names)}")
            )
    return got, out


def frame_of_rows(t: Table, rows: list[list[str]], names: list[str]) -> np.ndarray:
    """Put the data rows in ``t.text`` (padded to the header); returns which rows are short.

    A row with extra cells that are all empty (a spreadsheet's trailing commas) keeps
    its cells with a warning; extra cells holding text make the row an error, left out.
    A row of empty cells is left out with a warning.
    """
    n, index = len(names), pd.RangeIndex(len(rows))
    width = pd.Series([len(r) for r in rows], index=index)
    trailing = np.array([len(r) > n and not "".join(r[n:]).strip() for r in rows], dtype=bool)
    too_long = (width.to_numpy() > n) & ~trailing
    empty = np.array([not "".join(r).strip() for r in rows], dtype=bool)
    if trailing.any() or too_long.any() or (width < n).any() or empty.any():
        flag = flagger(t.problems, t.where)
        msg = "row ends with {v} empty cell(s) after the last column (trailing commas); delete them"
        flag(None, trailing, msg, values=width - n, severity="warning")
        msg = f"row has {{v}} cells but the header has {n}: "
        flag(
            None,
            too_long,
            msg + "a cell holds an unquoted comma; put it in double quotes",
            values=width,
        )
        flag(
            None,
            (width < n).to_numpy(),
            msg + "a cell is missing (every row needs a cell for "
            "every column, even an empty one at the end)",
            values=width,
        )
        flag(
            None,
            empty,
            "row has only empty cells; it is ignored (delete it)",
            values=width,
            severity="warning",
        )
    keep = np.flatnonzero(~too_long & ~empty)
    cells = [(rows[i] + [""] * n)[:n] for i in keep]
    t.text = pd.DataFrame(cells, columns=names, index=keep, dtype=str)
    return (width < n).to_numpy()[keep]


def read_table(name: str, resource: dict, data_dir: Path) -> Table:
    """Read one CSV as text, check every cell against its schema and type it."""
    path = data_dir / resource["path"]
    fields = resource["schema"]["fields"]
    t = Table(name, Where(path.name), fields)
    blob, why = read_bytes(path, MAX_FILE_BYTES)
    text, line, why = (None, None, why) if blob is None else decode(blob)
    if text is None:
        t.problems.append(Problem(path.name, line, None, why))
        return t
    rows, lines, broken = parse(text)
    if broken:
        at, why = broken
        header = [h.strip() for h in rows[0]] if rows else []
        col = _quote_column(text.split("\n")[at - 1], header)
        msg = (
            "a quoted cell opens here and is never closed; add the closing '\"'"
            if "end of data" in why
            else f"is not well-formed CSV ({why}); put the whole cell in double quotes"
        )
        t.problems.append(Problem(path.name, at, col, msg))
        return t
    names = [f["name"] for f in fields]
    header, t.problems = check_header(path.name, rows[0], names)
    if any(p.severity == "error" for p in t.problems):
        return t
    t.where = Where(path.name, np.array(lines[1:]))
    short = frame_of_rows(t, rows[1:], names)
    if t.text.empty:
        t.problems.append(Problem(path.name, 1, None, "has a header but no data rows"))
        return t
    t.typed, found = check_and_type(t.text, fields, t.where)
    found += text_damage(t.text, fields, t.where)
    # A short row is reported once, as short; its padded cells are not checked.
    short_lines = {t.where.line(i) for i in t.text.index[short]}
    t.problems += [p for p in found if p.line not in short_lines]
    return t


# ------------------------------------------------------------------ cells


def _full(s: pd.Series, pattern: str) -> np.ndarray:
    return s.str.fullmatch(pattern, flags=re.ASCII).to_numpy(dtype=bool, na_value=False)


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
        if kind == "string" and not c:
            typed[col] = s  # free text: checked for spreadsheet damage only
            continue
        present = (s != "").to_numpy()

        def flag(mask, message, s=s, col=col):
            emit(out, where, col, mask, message, values=s)

        if c.get("required"):
            flag(~present, "is required but empty")
        if kind == "date":
            typed[col] = _date(s, present, flag)
        elif kind in ("integer", "number"):
            typed[col] = _number(s, present, kind, c, flag)
        else:
            typed[col] = _text(s, present, c, flag)
        if c.get("unique"):
            dup = present & s.duplicated().to_numpy()
            flag(dup, "duplicate value {v!r}; each value must be unique")
    return pd.DataFrame(typed, index=df.index), out


def _date(s: pd.Series, present: np.ndarray, flag) -> pd.Series:
    day = pd.to_datetime(s.where(_full(s, _ISO_DAY)), format="%Y-%m-%d", errors="coerce")
    bad = present & day.isna().to_numpy()
    if bad.any():
        sheet = _full(s, SPREADSHEET_DATE)
        flag(
            bad & sheet,
            "{v!r} is not a date in the form YYYY-MM-DD: a spreadsheet probably "
            "reformatted it; write it as YYYY-MM-DD (e.g. 2025-09-11) and open the file with "
            "date columns as text",
        )
        flag(bad & ~sheet, "{v!r} is not a date; expected YYYY-MM-DD (e.g. 2025-09-11)")
    return day


def _number(s: pd.Series, present: np.ndarray, kind: str, c: dict, flag) -> pd.Series:
    if kind == "integer":
        ok, what, ceiling = _full(s, _INT), "a whole number (digits 0-9, e.g. 52)", INT_CEILING
    else:
        ok, what, ceiling = _full(s, _NUM), "a number (digits 0-9, e.g. 52 or 1.5)", NUMBER_CEILING
    num = pd.to_numeric(s.where(ok), errors="coerce").astype("float64")
    num = num.where(num.abs() <= ceiling)  # also refuses inf, which the pattern lets through
    bad = present & ~ok
    if bad.any():
        ascii_ = s.str.isascii().to_numpy(dtype=bool)
        other = bad & ~ascii_ & _full(s.str.replace(r"\d", "0", regex=True), _NUM)
        flag(other, "{v!r} uses digits other than 0-9; retype it with the digits 0-9")
        flag(bad & ~other, "{v!r} is not " + what)
    flag(
        ok & num.isna().to_numpy(),
        f"{{v}} is too large: the workbook accepts at most {ceiling:,.0f}",
    )
    if "minimum" in c:
        flag((num < c["minimum"]).to_numpy(), f"{{v}} is below the minimum {c['minimum']}")
    if "maximum" in c:
        flag((num > c["maximum"]).to_numpy(), f"{{v}} is above the maximum {c['maximum']}")
    return num.astype("Int64") if kind == "integer" else num


def _text(s: pd.Series, present: np.ndarray, c: dict, flag) -> pd.Series:
    quoted = lambda text: text.replace("{", "{{").replace("}", "}}")  # noqa: E731
    if "minLength" in c:
        flag(
            present & (s.str.len() < c["minLength"]).to_numpy(),
            f"is shorter than {c['minLength']} characters",
        )
    if "maxLength" in c:
        flag(
            (s.str.len() > c["maxLength"]).to_numpy(), f"is longer than {c['maxLength']} characters"
        )
    if "pattern" in c:
        flag(
            present & ~_full(s, c["pattern"]),
            "{v!r} does not match the expected form " + quoted(c["pattern"]),
        )
    if "enum" not in c:
        return s
    allowed = s.isin(c["enum"])
    flag(
        present & ~allowed.to_numpy(),
        "{v!r} is not allowed; expected one of: " + quoted(", ".join(c["enum"])),
    )
    return pd.Series(
        pd.Categorical(s.where(allowed), categories=list(dict.fromkeys(c["enum"]))),
        index=s.index,
    )


def primary_key_problems(tables: dict[str, Table], descriptor: dict) -> list[Problem]:
    """A key of several columns must be unique as a whole (one column: ``unique``)."""
    out: list[Problem] = []
    for res in descriptor["resources"]:
        t, pk = tables.get(res["name"]), res["schema"].get("primaryKey")
        if t is None or t.text is None or not isinstance(pk, list) or len(pk) < 2:
            continue
        dup = t.text.duplicated(subset=pk)
        emit(out, t.where, "+".join(pk), dup, f"duplicate primary key ({', '.join(pk)})")
    return out


def read_all(data_dir: Path) -> tuple[dict[str, Table], dict, list[Problem]]:
    """(tables by name, descriptor, problems of the descriptor) for a data folder.

    A broken descriptor gives no tables; each table's own problems are on the table.
    """
    descriptor, problems = read_descriptor(data_dir)
    if problems:
        return {}, descriptor, problems
    tables = {
        res["name"]: read_table(res["name"], res, data_dir) for res in descriptor["resources"]
    }
    return tables, descriptor, primary_key_problems(tables, descriptor)
