"""Notebook parameters: read from the ``parameters`` cell, coerced and checked.

Every notebook ``notebooks/NN_name.ipynb`` has one code cell tagged
``parameters`` in which every line reads::

    name: type = default  # help text {choice, choice}

That is the form papermill itself parses (``papermill --help-notebook`` shows
it), and :func:`notebook_params` reads it with papermill's own parser, so what
the runner validates is exactly what papermill injects. The conventions on top:

* supported types: ``str``, ``int``, ``float``, ``bool``, ``list`` (or
  ``list[str]``/``list[int]``/``list[float]``);
* choices go in braces at the end of the help; for a ``list`` every element
  must be one of them;
* a parameter named ``start``/``end`` or whose help says "ISO date" must be a
  ``YYYY-MM-DD`` date, and ``end`` may not be before ``start``.

Values reach :func:`coerce_and_check` either typed (from YAML) or as strings
(from ``-p name value``); strings are converted by the *declared* type, never
guessed. All problems of one notebook are raised together in one
:class:`~belthaw.errors.ParameterError`.

The parameter-set file ``notebooks/params.yaml`` is read by
:func:`load_param_sets`; see ``docs/runner.md`` for its format.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ParameterError

__all__ = [
    "ParamSpec",
    "ParamSets",
    "ParamsFileError",
    "notebook_params",
    "coerce_and_check",
    "coerce_value",
    "load_param_sets",
    "parameter_error",
    "RESERVED_SETS",
]

SCALAR_TYPES = ("str", "int", "float", "bool")
#: Set names the runner owns: ``adhoc`` receives one-off ``-p`` runs.
RESERVED_SETS = ("adhoc",)
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_CHOICES_RE = re.compile(r"\{([^{}]*)\}\s*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SET_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class ParamSpec:
    """One declared notebook parameter."""

    name: str
    type: str  # "str" | "int" | "float" | "bool" | "list"
    default: Any
    help: str = ""
    choices: tuple[str, ...] | None = None
    is_date: bool = False
    item_type: str = "str"  # element type of a list parameter

    def describe(self) -> str:
        """``name: type = default  help`` as ``belthaw run --list`` shows it."""
        typ = self.type if self.type != "list" else f"list[{self.item_type}]"
        return f"{self.name}: {typ} = {self.default!r}  {self.help}".rstrip()


def parameter_error(notebook: str, problems: list[tuple[str, str]]) -> ParameterError:
    """One :class:`ParameterError` for one or several ``(parameter, message)`` problems.

    The error keeps the list in ``.problems``; ``.parameter`` is the first one.
    """
    err = ParameterError(notebook, problems[0][0], problems[0][1])
    if len(problems) > 1:
        lines = [f"{notebook}: {len(problems)} parameter problems:"]
        lines += [f"  - parameter '{p}': {m}" for p, m in problems]
        err.args = ("\n".join(lines),)
    err.problems = list(problems)  # type: ignore[attr-defined]
    return err


class ParamsFileError(ParameterError):
    """``params.yaml`` (or a ``-y`` file) is malformed; names the file and the key."""

    def __init__(self, file: Path | str, key: str, message: str):
        self.file, self.key = str(file), key
        self.notebook, self.parameter = str(file), key
        Exception.__init__(self, f"{file}: {key}: {message}" if key else f"{file}: {message}")
        self.problems = [(key, message)]


# --------------------------------------------------------------------------- specs


def _parse_type(annotation: str) -> tuple[str, str] | None:
    ann = annotation.replace(" ", "")
    if ann in SCALAR_TYPES:
        return ann, "str"
    m = re.fullmatch(r"(?:list|List)(?:\[(\w+)\])?", ann)
    if m and (m.group(1) or "str") in SCALAR_TYPES:
        return "list", m.group(1) or ""
    return None


def _parameters_cell_source(path: Path) -> str | None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get(
            "tags", []
        ):
            src = cell.get("source", "")
            return "".join(src) if isinstance(src, list) else src
    return None


def _assigned_names(source: str) -> list[str]:
    """Names assigned at top level of the parameters cell (a cross-check on papermill)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


# papermill's own pattern for one parameter line (papermill 2.x, translators.PythonTranslator).
_PAPERMILL_LINE = re.compile(
    r"^(?P<target>\w[\w_]*)\s*(:\s*[\"']?(?P<annotation>\w[\w_\[\],\s]*)[\"']?\s*)?=\s*"
    r"(?P<value>.*?)(\s*#\s*(type:\s*(?P<type_comment>[^\s]*)\s*)?(?P<help>.*))?$"
)


@dataclass(frozen=True)
class _Inspected:
    name: str
    inferred_type_name: str
    default: str
    help: str


def inspect_parameters(source: str) -> list[_Inspected]:
    """Read a parameters cell the way ``papermill --help-notebook`` does, without papermill.

    Every kernel checks its parameters in its first cell; importing papermill there
    costs ~0.5 s per notebook (more with jsonschema's optional URI checker), so this
    mirrors papermill's parser: lines are grouped at each line holding an '=', a
    line with two '=' is skipped, and the last comment is the help text.
    tests/test_params.py checks it agrees with papermill on every notebook.
    """
    groups: list[list[str]] = []
    current: list[str] = []
    for line in source.splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        n_eq = line.count("=")
        if n_eq:
            groups.append(current)
            current = []
            if n_eq > 1:
                continue
        current.append(line)
    groups.append(current)
    out = []
    for group in groups:
        flat = "".join((ln[: ln.index("#")] if "#" in ln else ln).strip() for ln in group[:-1]) + (
            group[-1].strip() if group else ""
        )
        m = _PAPERMILL_LINE.match(flat) if flat else None
        if m is None:
            continue
        a = m.groupdict()
        out.append(
            _Inspected(
                name=a["target"].strip(),
                inferred_type_name=str(a["annotation"] or a["type_comment"] or None).strip(),
                default=str(a["value"]).strip(),
                help=str(a["help"] or "").strip(),
            )
        )
    return out


def notebook_params(path: Path | str) -> dict[str, ParamSpec]:
    """Read the parameter specs of the notebook at ``path`` (papermill's parser).

    Raises :class:`ParameterError` when a line of the parameters cell does not
    follow the convention (no type, unsupported type, a default that is not a
    Python literal, or a line papermill cannot read, e.g. one with two ``=``).
    A notebook without a parameters cell has no parameters.
    """
    path = Path(path)
    nb_name = path.stem
    source = _parameters_cell_source(path)
    if source is None:
        return {}
    inspected = inspect_parameters(source)
    specs: dict[str, ParamSpec] = {}
    problems: list[tuple[str, str]] = []
    for p in inspected:
        parsed = _parse_type(p.inferred_type_name)
        if parsed is None:
            problems.append(
                (
                    p.name,
                    f"declared type {p.inferred_type_name!r} is not supported; "
                    f"write 'name: type = default  # help' with type one of "
                    f"{', '.join(SCALAR_TYPES)}, list",
                )
            )
            continue
        typ, item = parsed
        try:
            default = ast.literal_eval(p.default)
        except (ValueError, SyntaxError):
            problems.append((p.name, f"default {p.default!r} is not a Python literal"))
            continue
        if typ == "list" and not item:
            elems = default if isinstance(default, list) else []
            kinds = {type(e).__name__ for e in elems}
            item = kinds.pop() if len(kinds) == 1 and elems else "str"
            item = item if item in SCALAR_TYPES else "str"
        help_text = p.help
        choices = None
        m = _CHOICES_RE.search(help_text)
        if m:
            choices = tuple(c.strip() for c in m.group(1).split(",") if c.strip())
        is_date = p.name in ("start", "end") or "iso date" in help_text.lower()
        specs[p.name] = ParamSpec(p.name, typ, default, help_text, choices, is_date, item or "str")
    for name in _assigned_names(source):
        if name not in specs and name not in {n for n, _ in problems}:
            problems.append(
                (name, "papermill cannot read this line of the parameters cell (one '=' per line)")
            )
    if problems:
        raise parameter_error(nb_name, problems)
    # The defaults must satisfy the notebook's own rules too.
    coerce_and_check(nb_name, specs, {})
    return specs


# --------------------------------------------------------------------------- values


def _coerce_scalar(value: Any, typ: str) -> Any:
    """Convert ``value`` to ``typ``; raise ValueError with what was expected."""
    if typ == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, dt.date):  # YAML reads 2025-01-01 unquoted as a date
            return value.isoformat()
        raise ValueError(f"expected a string, got {value!r}")
    if typ == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ValueError(f"expected true/false (or yes/no, 1/0), got {value!r}")
    if typ == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected an integer, got {value!r}")
    if typ == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected a number, got {value!r}")
    raise ValueError(f"unsupported type {typ!r}")


def coerce_value(spec: ParamSpec, value: Any) -> Any:
    """Convert one value (typed, or a command-line string) to the declared type."""
    if spec.type != "list":
        return _coerce_scalar(value, spec.type)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import yaml

            try:
                value = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise ValueError(f"expected a list, got {text!r} ({exc.problem})") from None
        else:
            value = [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list (JSON/YAML list or comma-separated), got {value!r}")
    out = []
    for item in value:
        try:
            out.append(_coerce_scalar(item, spec.item_type))
        except ValueError as exc:
            raise ValueError(f"element {item!r}: {exc}") from None
    return out


def _check_date(value: Any) -> str | None:
    if value == "":
        return None  # open-ended: from the first / to the newest event in the data
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return f"expected an ISO date YYYY-MM-DD, got {value!r}"
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        return f"{value!r} is not a valid date ({exc})"
    return None


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def coerce_and_check(
    notebook_name: str, specs: Mapping[str, ParamSpec], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the notebook's full parameters: defaults updated with ``values``, checked.

    ``values`` may be typed (YAML) or strings (``-p``); strings are converted by
    the declared type. Every problem (unknown name, wrong type, not a choice,
    bad date, ``end`` before ``start``) is collected and raised together as one
    :class:`ParameterError` naming the notebook.
    """
    problems: list[tuple[str, str]] = []
    resolved = {name: spec.default for name, spec in specs.items()}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(specs) or "(none)"
            problems.append((name, f"unknown parameter{_suggest(name, specs)} (known: {known})"))
            continue
        try:
            resolved[name] = coerce_value(spec, value)
        except ValueError as exc:
            problems.append((name, str(exc)))
            resolved.pop(name)  # no further checks on a value we could not read
    for name, spec in specs.items():
        if name not in resolved:
            continue
        value = resolved[name]
        if spec.choices is not None:
            allowed = ", ".join(spec.choices)
            items = value if spec.type == "list" else [value]
            bad = [v for v in items if str(v) not in spec.choices]
            if bad and spec.type == "list":
                problems.append(
                    (
                        name,
                        f"element(s) {', '.join(map(repr, bad))} not allowed; choose from "
                        f"{allowed}",
                    )
                )
            elif bad:
                hint = _suggest(str(value), spec.choices)
                msg = f"{value!r} is not allowed; choose one of {allowed}{hint}"
                problems.append((name, msg))
        if spec.is_date:
            msg = _check_date(value)
            if msg:
                problems.append((name, msg))
                resolved.pop(name)
    start, end = resolved.get("start"), resolved.get("end")
    if (
        "start" in specs
        and "end" in specs
        and specs["start"].is_date
        and specs["end"].is_date
        and isinstance(start, str)
        and isinstance(end, str)
        and start
        and end
        and end < start
    ):
        problems.append(("end", f"end {end} is before start {start}"))
    if problems:
        raise parameter_error(notebook_name, problems)
    return {name: resolved[name] for name in specs}


# --------------------------------------------------------------------------- params.yaml


@dataclass
class ParamSets:
    """The content of ``params.yaml``, validated against the notebooks that exist."""

    file: Path | None
    defaults: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    reads: dict[str, list[str]] = field(default_factory=dict)

    @property
    def set_names(self) -> list[str]:
        names = list(self.sets)
        return names if "default" in names else ["default", *names]

    def values_for(self, set_name: str, notebook: str, declared: Iterable[str]) -> dict[str, Any]:
        """Merged values of ``defaults`` < ``sets.<set>.all`` < ``sets.<set>.<notebook>``.

        ``defaults`` and ``all`` apply only to the parameters the notebook
        declares; per-notebook entries are passed through whole (so a typo there
        is reported as an unknown parameter).
        """
        if set_name not in self.sets and set_name != "default":
            raise ParamsFileError(
                self.file or "params.yaml",
                f"sets.{set_name}",
                f"no such parameter set{_suggest(set_name, self.sets)} "
                f"(known: {', '.join(self.set_names)})",
            )
        declared = set(declared)
        entry = self.sets.get(set_name, {})
        out = {k: v for k, v in self.defaults.items() if k in declared}
        out.update({k: v for k, v in entry.get("all", {}).items() if k in declared})
        out.update(entry.get(notebook, {}))
        return out


def _mapping(value: Any, file: Path | str, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParamsFileError(file, key, f"expected a mapping, got {type(value).__name__}")
    return {str(k): v for k, v in value.items()}


def load_param_sets(
    path: Path | str | None,
    notebooks: Iterable[str],
    tables: Iterable[str] | None = None,
) -> ParamSets:
    """Read and validate ``params.yaml``. A missing file means: no sets but ``default``.

    ``notebooks`` are the notebook names that exist; ``tables`` the data tables a
    ``reads`` entry may name (unchecked when None). Structural problems raise
    :class:`ParamsFileError` naming the file and the key.
    """
    import yaml

    notebooks = list(notebooks)
    if path is None or not Path(path).exists():
        return ParamSets(file=Path(path) if path else None)
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParamsFileError(path, "", f"not valid YAML: {exc}") from None
    top = _mapping(raw, path, "(top level)")
    unknown = set(top) - {"defaults", "sets", "notebooks"}
    if unknown:
        key = sorted(unknown)[0]
        raise ParamsFileError(
            path, key, "unknown top-level key (allowed: defaults, sets, notebooks)"
        )
    result = ParamSets(file=path, defaults=_mapping(top.get("defaults"), path, "defaults"))
    for set_name, entry in _mapping(top.get("sets"), path, "sets").items():
        key = f"sets.{set_name}"
        if set_name in RESERVED_SETS:
            raise ParamsFileError(path, key, f"'{set_name}' is reserved for one-off -p runs")
        if not _SET_NAME_RE.match(set_name):
            raise ParamsFileError(path, key, "set names are folder names: letters, digits, _ . -")
        entry = _mapping(entry, path, key)
        for nb_key, values in entry.items():
            if nb_key != "all" and nb_key not in notebooks:
                raise ParamsFileError(
                    path,
                    f"{key}.{nb_key}",
                    f"no notebook named '{nb_key}'{_suggest(nb_key, notebooks)} "
                    f"(notebooks: {', '.join(notebooks) or 'none'}; 'all' applies to every one)",
                )
            entry[nb_key] = _mapping(values, path, f"{key}.{nb_key}")
        result.sets[set_name] = entry
    tables = list(tables) if tables is not None else None
    for nb_key, info in _mapping(top.get("notebooks"), path, "notebooks").items():
        key = f"notebooks.{nb_key}"
        if nb_key not in notebooks:
            raise ParamsFileError(
                path, key, f"no notebook named '{nb_key}'{_suggest(nb_key, notebooks)}"
            )
        info = _mapping(info, path, key)
        if set(info) - {"reads"}:
            raise ParamsFileError(path, key, "only 'reads' may be given for a notebook")
        reads = info.get("reads", [])
        if not isinstance(reads, list) or not all(isinstance(r, str) for r in reads):
            raise ParamsFileError(path, f"{key}.reads", "expected a list of table names")
        if tables is not None:
            for r in reads:
                if r not in tables:
                    raise ParamsFileError(
                        path,
                        f"{key}.reads",
                        f"unknown table '{r}'{_suggest(r, tables)} (tables: {', '.join(tables)})",
                    )
        result.reads[nb_key] = list(reads)
    return result
