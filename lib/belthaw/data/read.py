"""Read the data package's CSV files as strings and check every cell against the schema.

The rules a single cell must follow (types, enums, patterns, required fields, keys) are
read from ``data/datapackage.json`` (checked first, by :mod:`belthaw.data.schema`). This
module applies them column by column, vectorised, so a million-row table costs a few
pandas operations, not a Python loop per row. Rules that span tables live in
:mod:`belthaw.data.rules`.

Files come from spreadsheets, so the reader is forgiving where nothing can go wrong (a
byte-order mark, a blank line, spaces around a header name) and exact everywhere else:
every problem names the file, the line a text editor shows (blank lines and cells that
span lines counted) and the column. A number is ASCII digits within a hard ceiling, so
no value changes silently when typed and no sum can overflow.

It is longer than 500 lines because reading a spreadsheet-made CSV safely (encodings,
separators, quotes, line numbers that match an editor) and checking its cells are one
step that shares the row-to-line map; splitting them would pass that map across modules.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import paths
from ..errors import DataError, Problem
from ..provenance import data_version
from .schema import check_descriptor, load_descriptor, read_limited

#: Problems of one kind in one column are listed for at most this many rows,
#: then summarised, so a broken million-row file gives a readable report.
MAX_ROWS_PER_CHECK = 20
#: A CSV larger than this is refused before it is read (the real tables are ~100 kB; the
#: 1M-event benchmark table is ~150 MB). Bounded so a package can never exhaust memory.
MAX_FILE_BYTES = 256 * 2**20
#: Hard ceiling on every integer cell, whatever the schema says. With at most
#: MAX_FILE_BYTES / 2 rows, a column sum stays below 1.4e17, far inside int64 (9.2e18):
#: no total can overflow.
INT_CEILING = 10**9
#: Hard ceiling on every decimal cell (``value_num``): finite and of this magnitude at most.
NUMBER_CEILING = 1e15
#: A cell checked against a schema ``pattern`` may be at most this long; with the
#: pattern check in :mod:`belthaw.data.schema` this bounds the time any pattern can take.
MAX_PATTERN_CELL = 500

_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_INT_RE = r"[+-]?[0-9]+"
_ANY_DIGITS_RE = r"[+-]?\d+(?:\.\d+)?"
_NUM_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"


@dataclass(frozen=True)
class Where:
    """Where a table's rows are: its file name and the line each row starts on."""

    file: str
    lines: np.ndarray | None = None  # by frame index; None: one line per row, no blanks

    def line(self, i: int) -> int:
        return int(self.lines[i]) if self.lines is not None else int(i) + 2


@dataclass
class RawTable:
    """A table as read: every cell a string, plus what reading it found."""

    name: str
    file: str
    frame: pd.DataFrame | None
    schema: dict[str, Any]
    digest: str = ""
    problems: list[Problem] = field(default_factory=list)
    typed: pd.DataFrame | None = None
    where: Where | None = None


def sort_key(p: Problem) -> tuple:
    """Order problems by file, line, column, message (a missing line or column first)."""
    return (p.file, p.line if p.line is not None else 0, p.column or "", p.message)


def data_error(problems: list[Problem]) -> DataError:
    """A :class:`DataError` of ``problems``, safe to sort.

    ``Problem`` orders by its fields, and a missing column (None) cannot be compared with
    a named one; the error's copies get "" for a missing column, which prints the same.
    (A missing line only ever occurs on a file's single "cannot be read" problem.)
    """
    return DataError(
        [
            Problem(p.file, p.line, p.column or "", p.message, p.severity)
            for p in sorted(problems, key=sort_key)
        ]
    )


def read_package(data_dir: Path | None = None) -> tuple[Any, dict[str, dict], list[Problem]]:
    """Read and check ``datapackage.json``: (descriptor, resources by name, problems)."""
    data_dir = Path(data_dir or paths.DATA_DIR)
    pkg, text, problems = load_descriptor(data_dir)
    if problems:
        return pkg, {}, problems
    problems, found = check_descriptor(pkg, text, data_dir)
    return pkg, found, problems


def read_schema(data_dir: Path | None = None) -> dict[str, Any]:
    """The checked descriptor; a missing or broken one is a :class:`DataError`."""
    pkg, _, problems = read_package(data_dir)
    if problems:
        raise data_error(problems)
    return pkg


def resources(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Map resource name -> resource descriptor (of a checked descriptor)."""
    return {r["name"]: r for r in schema.get("resources", [])}


def per_distinct(s: pd.Series, fn) -> pd.Series:
    """``fn(s)`` for a per-value string operation, computed once per distinct value.

    pandas' ``.str`` methods call Python once per row (no pyarrow); most columns hold a
    few thousand distinct values in a million rows (dates, counts, enum-like ids), so
    this turns a million calls into a few thousand plus one hash pass. Same result as
    ``fn(s)``, with the index of ``s``.
    """
    codes, uniques = pd.factorize(s, sort=False)
    if len(uniques) * 2 > len(s) or (codes < 0).any():
        return fn(s)
    res = fn(pd.Series(uniques, dtype=s.dtype))
    return pd.Series(res.to_numpy()[codes], index=s.index, name=s.name)


def _full(s: pd.Series, pattern: str) -> pd.Series:
    return per_distinct(s, lambda u: u.str.fullmatch(pattern, flags=re.ASCII)).astype(bool)


_NUL_SPACE = re.compile(r"\x00\s")


def _maybe_edge_space(s: pd.Series) -> bool:
    """False when no value of ``s`` starts or ends with whitespace (C-level scans only)."""
    text = "\x00" + "\x00".join(s.to_numpy(dtype=object)) + "\x00"
    return bool(_NUL_SPACE.search(text) or _NUL_SPACE.search(text[::-1]))


def _emit(out: list[Problem], where, column: str, mask, message, **kw) -> None:
    """Add one problem per flagged row (up to the cap), then one summary line.

    ``where`` is a :class:`Where` (or a file name: one line per row). ``message`` is a
    text or a function of the row's entry in ``values``.
    """
    if isinstance(where, str):
        where = Where(where)
    mask = pd.Series(mask).fillna(False).astype(bool)
    n = int(mask.sum())
    if not n:
        return
    values = kw.pop("values", None)
    flagged = mask.index[mask.to_numpy()]
    for i in flagged[:MAX_ROWS_PER_CHECK]:
        text = message(values.loc[i]) if callable(message) else message
        out.append(Problem(where.file, where.line(i), column or None, text, **kw))
    if n > MAX_ROWS_PER_CHECK:
        first = where.line(flagged[MAX_ROWS_PER_CHECK])
        out.append(
            Problem(
                where.file,
                first,
                column or None,
                f"... and the same problem on {n - MAX_ROWS_PER_CHECK} more rows "
                f"(from line {first} on; only the first {MAX_ROWS_PER_CHECK} are listed)",
                **kw,
            )
        )


# ------------------------------------------------------------------ bytes -> text


def _line_of(blob: bytes, offset: int) -> int:
    return blob.count(b"\n", 0, offset) + 1


def _decode(file: str, blob: bytes) -> tuple[bytes | None, list[Problem]]:
    """The UTF-8 bytes to parse (BOM removed), or the problem that stops reading."""

    def stop(line, msg):
        return None, [Problem(file, line, None, msg)]

    if blob.startswith(b"\xef\xbb\xbf"):  # Excel's "CSV UTF-8" writes one: harmless
        blob = blob[3:]
    if not blob.strip():
        return stop(None, "is empty: expected a header row and data rows")
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        return stop(1, "is saved as UTF-16 (Excel's 'Unicode Text'); save it as CSV UTF-8")
    if blob.startswith(b"PK\x03\x04"):
        return stop(1, "is an Excel workbook, not a CSV file; in Excel: Save As > CSV UTF-8")
    nul = blob.find(b"\x00")
    if nul >= 0:
        return stop(_line_of(blob, nul), "contains a NUL byte: it is not a text CSV file")
    try:
        blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = blob[exc.start : exc.start + 1]
        guess = bad.decode("cp1252", errors="replace")
        return stop(
            _line_of(blob, exc.start),
            f"is not UTF-8: byte 0x{bad[0]:02x} (probably '{guess}' in Windows-1252, the "
            "encoding of Excel's plain 'CSV') cannot be read; save the file as CSV UTF-8 "
            "(in Excel: Save As > 'CSV UTF-8 (Comma delimited)')",
        )
    if b"\r" in blob and blob.count(b"\r") != blob.count(b"\r\n"):
        cr = blob.find(b"\r")
        return stop(
            _line_of(blob, cr),
            "has old Mac line endings (a carriage return alone); save it as CSV UTF-8",
        )
    return blob, []


# ------------------------------------------------------------------ rows and lines


def _scan(blob: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Per record (header included): start line, number of fields, blank?; plus whether
    the file ends inside a quoted cell.

    Vectorised over the bytes in chunks: a byte is inside a quoted cell when an odd
    number of quotes precede it. This treats every quote as a delimiter, so a stray quote
    inside an unquoted cell can mislead it; any disagreement sends the caller to the
    exact (slower) parse, never to a wrong answer.
    """
    a = np.frombuffer(blob, dtype=np.uint8)
    chunk = 1 << 22
    parity = 0
    commas, lines, solid = [], [], []
    pend_c = pend_l = pend_s = 0
    for o in range(0, len(a), chunk):
        b = a[o : o + chunk]
        par = np.bitwise_xor.accumulate((b == 34).view(np.uint8)) ^ parity
        parity = int(par[-1])
        outside = par == 0
        nl = b == 10
        ends = np.flatnonzero(nl & outside)
        com = (b == 44) & outside
        ink = (b > 32) & (b != 44)
        if len(ends):
            seg = np.concatenate(([0], ends[:-1] + 1))
            cut = ends[-1] + 1
            c = np.add.reduceat(com[:cut], seg, dtype=np.int64)
            n = np.add.reduceat(nl[:cut], seg, dtype=np.int64)
            s = np.add.reduceat(ink[:cut], seg, dtype=np.int64)
            c[0] += pend_c
            n[0] += pend_l
            s[0] += pend_s
            commas.append(c)
            lines.append(n)
            solid.append(s)
            pend_c, pend_l, pend_s = (
                int(com[cut:].sum()),
                int(nl[cut:].sum()),
                int(ink[cut:].sum()),
            )
        else:
            pend_c += int(com.sum())
            pend_l += int(nl.sum())
            pend_s += int(ink.sum())
    if pend_s or pend_c:  # a last line without a newline
        commas.append(np.array([pend_c]))
        lines.append(np.array([pend_l + 1]))
        solid.append(np.array([pend_s]))
    c = np.concatenate(commas) if commas else np.zeros(0, np.int64)
    n = np.concatenate(lines) if lines else np.zeros(0, np.int64)
    s = np.concatenate(solid) if solid else np.zeros(0, np.int64)
    starts = np.concatenate(([1], 1 + np.cumsum(n)[:-1])) if len(n) else n
    return starts, c + 1, (s == 0) & (c == 0), bool(parity)


def _exact(text: str, keep: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, list, tuple | None]:
    """Like :func:`_scan` with the csv module (quotes as spreadsheets write them), plus
    the rows themselves when ``keep``; the last item is (line, why) where the file stops
    being CSV, if it does."""
    starts, widths, blank, rows = [], [], [], []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    prev = 0
    broken = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            broken = (prev + 1, str(exc))
            break
        starts.append(prev + 1)
        prev = reader.line_num
        widths.append(len(row))
        blank.append(len(row) <= 1 and all(not c.strip() for c in row))
        if keep:
            rows.append(row)
    return np.array(starts), np.array(widths), np.array(blank, bool), rows, broken


def _quote_column(text: str, line: int, header: list[str]) -> str | None:
    """The column whose cell opens a quote on ``line`` (for an unclosed quote)."""
    row = text.split("\n", line)[line - 1] if line >= 1 else ""
    field_i, quoted, at_start = 0, False, True
    opened = None
    for ch in row:
        if quoted:
            if ch == '"':
                quoted = False
            continue
        if ch == '"' and at_start:
            quoted, opened = True, field_i
        elif ch == ",":
            field_i += 1
            at_start = True
            continue
        at_start = False
    if opened is not None and opened < len(header):
        return header[opened]
    return None


def _header(blob: bytes) -> list[str]:
    first = blob.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    try:
        return next(csv.reader([first]), [])
    except csv.Error:
        return first.split(",")


def read_table(name: str, resource: dict[str, Any], data_dir: Path) -> RawTable:
    """Read one CSV as strings and check it against its schema, column by column."""
    path = data_dir / resource.get("path", f"{name}.csv")
    file = path.name
    raw = RawTable(name, file, None, resource["schema"], where=Where(file))
    blob, why = read_limited(path, MAX_FILE_BYTES)
    if blob is None:
        where = f" in {data_dir}" if why == "not found" else ""
        raw.problems.append(Problem(file, None, None, f"{why}{where}"))
        return raw
    raw.digest = hashlib.sha256(blob).hexdigest()
    blob, raw.problems = _decode(file, blob)
    if blob is None:
        return raw
    names = [f["name"] for f in raw.schema["fields"]]
    header = _header(blob)
    if not _check_header(raw, header, names):
        return raw
    stripped = [h.strip() for h in header]

    n = len(header)
    starts, widths, blank, open_quote = _scan(blob)
    bad = (widths != n) & ~blank
    rows = None
    if open_quote or bad.any():
        text = blob.decode("utf-8")
        # Rows are kept (to check the rest of the table) only for files of a sane size.
        starts, widths, blank, rows, broken = _exact(text, keep=len(blob) <= 2**25)
        bad = (widths != n) & ~blank
        if broken is not None:
            line, why = broken
            if "end of data" in why:
                msg = "a quoted cell opens here and is never closed; add the closing '\"'"
            else:
                msg = f"is not well-formed CSV ({why}); put the whole cell in double quotes"
            raw.problems.append(Problem(file, line, _quote_column(text, line, stripped), msg))
            return raw
        _emit(
            raw.problems,
            Where(file, starts),
            None,
            pd.Series(bad),
            lambda w: (
                f"row has {w} cells but the header has {n}: "
                + (
                    "a cell is missing (every row needs a cell for every column, even an "
                    "empty one at the end)"
                    if w < n
                    else "a cell holds an unquoted comma; put that cell in double quotes"
                )
            ),
            values=pd.Series(widths),
        )
        if not rows:
            return raw
    if rows is None:
        df = pd.read_csv(
            io.BytesIO(blob),
            encoding="utf-8",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            index_col=False,
            skip_blank_lines=False,
            header=0,
            names=stripped,
            engine="c",
        )
        if len(df) != len(starts) - 1:  # cannot happen after the scan; never guess
            raw.problems.append(
                Problem(file, 1, None, "could not be split into rows; save it as CSV UTF-8")
            )
            return raw
    else:
        # Too long rows are left out; a short row keeps its leading cells, so its id still
        # counts for other tables' references (its own cells are not checked again).
        fit = [k for k in range(1, len(rows)) if widths[k] <= n]
        df = pd.DataFrame(
            [rows[k] + [""] * (n - len(rows[k])) for k in fit],
            columns=stripped,
            index=[k - 1 for k in fit],
            dtype=str,
        )
    del blob
    pos = np.asarray(df.index, dtype=np.int64)
    short = pd.Series(bad[1:][pos], index=df.index)
    keep = ~blank[1:][pos]
    if not keep.all():
        df = df[keep]
    empty_rows = (df == "").all(axis=1)
    lines = starts[1:]
    raw.where = Where(file, None if (lines == np.arange(2, len(lines) + 2)).all() else lines)
    if empty_rows.any():
        _emit(
            raw.problems,
            raw.where,
            None,
            empty_rows,
            "row has only empty cells; it is ignored (delete it)",
            severity="warning",
        )
        df = df[~empty_rows]
    if df.empty:
        raw.problems.append(Problem(file, 1, None, "has a header but no data rows"))
        return raw
    raw.problems += check_cells(df[~short.reindex(df.index).to_numpy()], raw.schema, raw.where)
    raw.frame = df
    return raw


def _check_header(raw: RawTable, header: list[str], names: list[str]) -> bool:
    file = raw.file
    fields = raw.schema["fields"]
    if len(header) == 1 and len(names) > 1:
        for sep, what in ((";", "';'"), ("\t", "tabs")):
            if sep in header[0]:
                raw.problems.append(
                    Problem(
                        file,
                        1,
                        None,
                        f"this file uses {what} as separator; save it as CSV with commas "
                        "(in Excel: Save As > 'CSV UTF-8 (Comma delimited)')",
                    )
                )
                return False
    stripped = [h.strip() for h in header]
    for h, s in zip(header, stripped, strict=True):
        if h != s:
            raw.problems.append(
                Problem(
                    file,
                    1,
                    s,
                    f"header {h!r} has spaces around it; read as {s!r} (remove the spaces)",
                    severity="warning",
                )
            )
    ok = True
    seen: set[str] = set()
    for k, h in enumerate(stripped):
        if not h:
            raw.problems.append(
                Problem(file, 1, None, f"header cell {k + 1} is empty; every column needs a name")
            )
            ok = False
        elif h in seen:
            raw.problems.append(Problem(file, 1, h, "column appears twice in the header"))
            ok = False
        seen.add(h)
    for n in names:
        if n not in seen:
            spec = next(f for f in fields if f["name"] == n)
            req = spec.get("constraints", {}).get("required")
            raw.problems.append(
                Problem(
                    file,
                    1,
                    n,
                    f"{'required ' if req else ''}column is missing; "
                    f"expected columns: {', '.join(names)}",
                )
            )
            ok = False
    for h in stripped:
        if h and h not in names:
            raw.problems.append(
                Problem(file, 1, h, f"unexpected column; the schema allows: {', '.join(names)}")
            )
            ok = False
    return ok


# ------------------------------------------------------------------ cells


def _int_parts(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(ASCII whole number, short enough to convert exactly) masks."""
    ok = _full(s, _INT_RE)
    return ok, ok & (s.str.len() <= 12)


def _num_parts(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    ok = _full(s, _NUM_RE)
    return ok, ok & (s.str.len() <= 40)


def check_cells(df: pd.DataFrame, schema: dict[str, Any], where) -> list[Problem]:
    """Apply the schema's per-cell rules to a table of strings; return every problem."""
    out: list[Problem] = []
    for spec in schema["fields"]:
        col = spec["name"]
        s = df[col]
        c = spec.get("constraints", {})
        empty = s == ""
        present = ~empty
        if _maybe_edge_space(s):
            _emit(
                out,
                where,
                col,
                present & (s != s.str.strip()),
                lambda v: f"value {v[:60]!r} has leading or trailing whitespace",
                values=s,
            )
        if c.get("required"):
            _emit(out, where, col, empty, "is required but empty")
        kind = spec.get("type", "string")
        if kind == "date":
            shape_ok = _full(s, _DATE_RE)
            parsed = pd.to_datetime(s.where(present & shape_ok), format="%Y-%m-%d", errors="coerce")
            _emit(
                out,
                where,
                col,
                present & parsed.isna(),
                lambda v: f"{v[:40]!r} is not a date; expected YYYY-MM-DD (e.g. 2025-09-11)",
                values=s,
            )
        elif kind in ("integer", "number"):
            _check_numbers(out, where, col, s, present, kind, c)
        if "enum" in c:
            allowed = c["enum"]
            _emit(
                out,
                where,
                col,
                present & ~s.isin(allowed),
                lambda v, allowed=allowed: (
                    f"{v[:60]!r} is not allowed; expected one of: {', '.join(allowed)}"
                ),
                values=s,
            )
        length = s.str.len() if ({"pattern", "minLength", "maxLength"} & set(c)) else None
        if "minLength" in c:
            _emit(
                out,
                where,
                col,
                present & (length < c["minLength"]),
                f"is shorter than {c['minLength']} characters",
            )
        if "maxLength" in c:
            _emit(
                out,
                where,
                col,
                length > c["maxLength"],
                f"is longer than {c['maxLength']} characters",
            )
        if "pattern" in c:
            long = length > MAX_PATTERN_CELL
            _emit(
                out,
                where,
                col,
                long,
                f"is longer than {MAX_PATTERN_CELL} characters, too long for this column",
            )
            ok = _full(s.where(~long, ""), c["pattern"])
            _emit(
                out,
                where,
                col,
                present & ~long & ~ok,
                lambda v, c=c: f"{v[:60]!r} does not match the expected form {c['pattern']}",
                values=s,
            )
        if c.get("unique"):
            _emit(
                out,
                where,
                col,
                present & s.duplicated(keep="first"),
                lambda v: f"duplicate value {v[:60]!r}; each value must be unique",
                values=s,
            )
    pk = schema.get("primaryKey")
    if isinstance(pk, list) and len(pk) > 1:
        dup = df.duplicated(subset=pk, keep="first")
        _emit(out, where, "+".join(pk), dup, f"duplicate primary key ({', '.join(pk)})")
    return out


def _check_numbers(out, where, col, s, present, kind, c) -> None:
    if kind == "integer":
        ok, exact = _int_parts(s)
        what = "a whole number (digits 0-9, e.g. 52)"
        ceiling = INT_CEILING
    else:
        ok, exact = _num_parts(s)
        what = "a number (digits 0-9, e.g. 52 or 1.5)"
        ceiling = NUMBER_CEILING
    bad = present & ~ok
    digits_elsewhere = bad.copy()
    if bad.any():
        odd = s[bad]
        digits_elsewhere[bad] = (
            odd.str.fullmatch(_ANY_DIGITS_RE).astype(bool)
            & odd.str.contains(r"[^\x00-\x7f]").astype(bool)
        ).to_numpy()
    _emit(
        out,
        where,
        col,
        digits_elsewhere,
        lambda v: f"{v[:40]!r} uses digits other than 0-9; retype it with the digits 0-9",
        values=s,
    )
    _emit(
        out,
        where,
        col,
        bad & ~digits_elsewhere,
        lambda v: f"{v[:40]!r} is not {what}",
        values=s,
    )
    num = pd.to_numeric(s.where(exact), errors="coerce")
    too_big = (ok & ~exact) | ~np.isfinite(num.fillna(0)) | (num.abs() > ceiling)
    _emit(
        out,
        where,
        col,
        present & ok & too_big,
        lambda v: f"{v[:40]} is too large: the workbook accepts at most {ceiling:,.0f}",
        values=s,
    )
    if "minimum" in c:
        _emit(
            out,
            where,
            col,
            ~too_big & (num < c["minimum"]),
            lambda v, c=c: f"{v} is below the minimum {c['minimum']}",
            values=s,
        )
    if "maximum" in c:
        _emit(
            out,
            where,
            col,
            ~too_big & (num > c["maximum"]),
            lambda v, c=c: f"{v} is above the maximum {c['maximum']}",
            values=s,
        )


def typed(df: pd.DataFrame, schema: dict[str, Any]) -> pd.DataFrame:
    """Convert a table of strings to the dtypes of the contract.

    A cell that breaks its type (reported by :func:`check_cells`) becomes missing, so the
    cross-table rules can run on everything that did type: one pass reports both.
    """
    out = {}
    for spec in schema["fields"]:
        col, kind = spec["name"], spec.get("type", "string")
        s = df[col]
        enum = spec.get("constraints", {}).get("enum")
        if kind == "date":
            shape = _full(s, _DATE_RE)
            out[col] = pd.to_datetime(s.where(shape), format="%Y-%m-%d", errors="coerce")
        elif kind in ("integer", "number"):
            _, exact = _int_parts(s) if kind == "integer" else _num_parts(s)
            num = pd.to_numeric(s.where(exact), errors="coerce").astype("float64")
            ceiling = INT_CEILING if kind == "integer" else NUMBER_CEILING
            num = num.where(num.abs() <= ceiling)
            out[col] = num.astype("Int64") if kind == "integer" else num
        elif enum:
            out[col] = pd.Categorical(s.where(s.isin(enum)), categories=list(dict.fromkeys(enum)))
        else:
            out[col] = s.astype("str")
    return pd.DataFrame(out, index=df.index)


def read_all(
    data_dir: Path | None = None, *, convert: bool = True
) -> tuple[dict[str, RawTable], dict[str, Any], str]:
    """Read every table of the package; returns (tables, descriptor, version).

    Raises :class:`DataError` when ``datapackage.json`` itself is broken. Otherwise every
    readable table is typed as soon as it is read (``RawTable.typed``); with ``convert``
    its text copy is then dropped, so memory holds one table as text at a time.
    """
    data_dir = Path(data_dir or paths.DATA_DIR)
    pkg, res, problems = read_package(data_dir)
    if problems:
        raise data_error(problems)
    tables = {}
    for name in paths.TABLES:
        t = tables[name] = read_table(name, res[name], data_dir)
        if t.frame is not None:
            t.typed = typed(t.frame, t.schema)
            if convert:
                t.frame = None
    return tables, pkg, data_version(data_dir)
