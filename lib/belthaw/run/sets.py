"""Parameter sets (``notebooks/params.yaml``) and the check that each notebook's
``parameters`` cell is the one its declaration (:mod:`belthaw.parameters`) gives.

See ``docs/runner.md`` for the file's format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..parameters import QUOTE_MAX, _suggest, cell_source

#: ``adhoc`` receives one-off ``-p`` runs: no set in params.yaml may take its name.
RESERVED_SETS = ("adhoc",)
#: A parameter file larger than this is not a parameter file.
MAX_YAML_BYTES = 256 * 1024


def check_set_name(name: str, where: str = "--set") -> str:
    """``name`` when it can name a parameter set (the rule of :func:`belthaw.paths.check_set_name`)."""
    from ..paths import check_set_name as rule

    try:
        return rule(name, where)
    except ParameterError as exc:
        raise ParameterError("belthaw run", where, str(exc).split(": ", 2)[-1]) from None


def parameters_cell(path: Path) -> str | None:
    """The source of the notebook's cell tagged ``parameters`` (None when it has none)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):  # fmt: skip
            src = cell.get("source", "")
            return ("".join(src) if isinstance(src, list) else src).strip()
    return None


def cell_problem(path: Path, notebook: str, expected: str | None = None) -> str | None:
    """Why the notebook's ``parameters`` cell differs from its declaration (None when equal)."""
    want = (expected if expected is not None else cell_source(notebook)).strip()
    got = parameters_cell(path)
    if got is None:
        return "has no cell tagged 'parameters'"
    if got == want:
        return None
    for i, (a, b) in enumerate(zip(got.splitlines(), want.splitlines(), strict=False), 1):
        if a != b:
            return (
                f"parameters cell line {i} is {a[:80]!r}, the declaration gives {b[:80]!r}; "
                "edit belthaw/parameters.py, then run `python tools/check_notebooks.py --fix`"
            )
    return "parameters cell has a different number of lines than the declaration; run `python tools/check_notebooks.py --fix`"  # fmt: skip


class ParamsFileError(ParameterError):
    """``params.yaml`` (or a ``-y`` file) is malformed; names the file and the key."""

    def __init__(self, file: Path | str, key: str, message: str):
        self.file, self.key = str(file), key
        self.notebook, self.parameter = str(file), key
        Exception.__init__(self, f"{file}: {key}: {message}" if key else f"{file}: {message}")
        self.problems = [(key, message)]


@dataclass
class ParamSets:
    """The content of ``params.yaml``, validated against the notebooks that exist."""

    file: Path | None
    defaults: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

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
) -> ParamSets:
    """Read and validate ``params.yaml``. A missing file means: no sets but ``default``.

    ``notebooks`` are the notebook names that exist. Structural problems raise
    :class:`ParamsFileError` naming the file and the key.
    """

    notebooks = list(notebooks)
    if path is None or not Path(path).exists():
        return ParamSets(file=Path(path) if path else None)
    path = Path(path)
    raw = read_yaml(path)
    top = _mapping(raw, path, "(top level)")
    unknown = set(top) - {"defaults", "sets"}
    if unknown:
        key = sorted(unknown)[0]
        raise ParamsFileError(path, key, "unknown top-level key (allowed: defaults, sets)")
    result = ParamSets(file=path, defaults=_mapping(top.get("defaults"), path, "defaults"))
    for set_name, entry in _mapping(top.get("sets"), path, "sets").items():
        key = f"sets.{set_name}"
        if set_name in RESERVED_SETS:
            raise ParamsFileError(path, key, f"'{set_name}' is reserved for one-off -p runs")
        try:
            check_set_name(set_name, key)
        except ParameterError as exc:
            raise ParamsFileError(path, key, str(exc).split(": ", 2)[-1]) from None
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
    return result


def read_yaml(path: Path) -> Any:
    """A small YAML file, safely: no Python tags, no alias bombs, a size limit, messages not
    tracebacks."""
    import yaml

    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise ParamsFileError(
                path, "", f"larger than {MAX_YAML_BYTES // 1024} KiB; not a parameter file"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsFileError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamsFileError(
            path, "", f"cannot be read as UTF-8 text ({type(exc).__name__})"
        ) from None
    try:
        # Aliases (&a / *a) could expand a few lines into gigabytes; parameters never need them.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise ParamsFileError(
                    path, "", "YAML aliases (*name) are not allowed in parameter files"
                )
        return yaml.safe_load(text)
    except ValueError:  # an impossible unquoted date: PyYAML's date parser raises
        raise ParamsFileError(path, "", _bad_date(text)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ParamsFileError(
            path, "", f"not valid YAML{where}: {str(problem)[:QUOTE_MAX]}"
        ) from None


def _bad_date(text: str) -> str:
    """Which unquoted date in a YAML text is not a day of the calendar, and where."""
    import datetime as dt

    import yaml

    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif node is not None and node.tag.endswith(":timestamp"):
            try:
                dt.date.fromisoformat(node.value[:10])
            except ValueError:
                return (
                    f"line {node.start_mark.line + 1}: {node.value[:QUOTE_MAX]!r} is not a day of "
                    "the calendar; write a real date as YYYY-MM-DD"
                )
    return "a value is not a valid date; write dates as YYYY-MM-DD"
