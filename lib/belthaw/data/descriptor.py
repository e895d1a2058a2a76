"""Read ``datapackage.json`` and check what the reader and the rules rely on.

Checked: resources with a name, a path inside the data folder and a schema whose fields
have a name, a supported type and constraints of the right JSON type; keys naming real
fields; the columns the workbook's code reads. Anything else in the descriptor (titles,
licences, new columns, new enum values) passes through. Patterns are the project's own,
reviewed like code, so they are compiled but not analysed for run time.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from .. import paths
from ..errors import Problem

DESCRIPTOR = "datapackage.json"
MAX_DESCRIPTOR_BYTES = 2 * 2**20
TYPES = ("string", "integer", "number", "date")
#: Constraint -> (the JSON types it may hold, how to write one).
CONSTRAINTS = {
    "required": ((bool,), "true or false"),
    "unique": ((bool,), "true or false"),
    "enum": ((list,), 'a list of texts, e.g. ["a", "b"]'),
    "pattern": ((str,), "a regular expression as text"),
    "minimum": ((int, float), 'a number, e.g. 0 (not "0")'),
    "maximum": ((int, float), 'a number, e.g. 1000 (not "1000")'),
    "minLength": ((int,), "a whole number"),
    "maxLength": ((int,), "a whole number"),
}
#: The columns the workbook's code reads (``name:type``; no type: string). A package may
#: add columns; it may not drop or retype these.
CONTRACT = {
    "sources": "source_id publisher title author published url source_type language corpus notes",
    "events": "event_id date:date date_end:date date_precision kind jurisdiction actor "
    "counterpart title instrument action_id action_stage count:integer count_precision "
    "destination n_home:integer n_foreign:integer source_ids notes",
    "claims": "claim_id event_id source_id field value value_num:number precision note",
    "exchanges": "exchange_id concession_event_id release_event_id link source_ids rationale",
    "people": "person_id name variants role nationality release_event_id outcome "
    "other_event_ids source_ids notes",
    "prisoner_counts": "date:date count:integer precision counted_by source_id notes",
    "totals": "total_id as_of:date since:date value:integer precision scope wording source_id notes",
}
#: Optional columns the rules read when present, with the type they must have.
OPTIONAL = {"n_pardoned": "integer", "n_political": "integer"}


def read_bytes(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file of at most ``limit`` bytes, or (None, why not).

    Every file of the package is read through here. A device, a FIFO or a folder is
    refused before it is opened (reading a FIFO blocks, a device never ends).
    """
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, "is not a regular file"
        if st.st_size > limit:
            return None, f"is {st.st_size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB"
        return path.read_bytes(), None
    except FileNotFoundError:
        return None, f"not found in {path.parent}"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"


def line_of(text: str, *names: str) -> int | None:
    """Line of the last of ``names`` (``"name": <value>`` pairs, in order) found in ``text``."""
    pos, line = 0, None
    for name in names:
        m = re.compile(r'"name"\s*:\s*' + re.escape(json.dumps(name))).search(text, pos)
        if m is None:
            break
        pos, line = m.end(), text.count("\n", 0, m.start()) + 1
    return line


def read_descriptor(data_dir: Path) -> tuple[dict, list[Problem]]:
    """The descriptor of ``data_dir`` and its problems (the reader stops on any)."""
    blob, why = read_bytes(data_dir / DESCRIPTOR, MAX_DESCRIPTOR_BYTES)
    if blob is None:
        return {}, [Problem(DESCRIPTOR, None, None, why)]
    try:
        text = blob.decode("utf-8-sig")
        pkg = json.loads(text)
    except UnicodeDecodeError as exc:
        line = blob.count(b"\n", 0, exc.start) + 1
        return {}, [Problem(DESCRIPTOR, line, None, "is not UTF-8; save it as UTF-8")]
    except json.JSONDecodeError as exc:
        at = f"(column {exc.colno}); check the commas and quotes there"
        return {}, [Problem(DESCRIPTOR, exc.lineno, None, f"is not valid JSON: {exc.msg} {at}")]
    except RecursionError:
        return {}, [Problem(DESCRIPTOR, 1, None, "is nested too deeply to be a descriptor")]
    return pkg, [
        Problem(DESCRIPTOR, line_of(text, *at), None, msg) for at, msg in check(pkg, data_dir)
    ]


def check(pkg, data_dir: Path) -> list[tuple[tuple[str, ...], str]]:
    """Every problem as (names locating it, message)."""
    res = pkg.get("resources") if isinstance(pkg, dict) else None
    if not isinstance(res, list) or not all(isinstance(r, dict) for r in res):
        return [((), 'top level: must be a JSON object with a "resources" list of objects')]
    out, names = [], [r.get("name") for r in res]
    for i, (r, name) in enumerate(zip(res, names, strict=True)):
        if not isinstance(name, str) or not name:
            msg = f'resources[{i}]: has no "name"; every resource needs one, e.g. "events"'
            out.append(((), msg))
        elif name in names[:i]:
            out.append(((name,), f"resource '{name}': the name is used twice"))
        else:
            out += [((name, *at), f"resource '{name}', {msg}") for at, msg in resource(r, data_dir)]
    missing = [t for t in paths.TABLES if t not in names]
    out += [((), f"has no resource named '{t}'; the workbook needs it") for t in missing]
    if out:
        return out
    by_name = dict(zip(names, res, strict=True))
    for n, r in by_name.items():
        out += [((n, *at), f"resource '{n}', {msg}") for at, msg in keys(r, by_name)]
    return out


def resource(r: dict, data_dir: Path) -> list[tuple[tuple[str, ...], str]]:
    """Problems of one resource's path and schema fields."""
    why = path_problem(r.get("path"), data_dir)
    if why:
        return [((), f"path: {why}")]
    schema = r.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not fields or not all(isinstance(f, dict) for f in fields):
        return [((), 'schema: must be an object with a "fields" list of objects')]
    out, have = [], {}
    for j, f in enumerate(fields):
        name = f.get("name")
        if not isinstance(name, str) or not name or name != name.strip():
            out.append(((), f'schema.fields[{j}]: has no usable "name"; give the column\'s header'))
            continue
        if name in have:
            out.append(((name,), f"field '{name}': declared twice"))
        have[name] = f.get("type", "string")
        out += [((name,), f"field '{name}', {msg}") for msg in field_problems(f)]
    for item in CONTRACT[r["name"]].split() if r["name"] in CONTRACT else []:
        col, _, kind = item.partition(":")
        if have.get(col) != (kind or "string"):
            msg = (
                f"schema: needs field '{col}' of type {kind or 'string'}, which the workbook reads"
            )
            out.append(((), msg))
    for col, kind in OPTIONAL.items():
        if have.get(col, kind) != kind:
            out.append(((col,), f"field '{col}': must have type {kind}, not {have[col]}"))
    return out


def field_problems(f: dict) -> list[str]:
    """Problems of one field's type and constraints."""
    kind, c = f.get("type", "string"), f.get("constraints", {})
    if kind not in TYPES:
        return [f"type: {json.dumps(kind)} is not supported; use one of: {', '.join(TYPES)}"]
    if not isinstance(c, dict):
        return ["constraints: must be an object"]
    out = []
    for key, value in c.items():
        want, how = CONSTRAINTS.get(key, ((), ""))
        if not want:
            out.append(f"constraints.{key}: is not supported; use: {', '.join(CONSTRAINTS)}")
        elif not isinstance(value, want) or (isinstance(value, bool) and bool not in want):
            out.append(f"constraints.{key}: is {json.dumps(value)[:40]}; expected {how}")
        elif key in ("minimum", "maximum") and (
            kind not in ("integer", "number") or not abs(value) <= 1e15  # NaN fails too
        ):
            out.append(f"constraints.{key}: must be a finite number, on a number field")
        elif key in ("minLength", "maxLength") and value < 0:
            out.append(f"constraints.{key}: must be 0 or more")
        elif key == "enum" and (
            kind != "string" or not value or not all(isinstance(v, str) for v in value)
        ):
            out.append("constraints.enum: must be a non-empty list of texts, on a string field")
        elif key == "pattern":
            try:
                re.compile(value)
            except (re.error, RecursionError, OverflowError) as exc:
                out.append(
                    f"constraints.pattern: {value[:60]!r} is not a valid regular expression ({exc})"
                )
    return out


def path_problem(value, data_dir: Path) -> str | None:
    """Why ``value`` is not a file name inside the data folder (None when it is)."""
    if not isinstance(value, str) or not value.strip():
        return 'must be a file name (text), e.g. "events.csv"'
    shown = repr(value[:80])
    if "\x00" in value or "://" in value or "\\" in value:
        return f"{shown} must be a plain relative file name inside the data folder"
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).drive or value[0] == "~":
        return f"{shown} is an absolute path; give a file name inside the data folder"
    if ".." in PurePosixPath(value).parts:
        return f"{shown} goes outside the data folder ('..'); give a file inside it"
    try:
        inside = (data_dir / value).resolve().is_relative_to(data_dir.resolve())
    except (OSError, RuntimeError):
        return f"{shown} cannot be resolved (a symbolic-link loop?)"
    return None if inside else f"{shown} leads outside the data folder (a symbolic link?)"


def _names(r: dict) -> list:
    return [f["name"] for f in r["schema"]["fields"]]


def keys(r: dict, by_name: dict[str, dict]) -> list[tuple[tuple[str, ...], str]]:
    """Problems of a resource's primaryKey and foreignKeys (fields and targets must exist)."""
    out, pk, fks = [], r["schema"].get("primaryKey", []), r["schema"].get("foreignKeys", [])
    pks = [pk] if isinstance(pk, str) else pk if isinstance(pk, list) else [None]
    if not all(k in _names(r) for k in pks):
        msg = f"schema.primaryKey: {json.dumps(pk)[:60]} must name fields of this resource"
        out.append(((), msg))
    for k, fk in enumerate(fks if isinstance(fks, list) else [None]):
        ref = fk.get("reference") if isinstance(fk, dict) else None
        to = (ref.get("resource") or r["name"]) if isinstance(ref, dict) else None
        target = by_name.get(to) if isinstance(to, str) else None
        if (
            target is None
            or one(fk.get("fields")) not in _names(r)
            or one(ref.get("fields")) not in _names(target)
        ):
            msg = f"schema.foreignKeys[{k}]: must name one field of this resource and "
            out.append(((), msg + "a resource of this package with one of its fields"))
    return out


def one(value) -> str | None:
    """The single field name of a key's ``fields`` (a text or a list of one text)."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) else None
