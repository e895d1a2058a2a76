"""Read and check ``datapackage.json``: the schema is untrusted input, like any CSV.

Pre-commit and CI validate contributed data, so a package may come from anyone. Before
a single CSV is opened, the descriptor is checked here: its shape (resources, fields,
constraints, keys), that every resource path stays inside the package folder, that
every ``pattern`` is a regular expression that cannot take exponential time, and that
the columns the workbook's code relies on exist with the right types. Each finding is a
:class:`~belthaw.errors.Problem` naming ``datapackage.json``, the line and the JSON path.

It is longer than 500 lines because it holds the whole descriptor check plus the
regular-expression safety analysis the patterns need; both guard the same untrusted file.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .. import paths
from ..errors import Problem

try:  # Python >= 3.11
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

DESCRIPTOR = "datapackage.json"
#: A descriptor is a few tens of kB; anything this large is not one.
MAX_DESCRIPTOR_BYTES = 5 * 2**20
TYPES = ("string", "integer", "number", "date")
#: Constraint -> the JSON types it may hold (bool is not a number here).
CONSTRAINTS: dict[str, tuple[type, ...]] = {
    "required": (bool,),
    "unique": (bool,),
    "enum": (list,),
    "pattern": (str,),
    "minimum": (int, float),
    "maximum": (int, float),
    "minLength": (int,),
    "maxLength": (int,),
}
FORMATS = {"string": ("default", "uri", "email"), "date": ("default",)}
#: A longer pattern is not a column rule but an attack surface.
MAX_PATTERN_CHARS = 1000

#: The columns the workbook's code reads, with their types. A package may add columns
#: (they are checked by the schema like any other) but not drop or retype these.
CONTRACT: dict[str, dict[str, str]] = {
    "sources": dict.fromkeys(
        "source_id publisher title author published url source_type language corpus notes".split(),
        "string",
    ),
    "events": {
        **dict.fromkeys(
            "event_id date_precision kind jurisdiction actor counterpart title instrument "
            "action_id action_stage count_precision destination source_ids notes".split(),
            "string",
        ),
        "date": "date",
        "date_end": "date",
        "count": "integer",
        "n_home": "integer",
        "n_foreign": "integer",
    },
    "claims": {
        **dict.fromkeys("claim_id event_id source_id field value precision note".split(), "string"),
        "value_num": "number",
    },
    "exchanges": dict.fromkeys(
        "exchange_id concession_event_id release_event_id link source_ids rationale".split(),
        "string",
    ),
    "people": dict.fromkeys(
        "person_id name variants role nationality release_event_id outcome other_event_ids "
        "source_ids notes".split(),
        "string",
    ),
    "prisoner_counts": {
        **dict.fromkeys("precision counted_by source_id notes".split(), "string"),
        "date": "date",
        "count": "integer",
    },
    "totals": {
        **dict.fromkeys("total_id precision scope wording source_id notes".split(), "string"),
        "as_of": "date",
        "since": "date",
        "value": "integer",
    },
}
#: Optional columns (added in data version 1.1): when present they must have this type.
OPTIONAL_TYPES: dict[str, dict[str, str]] = {
    "events": {"n_pardoned": "integer", "n_political": "integer"},
}


# --------------------------------------------------------------------------- reading


def read_limited(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file of at most ``limit`` bytes, or (None, why not).

    A device (``/dev/zero``), a FIFO or a folder is refused before it is opened:
    opening a FIFO blocks, and reading a device never ends.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None, "not found"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        return None, "is not a regular file"
    if st.st_size > limit:
        return None, f"is {st.st_size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB"
    try:
        with open(path, "rb") as fh:
            blob = fh.read(limit + 1)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    if len(blob) > limit:
        return None, f"is larger than the limit of {limit / 2**20:.0f} MB"
    return blob, None


def load_descriptor(data_dir: Path) -> tuple[Any, str, list[Problem]]:
    """Parse ``datapackage.json``; returns (object, text, problems)."""
    dp = data_dir / DESCRIPTOR
    blob, why = read_limited(dp, MAX_DESCRIPTOR_BYTES)
    if blob is None:
        where = f"in {data_dir}" if why == "not found" else ""
        return None, "", [Problem(DESCRIPTOR, None, None, f"{why} {where}".strip())]
    if blob.startswith(b"\xef\xbb\xbf"):
        blob = blob[3:]
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = blob.count(b"\n", 0, exc.start) + 1
        return None, "", [Problem(DESCRIPTOR, line, None, "is not UTF-8; save it as UTF-8")]
    try:
        return json.loads(text), text, []
    except json.JSONDecodeError as exc:
        msg = f"is not valid JSON: {exc.msg} (column {exc.colno}); check commas and quotes there"
        return None, text, [Problem(DESCRIPTOR, exc.lineno, None, msg)]
    except RecursionError:
        return None, text, [Problem(DESCRIPTOR, 1, None, "is nested too deeply to be a descriptor")]


# ------------------------------------------------------------------- JSON line numbers

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)


def json_lines(text: str) -> dict[tuple, int]:
    """Line of every value in a JSON text, keyed by its path (keys and list indexes).

    The standard parser keeps no positions; this scans the (already parsed, so valid)
    text once, iteratively, so that a problem can name the line an editor shows.
    """
    lines: dict[tuple, int] = {}
    stack: list[list] = []  # [kind, key-or-index, path, expecting_key]
    line, pos = 1, 0
    for m in _TOKEN.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        tok = m.group()
        top = stack[-1] if stack else None
        if tok in ",:":
            if tok == "," and top is not None:
                if top[0] == "arr":
                    top[1] += 1
                else:
                    top[3] = True
            continue
        if tok in "}]":
            stack.pop()
            continue
        if top is not None and top[0] == "obj" and top[3]:
            top[1], top[3] = json.loads(tok), False
            continue
        path = () if top is None else (*top[2], top[1])
        lines.setdefault(path, line)
        if tok == "{":
            stack.append(["obj", None, path, True])
        elif tok == "[":
            stack.append(["arr", 0, path, False])
    return lines


# -------------------------------------------------------------------- safe patterns

_SAMPLE = frozenset([chr(c) for c in range(9, 127)] + ["é", "Ж", "٥", "\u00a0", "中"])
_CATEGORY = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


class _Unsafe(Exception):
    pass


def _class_chars(items) -> frozenset[str]:
    out: set[str] = set()
    negate = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            out.add(chr(av))
        elif name == "RANGE":
            out |= {c for c in _SAMPLE if av[0] <= ord(c) <= av[1]}
        elif name == "CATEGORY":
            rx = re.compile(_CATEGORY.get(str(av), "."), re.ASCII)
            out |= {c for c in _SAMPLE if rx.match(c)}
        elif name == "NOT_LITERAL":
            out |= _SAMPLE - {chr(av)}
        else:
            out |= _SAMPLE
    return frozenset(_SAMPLE - out) if negate else frozenset(out)


def _item(op, av) -> tuple[frozenset[str], bool, frozenset[str]]:
    """(first characters, can match empty, every character it can consume) of one item."""
    name = str(op)
    if name == "LITERAL":
        c = frozenset(chr(av))
        return c, False, c
    if name == "NOT_LITERAL":
        c = _SAMPLE - {chr(av)}
        return c, False, c
    if name == "ANY":
        return _SAMPLE, False, _SAMPLE
    if name == "IN":
        c = _class_chars(av)
        return c, False, c
    if name == "AT":
        return frozenset(), True, frozenset()
    if name == "SUBPATTERN":
        return _seq(av[-1])
    if name == "BRANCH":
        firsts = [_seq(alt) for alt in av[1]]
        seen: set[str] = set()
        for f, _, _ in firsts:
            if seen & f:
                # two alternatives that can start alike: under a repeat this backtracks
                # exponentially, so it is refused everywhere (rewrite as a class or factor).
                raise _Unsafe("alternatives that can start with the same character")
            seen |= f
        consumed = frozenset().union(*(a for _, _, a in firsts))
        return frozenset(seen), any(n for _, n, _ in firsts), consumed
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        lo, hi, body = av
        first, nullable, consumed = _seq(body)
        if hi == _sre.MAXREPEAT or hi > 1:
            if nullable:
                raise _Unsafe("a repeated part that can match nothing")
            inner = _inner_repeat_chars(body)
            if inner & first:
                raise _Unsafe(
                    "a repeated group whose inner repeat can also start the next repetition"
                )
        return first, nullable or lo == 0, consumed
    raise _Unsafe(f"a construct the safety check does not accept ({name.lower()})")


def _inner_repeat_chars(seq) -> frozenset[str]:
    out: set[str] = set()
    for op, av in seq:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if av[1] == _sre.MAXREPEAT or av[1] > 1:
                out |= _seq(av[2])[2]
            out |= _inner_repeat_chars(av[2])
        elif name == "SUBPATTERN":
            out |= _inner_repeat_chars(av[-1])
        elif name == "BRANCH":
            for alt in av[1]:
                out |= _inner_repeat_chars(alt)
    return frozenset(out)


def _seq(seq) -> tuple[frozenset[str], bool, frozenset[str]]:
    first: set[str] = set()
    consumed: set[str] = set()
    nullable = True
    prev_repeat: frozenset[str] | None = None
    for op, av in seq:
        f, n, c = _item(op, av)
        if nullable:
            first |= f
        nullable = nullable and n
        consumed |= c
        is_rep = str(op) in ("MAX_REPEAT", "MIN_REPEAT") and (av[1] == _sre.MAXREPEAT or av[1] > 1)
        if is_rep and prev_repeat is not None and prev_repeat & f:
            raise _Unsafe("two repeats in a row that can match the same characters")
        prev_repeat = c if is_rep else (prev_repeat if str(op) == "AT" else None)
    return frozenset(first), nullable, frozenset(consumed)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` may not be used (None when it is fine).

    Python's ``re`` backtracks: ``^(a+)+$`` on 41 characters runs for minutes. A pattern
    is accepted when each repetition is unambiguous (it can only start with a character
    its own inner repeats cannot consume, as in ``(;[a-z]+)*``), alternatives start
    differently, and no two repeats in a row compete for the same characters. Together
    with the cell-length limit this keeps matching polynomial and short.
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"is {len(pattern)} characters long; at most {MAX_PATTERN_CHARS} are accepted"
    try:
        re.compile(pattern, re.ASCII)
        tree = _sre_parse.parse(pattern, re.ASCII)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"is not a valid regular expression ({exc})"
    try:
        _seq(list(tree))
    except _Unsafe as exc:
        return (
            f"could take exponential time to match: it has {exc}; rewrite it so that each "
            "repetition starts with a character the previous one cannot end with "
            "(e.g. '[a-z0-9]+(;[a-z0-9]+)*')"
        )
    except RecursionError:
        return "is nested too deeply"
    return None


# ------------------------------------------------------------------- descriptor check


def _path_problem(value: Any, data_dir: Path) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return 'must be a file name (text), e.g. "events.csv"'
    if "\x00" in value or "://" in value or "\\" in value:
        return f"{value[:80]!r} must be a plain relative file name inside the data folder"
    pp = PurePosixPath(value)
    if pp.is_absolute() or PureWindowsPath(value).drive or value.startswith("~"):
        return f"{value[:80]!r} is an absolute path; give a file name inside the data folder"
    if ".." in pp.parts:
        return f"{value[:80]!r} goes outside the data folder ('..'); give a file inside it"
    root = data_dir.resolve()
    try:
        target = (data_dir / value).resolve()
    except (OSError, RuntimeError):
        return f"{value[:80]!r} cannot be resolved (a symbolic-link loop?)"
    if not target.is_relative_to(root):
        return f"{value[:80]!r} leads outside the data folder (a symbolic link?)"
    return None


def _show(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _jtype(v: Any) -> str:
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "text"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return "null"


class _Checker:
    def __init__(self, text: str, data_dir: Path):
        self.text, self.data_dir = text, data_dir
        self.problems: list[Problem] = []
        self._lines: dict[tuple, int] | None = None
        self.labels: dict[tuple, str] = {}

    def line(self, path: tuple) -> int:
        if self._lines is None:
            self._lines = json_lines(self.text) if self.text else {}
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path, 1)

    def add(self, path: tuple, message: str) -> None:
        parts: list[str] = []
        pending: list[str] = []
        for i, comp in enumerate(path):
            label = self.labels.get(path[: i + 1])
            if label:  # "resources[2]" -> "resource 'events'", "schema.fields[3]" -> "field 'x'"
                parts.append(label)
                pending = []
            else:
                pending.append(f"[{comp}]" if isinstance(comp, int) else f".{comp}")
        if pending:
            parts.append("".join(pending).lstrip("."))
        where = ", ".join(parts) or "top level"
        self.problems.append(Problem(DESCRIPTOR, self.line(path), None, f"{where}: {message}"))


def check_descriptor(pkg: Any, text: str, data_dir: Path) -> tuple[list[Problem], dict[str, dict]]:
    """Every problem of the descriptor, and the usable resources by name."""
    ck = _Checker(text, data_dir)
    if not isinstance(pkg, dict):
        ck.add((), f'must be a JSON object {{...}} with a "resources" list, not {_jtype(pkg)}')
        return ck.problems, {}
    res_list = pkg.get("resources")
    if not isinstance(res_list, list) or not res_list:
        ck.add(("resources",), "must be a non-empty list of resources")
        return ck.problems, {}
    found: dict[str, dict] = {}
    where_of: dict[str, tuple] = {}
    for i, res in enumerate(res_list):
        p = ("resources", i)
        if not isinstance(res, dict):
            ck.add(p, f"must be an object with name, path and schema, not {_jtype(res)}")
            continue
        name = res.get("name")
        if not isinstance(name, str) or not name:
            ck.add(p, 'has no "name" (text); every resource needs one, e.g. "events"')
            continue
        ck.labels[p] = f"resource '{name[:40]}'"
        if name in found:
            ck.add(p + ("name",), f"'{name[:40]}' is used by two resources")
            continue
        why = _path_problem(res.get("path", f"{name}.csv"), data_dir)
        if why:
            ck.add(p + ("path",), why)
            continue
        if _check_schema(ck, p, res.get("schema")):
            found[name] = res
            where_of[name] = p
    declared = {r.get("name") for r in res_list if isinstance(r, dict)}
    for name in paths.TABLES:
        if name not in declared:
            ck.add(("resources",), f"has no resource named '{name}'; the workbook needs it")
    for name, res in found.items():
        _check_keys(ck, where_of[name], res, found, declared)
        _check_contract(ck, where_of[name], name, res)
    return ck.problems, found


def _check_schema(ck: _Checker, p: tuple, schema: Any) -> bool:
    ps = p + ("schema",)
    if not isinstance(schema, dict):
        ck.add(ps, 'must be an object with a "fields" list (written in the descriptor)')
        return False
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        ck.add(ps + ("fields",), "must be a non-empty list of fields")
        return False
    ok = True
    names: set[str] = set()
    for j, f in enumerate(fields):
        pf = ps + ("fields", j)
        if not isinstance(f, dict):
            ck.add(pf, f'must be an object with a "name", not {_jtype(f)}')
            ok = False
            continue
        name = f.get("name")
        if not isinstance(name, str) or not name or name != name.strip():
            ck.add(pf, f'has no usable "name" ({_show(name)}); give the column\'s header text')
            ok = False
            continue
        ck.labels[pf] = f"field '{name[:40]}'"
        if name in names:
            ck.add(pf + ("name",), f"'{name[:40]}' is declared twice")
            ok = False
        names.add(name)
        kind = f.get("type", "string")
        if kind not in TYPES:
            ck.add(
                pf + ("type",), f"{_show(kind)} is not supported; use one of: {', '.join(TYPES)}"
            )
            ok = False
            continue
        fmt = f.get("format", "default")
        if (
            kind in ("integer", "number")
            and fmt != "default"
            or (kind in FORMATS and fmt not in FORMATS[kind])
        ):
            allowed = ", ".join(FORMATS.get(kind, ("default",)))
            ck.add(pf + ("format",), f"{_show(fmt)} is not supported for {kind}; use {allowed}")
            ok = False
        ok &= _check_constraints(ck, pf, kind, f.get("constraints", {}))
    return ok


def _check_constraints(ck: _Checker, pf: tuple, kind: str, c: Any) -> bool:
    pc = pf + ("constraints",)
    if not isinstance(c, dict):
        ck.add(pc, f"must be an object, not {_jtype(c)}")
        return False
    ok = True
    for key, value in c.items():
        want = CONSTRAINTS.get(key)
        if want is None:
            ck.add(pc + (key,), f"'{key[:40]}' is not supported; use: {', '.join(CONSTRAINTS)}")
            ok = False
        elif isinstance(value, bool) and bool not in want or not isinstance(value, want):
            ck.add(pc + (key,), f"is {_show(value)} ({_jtype(value)}); expected {_expected(key)}")
            ok = False
        elif key in ("minimum", "maximum") and kind not in ("integer", "number"):
            ck.add(pc + (key,), f"applies to numbers only, and this field is {kind}")
            ok = False
        elif key in ("minimum", "maximum") and kind == "integer" and not float(value).is_integer():
            ck.add(pc + (key,), f"is {value}; an integer column needs a whole number")
            ok = False
        elif key in ("minimum", "maximum") and (value != value or abs(value) == float("inf")):
            ck.add(pc + (key,), "must be a finite number")
            ok = False
        elif key in ("minLength", "maxLength") and value < 0:
            ck.add(pc + (key,), "must be 0 or more")
            ok = False
        elif key == "enum" and (
            not value or not all(isinstance(v, str) for v in value) or kind != "string"
        ):
            ck.add(pc + (key,), "must be a non-empty list of texts, on a string field")
            ok = False
        elif key == "pattern":
            why = pattern_problem(value) if kind == "string" else "applies to string fields only"
            if why:
                ck.add(pc + (key,), f"{_show(value)} {why}")
                ok = False
    lo, hi = c.get("minimum"), c.get("maximum")
    if ok and lo is not None and hi is not None and lo > hi:
        ck.add(pc + ("minimum",), f"{lo} is above the maximum {hi}")
        ok = False
    return ok


def _expected(key: str) -> str:
    return {
        "required": "true or false",
        "unique": "true or false",
        "enum": 'a list of texts, e.g. ["a", "b"]',
        "pattern": "a regular expression as text",
        "minimum": 'a number, e.g. 0 (not "0")',
        "maximum": 'a number, e.g. 1000000 (not "1000000")',
        "minLength": "a whole number",
        "maxLength": "a whole number",
    }[key]


def _one(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    return None


def _field_names(res: dict) -> list[str]:
    return [f["name"] for f in res["schema"]["fields"]]


def _check_keys(ck: _Checker, p: tuple, res: dict, found: dict[str, dict], declared: set) -> None:
    schema = res["schema"]
    names = _field_names(res)
    pk = schema.get("primaryKey")
    if pk is not None:
        keys = [pk] if isinstance(pk, str) else pk
        if not isinstance(keys, list) or not all(isinstance(k, str) and k in names for k in keys):
            ck.add(p + ("schema", "primaryKey"), f"{_show(pk)} must name fields of this resource")
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        ck.add(p + ("schema", "foreignKeys"), "must be a list")
        return
    for k, fk in enumerate(fks):
        pk_ = p + ("schema", "foreignKeys", k)
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            ck.add(pk_, 'must be an object with "fields" and a "reference" object')
            continue
        col, ref = _one(fk.get("fields")), fk["reference"]
        if col is None or col not in names:
            ck.add(
                pk_ + ("fields",), f"{_show(fk.get('fields'))} must name one field of this resource"
            )
        target = ref.get("resource")
        if target == "":
            target = res["name"]
        if not isinstance(target, str) or target not in declared:
            ck.add(
                pk_ + ("reference", "resource"),
                f"{_show(target)} is not a resource of this package",
            )
            continue
        if target not in found:  # broken itself, and reported as such
            continue
        rcol = _one(ref.get("fields"))
        if rcol is None or rcol not in _field_names(found[target]):
            ck.add(
                pk_ + ("reference", "fields"),
                f"{_show(ref.get('fields'))} must name one field of '{target}'",
            )


def _check_contract(ck: _Checker, p: tuple, name: str, res: dict) -> None:
    have = {f["name"]: f.get("type", "string") for f in res["schema"]["fields"]}
    for col, kind in CONTRACT.get(name, {}).items():
        if col not in have:
            ck.add(p + ("schema", "fields"), f"lacks field '{col}', which the workbook reads")
        elif have[col] != kind:
            ck.add(
                p + ("schema", "fields"), f"field '{col}' must have type {kind}, not {have[col]}"
            )
    for col, kind in OPTIONAL_TYPES.get(name, {}).items():
        if col in have and have[col] != kind:
            ck.add(
                p + ("schema", "fields"), f"field '{col}' must have type {kind}, not {have[col]}"
            )
