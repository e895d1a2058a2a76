"""Parameter sets (``notebooks/params.yaml``), parameter files read as carefully as data files,
and a notebook's ``parameters`` cell compared with its declaration (docs/runner.md)."""

from __future__ import annotations

import ast
import difflib
import json
import re
import shlex
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..errors import ParameterError
from ..parameters import Param, cell_source
from ..paths import check_set_name

#: A parameter file larger than this is not a parameter file.
MAX_YAML_BYTES = 256 * 1024
#: Deepest nesting a parameter file or a ``-p`` value may have; a params.yaml needs four
#: (sets > set > notebook > list). Checked before parsing: a deeper text is refused fast.
MAX_DEPTH = 16
_OPEN = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
         yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)  # fmt: skip
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def did_you_mean(name: object, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name)[:100], list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class ParamsFileError(ParameterError):
    """``params.yaml`` (or a ``-y`` file) is malformed; names the file and the key."""

    def __init__(self, file: Path | str, key: str, message: str):
        self.key = key
        Exception.__init__(self, f"{file}: {key}: {message}" if key else f"{file}: {message}")


def bracket_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting in ``text``, quotes ignored (so it can only over-count)."""
    depth = deepest = 0
    for ch in re.sub(r"[^\[\]{}]", "", text):
        depth = depth + 1 if ch in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def read_yaml(path: Path) -> Any:
    """A parameter file like a data file: a regular UTF-8 file of at most :data:`MAX_YAML_BYTES`,
    nested at most :data:`MAX_DEPTH` deep, YAML without aliases or Python tags. Every refusal
    is one :class:`ParamsFileError` line."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise ParamsFileError(path, "", "not a regular file (a folder, device or pipe)")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise ParamsFileError(path, "", "file not found") from None
    except OSError as exc:
        raise ParamsFileError(path, "", f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_YAML_BYTES:
        raise ParamsFileError(path, "", f"larger than {MAX_YAML_BYTES // 1024} KiB; not a parameter file")  # fmt: skip
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParamsFileError(path, "", "not UTF-8 text; save it as UTF-8") from None
    try:
        depth = 0
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                # A few lines of aliases can expand to gigabytes; parameters never need them.
                raise ParamsFileError(path, "", "YAML aliases (*name) are not allowed in parameter files")  # fmt: skip
            depth += isinstance(token, _OPEN) - isinstance(token, _CLOSE)
            if depth > MAX_DEPTH:
                raise ParamsFileError(path, f"line {token.start_mark.line + 1}",
                                      f"nested deeper than {MAX_DEPTH} levels; a parameter file needs a few")  # fmt: skip
        return yaml.safe_load(text)
    except ValueError:  # an unquoted date that is not a day of the calendar
        raise ParamsFileError(path, "", _bad_date(text)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = str(getattr(exc, "problem", None) or "syntax error")[:60]
        raise ParamsFileError(path, "", f"not valid YAML{where}: {problem}") from None


def _bad_date(text: str) -> str:
    for n, line in enumerate(text.splitlines(), 1):
        for day in re.findall(r"\b\d{4}-\d\d-\d\d\b", line):
            try:
                date.fromisoformat(day)
            except ValueError:
                return f"line {n}: {day} is not a day of the calendar; write a real date as YYYY-MM-DD"  # fmt: skip
    return "a value is not a valid date; write dates as YYYY-MM-DD"


@dataclass
class ParamSets:
    """The content of ``params.yaml``, validated against the notebooks that exist."""

    file: Path | None
    defaults: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def set_names(self) -> list[str]:
        return list(self.sets) if "default" in self.sets else ["default", *self.sets]

    def check(self, set_name: str) -> None:
        """A :class:`ParamsFileError` listing the known sets when ``set_name`` is not one."""
        if set_name not in self.set_names:
            raise ParamsFileError(self.file or "params.yaml", f"--set {set_name}",
                                  f"no such parameter set{did_you_mean(set_name, self.set_names)} "
                                  f"(known sets: {', '.join(self.set_names)}; `belthaw run --list` shows them)")  # fmt: skip

    def values_for(self, set_name: str, notebook: str, declared: Iterable[str]) -> dict[str, Any]:
        """Merged values of ``defaults`` < ``sets.<set>.all`` < ``sets.<set>.<notebook>``.

        ``defaults`` and ``all`` apply to the parameters the notebook declares; per-notebook
        entries are passed whole (so a typo there is reported as an unknown parameter).
        """
        self.check(set_name)
        declared, entry = set(declared), self.sets.get(set_name, {})
        out = {**self.defaults, **entry.get("all", {})}
        return {k: v for k, v in out.items() if k in declared} | entry.get(notebook, {})


def _mapping(value: Any, file: Path | str, key: str) -> dict[str, Any]:
    if not isinstance(value, Mapping | None):
        raise ParamsFileError(file, key, f"expected a mapping, got {type(value).__name__}")
    return {str(k): v for k, v in (value or {}).items()}


def load_param_sets(path: Path | str | None, notebooks: Iterable[str]) -> ParamSets:
    """Read and validate ``params.yaml`` against the ``notebooks`` that exist. A missing file
    means no set but ``default``; problems raise :class:`ParamsFileError` naming file and key."""
    notebooks = list(notebooks)
    if path is None or not Path(path).exists():
        return ParamSets(file=Path(path) if path else None)
    path = Path(path)
    top = _mapping(read_yaml(path), path, "(top level)")
    for key in sorted(set(top) - {"defaults", "sets"}):
        raise ParamsFileError(path, key, "unknown top-level key (allowed: defaults, sets)")
    result = ParamSets(file=path, defaults=_mapping(top.get("defaults"), path, "defaults"))
    for set_name, entry in _mapping(top.get("sets"), path, "sets").items():
        key = f"sets.{set_name}"
        if set_name == "adhoc":
            raise ParamsFileError(path, key, "'adhoc' is reserved for one-off -p runs")
        try:
            check_set_name(set_name, key)
        except ParameterError as exc:
            raise ParamsFileError(path, key, str(exc).split(": ", 2)[-1]) from None
        entry = _mapping(entry, path, key)
        for nb_key, values in entry.items():
            if nb_key != "all" and nb_key not in notebooks:
                raise ParamsFileError(path, f"{key}.{nb_key}",
                                      f"no notebook named '{nb_key}'{did_you_mean(nb_key, notebooks)} "
                                      f"(notebooks: {', '.join(notebooks) or 'none'}; 'all' applies to every one)")  # fmt: skip
            entry[nb_key] = _mapping(values, path, f"{key}.{nb_key}")
        result.sets[set_name] = entry
    return result


# -- the parameters cell ------------------------------------------------------------------------


def parameters_cell(nb: Path | Mapping[str, Any]) -> str | None:
    """The source of the notebook's cell tagged ``parameters`` (None when it has none)."""
    if isinstance(nb, Path):
        nb = json.loads(nb.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):  # fmt: skip
            return "".join(cell.get("source", "")).strip()
    return None


def cell_problem(path: Path, notebook: str) -> str | None:
    """Why the notebook's ``parameters`` cell differs from its declaration (None when equal);
    for ``tools/check_notebooks.py``."""
    want = cell_source(notebook).strip()
    got = parameters_cell(path)
    if got is None:
        return "has no cell tagged 'parameters'"
    for i, (a, b) in enumerate(zip(got.splitlines(), want.splitlines(), strict=False), 1):
        if a != b:
            return (
                f"parameters cell line {i} is {a[:80]!r}, the declaration gives {b[:80]!r}; "
                "edit belthaw/parameters.py, then run `python tools/check_notebooks.py --fix`"
            )
    if got != want:
        return "parameters cell has a different number of lines than the declaration; run `python tools/check_notebooks.py --fix`"  # fmt: skip
    return None


def _cell_values(cell: str) -> dict[str, Any]:
    """``{name: value}`` of the cell's ``name[: type] = literal`` lines (empty: not Python)."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return {}
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    out[target.id] = ast.unparse(node.value)
    return out


def cell_hint(label: str, cell: str | None, specs: Mapping[str, Param]) -> str | None:
    """One line when the notebook's ``parameters`` cell is not its declaration (JupyterLab
    saved an edit): what the cell says and the exact fix. None when the cell is the declared one.

    The run is not changed by it: the runner injects every declared value of the set.
    """
    expected = "\n".join(p.cell_line() for p in specs.values())
    if cell is not None and cell.strip() == expected.strip():
        return None
    restore = f"`git checkout {label}` to restore the cell"
    values = _cell_values(cell or "")
    changed = {n: v for n, v in values.items() if n in specs and v != specs[n].default}
    changed.pop("output_set", None)  # the runner's to set
    if not changed:
        what = "has no parameters cell" if cell is None else "its parameters cell differs from the declaration"  # fmt: skip
        return f"{label}: {what}; belthaw run uses the set's values — use {restore}"
    says = ", ".join(f"{n} = {json.dumps(v, ensure_ascii=False)}" for n, v in changed.items())
    # on the command line: true/false, a list as JSON, the rest as written
    shown = {n: json.dumps(v, ensure_ascii=False) if isinstance(v, bool | list) else str(v)
             for n, v in changed.items()}  # fmt: skip
    flags = " ".join(f"-p {n} {shlex.quote(v)}" for n, v in shown.items())
    return (
        f"{label}: your parameters cell says {says}; belthaw run uses the set's values — "
        f"pass {flags} to use yours, or {restore}"
    )
