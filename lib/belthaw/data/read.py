"""Load the data package into typed DataFrames (the I/O edge of the library).

The rules a single cell must follow (types, enums, patterns, required fields,
keys) are read from ``data/datapackage.json``: the schema is the one place
they are stated. This module applies them column by column, vectorised, so a
million-row table costs a few pandas operations, not a Python loop per row.
Rules that span tables live in :mod:`belthaw.data.rules`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import paths
from ..errors import DataError, Problem
from ..provenance import data_version

#: Problems of one kind in one column are listed for at most this many rows,
#: then summarised, so a broken million-row file gives a readable report.
MAX_ROWS_PER_CHECK = 20

_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_INT_RE = r"[+-]?\d+"


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


def read_schema(data_dir: Path | None = None) -> dict[str, Any]:
    """Read ``datapackage.json``; a missing or broken file is a :class:`DataError`."""
    dp = Path(data_dir or paths.DATA_DIR) / "datapackage.json"
    try:
        return json.loads(dp.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(dp.name, None, None, f"not found in {dp.parent}")]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError([Problem(dp.name, None, None, f"is not valid UTF-8 JSON: {exc}")]) from None


def resources(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Map resource name -> resource descriptor."""
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


_NUL_SPACE = re.compile(r"\x00\s")


def _maybe_edge_space(s: pd.Series) -> bool:
    """False when no value of ``s`` starts or ends with whitespace (C-level scans only).

    The values are joined between NULs: a value with a leading space puts a space right
    after a NUL, one with a trailing space puts one right before a NUL (found as "after"
    in the reversed text). A miss is therefore certain; a hit (or a value holding a NUL)
    sends the caller to the exact per-row check. Searching a literal-prefixed pattern
    twice is several times faster than one search with alternatives.
    """
    text = "\x00" + "\x00".join(s.to_numpy(dtype=object)) + "\x00"
    return bool(_NUL_SPACE.search(text) or _NUL_SPACE.search(text[::-1]))


def _rows(mask: pd.Series) -> list[int]:
    """Spreadsheet line numbers (header = line 1) of the rows where ``mask`` is true."""
    return [int(i) + 2 for i in mask[mask].index[: MAX_ROWS_PER_CHECK + 1]]


def _emit(out: list[Problem], file: str, column: str, mask: pd.Series, message, **kw) -> None:
    """Add one problem per flagged row (up to the cap), then one summary line."""
    n = int(mask.sum())
    if not n:
        return
    lines = _rows(mask)
    values = None
    if callable(message):
        values = kw.pop("values")
    for line in lines[:MAX_ROWS_PER_CHECK]:
        text = message(values.iloc[line - 2]) if values is not None else message
        out.append(Problem(file, line, column, text, **kw))
    if n > MAX_ROWS_PER_CHECK:
        out.append(
            Problem(
                file,
                None,
                column,
                f"... the same problem on {n - MAX_ROWS_PER_CHECK} more rows",
                **kw,
            )
        )


def _decode(name: str, file: str, blob: bytes) -> tuple[str | None, list[Problem]]:
    if not blob.strip():
        return None, [Problem(file, None, None, "is empty: expected a header row and data rows")]
    if blob.startswith(b"\xef\xbb\xbf"):
        return None, [
            Problem(
                file, 1, None, "starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
            )
        ]
    try:
        return blob.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = blob.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                file,
                line,
                None,
                f"is not UTF-8 (byte 0x{blob[exc.start]:02x} at offset {exc.start}); "
                "re-save the file as UTF-8",
            )
        ]


def _ragged_rows(text: str, file: str) -> list[Problem]:
    """Slow path, only for a malformed file: find the rows whose field count is off."""
    import csv

    out = []
    reader = csv.reader(io.StringIO(text))
    want = len(next(reader))
    for row in reader:
        if row and len(row) != want:
            msg = (
                f"row has {len(row)} fields but the header has {want}; "
                "check for an unquoted comma or a missing cell"
            )
            out.append(Problem(file, reader.line_num, None, msg))
    return out[:MAX_ROWS_PER_CHECK]


def read_table(name: str, resource: dict[str, Any], data_dir: Path) -> RawTable:
    """Read one CSV as strings and check it against its schema, column by column."""
    path = data_dir / resource.get("path", f"{name}.csv")
    file = path.name
    raw = RawTable(name, file, None, resource["schema"])
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raw.problems.append(Problem(file, None, None, f"not found in {data_dir}"))
        return raw
    raw.digest = hashlib.sha256(blob).hexdigest()
    text, problems = _decode(name, file, blob)
    raw.problems += problems
    if text is None:
        return raw
    # Parse the bytes, not the decoded text: a StringIO would copy the whole file once
    # more, and at a million rows every copy is ~150 MiB. Decoding above proved it UTF-8.
    del text
    try:
        with warnings.catch_warnings():
            # pandas only *warns* when a row is longer than the header and drops the
            # extra cells; treat that as the error it is.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                io.BytesIO(blob),
                encoding="utf-8",
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                index_col=False,
                engine="c",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raw.problems += _ragged_rows(blob.decode("utf-8"), file) or [
            Problem(file, None, None, f"is not well-formed CSV: {exc}")
        ]
        return raw
    fields = raw.schema["fields"]
    names = [f["name"] for f in fields]
    header = list(df.columns)
    stripped = [h.strip() for h in header]
    for h, s in zip(header, stripped, strict=True):
        if h != s:
            raw.problems.append(
                Problem(file, 1, h, "header has leading or trailing whitespace; remove it")
            )
    missing = [n for n in names if n not in stripped]
    extra = [h for h in stripped if h not in names]
    for n in missing:
        spec = next(f for f in fields if f["name"] == n)
        req = spec.get("constraints", {}).get("required")
        raw.problems.append(
            Problem(
                file,
                1,
                n,
                f"{'required ' if req else ''}column is missing; expected columns: {', '.join(names)}",
            )
        )
    for h in extra:
        raw.problems.append(
            Problem(file, 1, h, f"unexpected column; the schema allows: {', '.join(names)}")
        )
    if missing or extra:
        return raw
    if df.empty:
        raw.problems.append(Problem(file, None, None, "has a header but no data rows"))
        return raw
    raw.problems += check_cells(df, raw.schema, file)
    raw.frame = df
    return raw


def check_cells(df: pd.DataFrame, schema: dict[str, Any], file: str) -> list[Problem]:
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
                file,
                col,
                present & (s != s.str.strip()),
                lambda v: f"value {v!r} has leading or trailing whitespace",
                values=s,
            )
        if c.get("required"):
            _emit(out, file, col, empty, "is required but empty")
        kind = spec.get("type", "string")
        if kind == "date":
            shape_ok = per_distinct(s, lambda u: u.str.fullmatch(_DATE_RE))
            parsed = pd.to_datetime(s.where(present & shape_ok), format="%Y-%m-%d", errors="coerce")
            bad = present & parsed.isna()
            _emit(
                out,
                file,
                col,
                bad,
                lambda v: f"{v!r} is not a date; expected YYYY-MM-DD (e.g. 2025-09-11)",
                values=s,
            )
        elif kind == "integer":
            ok = per_distinct(s, lambda u: u.str.fullmatch(_INT_RE))
            _emit(
                out,
                file,
                col,
                present & ~ok,
                lambda v: f"{v!r} is not a whole number",
                values=s,
            )
            if "minimum" in c:
                num = pd.to_numeric(s.where(present & ok), errors="coerce")
                _emit(
                    out,
                    file,
                    col,
                    num < c["minimum"],
                    lambda v, c=c: f"{v} is below the minimum {c['minimum']}",
                    values=s,
                )
        elif kind == "number":
            num = pd.to_numeric(s.where(present), errors="coerce")
            _emit(
                out, file, col, present & num.isna(), lambda v: f"{v!r} is not a number", values=s
            )
        if "enum" in c:
            allowed = c["enum"]
            _emit(
                out,
                file,
                col,
                present & ~s.isin(allowed),
                lambda v, allowed=allowed: (
                    f"{v!r} is not allowed; expected one of: {', '.join(allowed)}"
                ),
                values=s,
            )
        if "pattern" in c:
            ok = per_distinct(s, lambda u, c=c: u.str.fullmatch(c["pattern"]))
            _emit(
                out,
                file,
                col,
                present & ~ok,
                lambda v, c=c: f"{v!r} does not match the expected form {c['pattern']}",
                values=s,
            )
        if c.get("unique"):
            _emit(
                out,
                file,
                col,
                present & s.duplicated(keep="first"),
                lambda v: f"duplicate value {v!r}; each value must be unique",
                values=s,
            )
    pk = schema.get("primaryKey")
    if isinstance(pk, list) and len(pk) > 1:
        dup = df.duplicated(subset=pk, keep="first")
        _emit(out, file, "+".join(pk), dup, f"duplicate primary key ({', '.join(pk)})")
    return out


def read_all(
    data_dir: Path | None = None, *, convert: bool = False
) -> tuple[dict[str, RawTable], dict[str, Any], str]:
    """Read every table of the package as strings; returns (tables, schema, version).

    With ``convert``, each clean table is typed as soon as it is read and its text
    copy dropped (``RawTable.typed``), so memory holds one table as text at a time,
    not all of them: for a million events that is several hundred MiB less at peak.
    """
    data_dir = Path(data_dir or paths.DATA_DIR)
    schema = read_schema(data_dir)
    res = resources(schema)
    tables = {}
    for name in paths.TABLES:
        if name not in res:
            raise DataError(
                [Problem("datapackage.json", None, None, f"has no resource named '{name}'")]
            )
        t = tables[name] = read_table(name, res[name], data_dir)
        if convert and t.frame is not None and not any(p.severity == "error" for p in t.problems):
            t.typed, t.frame = typed(t.frame, t.schema), None
    return tables, schema, data_version(data_dir)


def typed(df: pd.DataFrame, schema: dict[str, Any]) -> pd.DataFrame:
    """Convert a checked table of strings to the dtypes of the contract."""
    out = {}
    for spec in schema["fields"]:
        col, kind = spec["name"], spec.get("type", "string")
        s = df[col]
        enum = spec.get("constraints", {}).get("enum")
        if kind == "date":
            out[col] = pd.to_datetime(s.where(s != ""), format="%Y-%m-%d", errors="coerce")
        elif kind == "integer":
            out[col] = pd.to_numeric(s.where(s != ""), errors="coerce").astype("Int64")
        elif kind == "number":
            out[col] = pd.to_numeric(s.where(s != ""), errors="coerce").astype("float64")
        elif enum:
            out[col] = pd.Categorical(s.where(s != ""), categories=enum)
        else:
            out[col] = s.astype("str")
    return pd.DataFrame(out)
