"""Every notebook parameter, declared once: name, type, default, bounds or choices, one-line doc.

Everything else derives from :data:`NOTEBOOKS`:

* the notebook's ``parameters`` cell (:func:`cell_source`; a test and
  ``tools/check_notebooks.py`` fail when a notebook's cell differs from it);
* the checks the notebook runs on its own values (:func:`check`), which are the
  checks ``belthaw run`` applies before a kernel starts;
* ``belthaw run --list`` (:meth:`Param.describe`);
* the typed object a chart's ``build(data, p)`` receives: a frozen dataclass per
  notebook (:func:`params_class`) whose attributes are the declared names, so a
  misspelt name fails at once instead of falling back to a default.

Standard library only: the runner imports it before anything heavy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .counting import (
    CONFIDENCE,
    COUNT_BASES,
    COUNT_WHAT,
    GRANULARITIES,
    JURISDICTIONS,
    LINK_STRENGTHS,
)
from .errors import ParameterError
from .style import SIZES

#: Longest piece of a bad value quoted back in a message (a pasted essay stays a prefix).
QUOTE_MAX = 60
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT_RE = re.compile(r"^[+-]?[0-9]{1,18}$")  # ASCII digits only; 18 digits stay inside int64
_FLOAT_RE = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$")


def quote(value: Any) -> str:
    """``repr(value)`` cut to :data:`QUOTE_MAX` characters.

    >>> quote("x" * 100)[-12:]
    "… (100 chars)"
    """
    text = repr(value)
    if len(text) <= QUOTE_MAX:
        return text
    return f"{text[:QUOTE_MAX]}… ({len(text)} chars)"


@dataclass(frozen=True)
class Param:
    """One declared notebook parameter."""

    name: str
    type: type  # str, int, float, bool or list
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    is_date: bool = False
    min_items: int = 0  # for lists

    @property
    def type_name(self) -> str:
        return self.type.__name__

    def cell_line(self) -> str:
        """The line of the notebook's ``parameters`` cell (papermill's ``name: type = value``)."""
        doc = self.doc
        if self.choices:
            doc += " {" + ", ".join(self.choices) + "}"
        return f"{self.name}: {self.type_name} = {_literal(self.default)}  # {doc}"

    def describe(self) -> str:
        """``name: type = default  doc [bounds]`` as ``belthaw run --list`` shows it."""
        extra = []
        if self.choices:
            extra.append("choices: " + ", ".join(self.choices))
        if self.minimum is not None or self.maximum is not None:
            lo = "" if self.minimum is None else f"{self.minimum:g}"
            hi = "" if self.maximum is None else f"{self.maximum:g}"
            extra.append(f"range: {lo}..{hi}")
        tail = f" [{'; '.join(extra)}]" if extra else ""
        return f"{self.name}: {self.type_name} = {self.default!r}  {self.doc}{tail}"


def _literal(value: Any) -> str:
    if isinstance(value, str | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return repr(value)


# -- the declarations ------------------------------------------------------------------------

_SIZES = tuple(SIZES)
START = Param("start", str, "2024-07-01", "first day shown (ISO date; empty for the first event)", is_date=True)  # fmt: skip
END = Param("end", str, "", "last day shown (ISO date; empty for the newest event)", is_date=True)
SIZE = Param("size", str, "a4-full", "figure size for pasting", choices=_SIZES)
AS_OF = Param(
    "as_of", str, "",
    "redraw as the sources stood on this day (ISO date; empty for everything published)",
    is_date=True,
)  # fmt: skip
FORMATS = Param(
    "formats",
    list,
    ["png", "svg", "pdf"],
    "file formats to write",
    ("png", "svg", "pdf"),
    min_items=1,
)
STALE = Param(
    "stale_after_days", int, 90, "warn when the newest event is older than this many days",
    minimum=0, maximum=3650,
)  # fmt: skip
OUTPUT_SET = Param(
    "output_set", str, "adhoc",
    "where figures go: belthaw run sets it; by hand they land in figures/adhoc/",
)  # fmt: skip
COUNT_BASIS = Param(
    "count_basis", str, "best",
    "per release: our best figure, or the lowest / highest source claim",
    choices=tuple(COUNT_BASES),
)  # fmt: skip
FOREIGN = Param(
    "include_foreign_nationals", bool, True, "count foreign nationals among the people freed"
)
HOME = Param("include_released_home", bool, True, "count people freed who stayed in Belarus")
COUNT_WHAT = Param(
    "count_what", str, "freed",
    "what the totals count: people freed, people pardoned, or political prisoners freed as Viasna recognises them",
    choices=tuple(COUNT_WHAT),
)  # fmt: skip
MIN_CONFIDENCE = Param(
    "min_confidence", str, "low",
    "leave out releases whose sources are weaker than this (low keeps every release)",
    choices=tuple(CONFIDENCE),
)  # fmt: skip

#: Where and how a notebook's files are written: the last lines of every parameters cell.
_FILES = (FORMATS, STALE, OUTPUT_SET)
_WINDOW_AND_FILES = (START, END, AS_OF, SIZE, *_FILES)

#: The parameters of every notebook, in the order of its ``parameters`` cell.
NOTEBOOKS: dict[str, tuple[Param, ...]] = {
    "01_releases": (
        START,
        END,
        AS_OF,
        Param(
            "granularity",
            str,
            "event",
            "one bar per release, or per period",
            tuple(GRANULARITIES),
        ),  # fmt: skip
        COUNT_WHAT,
        FOREIGN,
        HOME,
        COUNT_BASIS,
        MIN_CONFIDENCE,
        Param(
            "annotate_min",
            int,
            20,
            "write the number above releases of at least this many people",
            minimum=1,
            maximum=100_000,
        ),  # fmt: skip
        SIZE,
        *_FILES,
    ),
    "02_sanctions_relief": (
        Param(
            "jurisdictions",
            list,
            ["US", "EU", "LT", "PL"],
            "who took the steps",
            JURISDICTIONS,
            min_items=1,
        ),  # fmt: skip
        Param(
            "show_tightening",
            bool,
            True,
            "also show tightening measures (EU listings, border closures)",
        ),  # fmt: skip
        *_WINDOW_AND_FILES,
    ),
    "03_exchanges": (
        Param(
            "link_strengths",
            list,
            list(LINK_STRENGTHS),
            "which links to draw",
            tuple(LINK_STRENGTHS),
            min_items=1,
        ),  # fmt: skip
        # Beyond a month, "close in time" stops meaning anything: every release has some
        # US contact within 60 days, so the candidates would be noise.
        Param(
            "infer_window_days",
            int,
            0,
            "also propose candidate pairs within this many days (0 for none)",
            minimum=0,
            maximum=30,
        ),  # fmt: skip
        *_WINDOW_AND_FILES,
    ),
    "04_briefing_overview": (
        START,
        END,
        AS_OF,
        COUNT_WHAT,
        MIN_CONFIDENCE,
        dataclasses.replace(SIZE, default="a4-page"),
        *_FILES,
    ),
    "05_sources": (
        Param(
            "max_events",
            int,
            8,
            "show at most this many disputed releases, widest disagreement first",
            minimum=1,
            maximum=50,
        ),  # fmt: skip
        *_WINDOW_AND_FILES,
    ),
}

#: Parameters about where and how files are written, not about what is drawn.
OUTPUT_PARAMETERS = ("formats", "output_set", "stale_after_days")


def specs(
    notebook: str, declared: Mapping[str, tuple[Param, ...]] | None = None
) -> dict[str, Param]:
    """The declared parameters of ``notebook`` by name (``declared`` defaults to :data:`NOTEBOOKS`)."""
    table = NOTEBOOKS if declared is None else declared
    if notebook not in table:
        known = ", ".join(table)
        raise ParameterError(notebook, "(notebook)", f"no parameters declared for this notebook (declared: {known})")  # fmt: skip
    return {p.name: p for p in table[notebook]}


def defaults(notebook: str) -> dict[str, Any]:
    """The declared default of every parameter of ``notebook``."""
    return {p.name: p.default for p in NOTEBOOKS[notebook]}


def cell_source(notebook: str) -> str:
    """The exact text of the notebook's ``parameters`` cell, derived from the declaration."""
    return "\n".join(p.cell_line() for p in NOTEBOOKS[notebook])


# -- values -----------------------------------------------------------------------------------


def _scalar(value: Any, typ: type) -> Any:
    """Convert ``value`` to ``typ``; raise ValueError saying what was expected."""
    if typ is str:
        if isinstance(value, str):
            return value
        if isinstance(value, dt.date):  # YAML reads 2025-01-01 unquoted as a date
            return value.isoformat()
        raise ValueError(f"expected text, got {quote(value)}")
    if typ is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ValueError(f"expected true/false (or yes/no, 1/0), got {quote(value)}")
    if typ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip())
        raise ValueError(f"expected a whole number written with digits 0-9, got {quote(value)}")
    if typ is float:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        if isinstance(value, str) and _FLOAT_RE.match(value.strip()):
            f = float(value.strip())
            if math.isfinite(f):
                return f
        raise ValueError(f"expected a finite number, got {quote(value)}")
    raise ValueError(f"unsupported type {typ!r}")  # pragma: no cover - declarations are ours


def coerce(spec: Param, value: Any) -> Any:
    """Convert one value (typed, or a command-line string) to the declared type."""
    if spec.type is not list:
        return _scalar(value, spec.type)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError(f'expected a list like ["a", "b"], got {quote(text)}') from None
        else:
            value = [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list (JSON/YAML list or comma-separated), got {quote(value)}")
    out = []
    for item in value:
        try:
            out.append(_scalar(item, str))
        except ValueError as exc:
            raise ValueError(f"element {quote(item)}: {exc}") from None
    return out


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name)[:100], list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_one(spec: Param, value: Any) -> str | None:
    if spec.choices is not None:
        allowed = ", ".join(spec.choices)
        items = value if spec.type is list else [value]
        bad = [v for v in items if str(v) not in spec.choices]
        if bad and spec.type is list:
            return f"element(s) {', '.join(quote(b) for b in bad[:5])} not allowed; choose from {allowed}"
        if bad:
            return f"{quote(value)} is not allowed; choose one of {allowed}{_suggest(str(value), spec.choices)}"
    if spec.type is list:
        if len(value) < spec.min_items:
            return f"give at least {spec.min_items} of: {', '.join(spec.choices or ())}"
        if len(set(value)) != len(value):
            return "each element may appear once"
    if spec.minimum is not None and value < spec.minimum:
        return f"{value} is below the smallest allowed value, {spec.minimum:g}"
    if spec.maximum is not None and value > spec.maximum:
        return f"{value} is above the largest allowed value, {spec.maximum:g}"
    if spec.name == "output_set":
        from .paths import check_set_name

        try:
            check_set_name(value)
        except ParameterError as exc:
            return str(exc).split(": ", 2)[-1]
    if spec.is_date and value != "":
        if not _DATE_RE.match(value):
            return f"expected an ISO date YYYY-MM-DD (or empty), got {quote(value)}"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{quote(value)} is not a day of the calendar"
    return None


def resolve(
    notebook: str,
    values: Mapping[str, Any],
    declared: Mapping[str, tuple[Param, ...]] | None = None,
) -> dict[str, Any]:
    """Defaults updated with ``values``, converted and checked; every problem raised together.

    ``values`` may be typed (YAML, the notebook's globals) or strings (``-p``); strings
    are converted by the declared type, never guessed.
    """
    table = specs(notebook, declared)
    problems: list[tuple[str, str]] = []
    out = {name: spec.default for name, spec in table.items()}
    for name, value in values.items():
        spec = table.get(name)
        if spec is None:
            problems.append(
                (
                    str(name)[:QUOTE_MAX],
                    f"unknown parameter{_suggest(name, table)} (known: {', '.join(table)})",
                )
            )
            continue
        try:
            out[name] = coerce(spec, value)
        except ValueError as exc:
            problems.append((name, str(exc)))
            out.pop(name)
            continue
        msg = _check_one(spec, out[name])
        if msg:
            problems.append((name, msg))
            out.pop(name)
    for name, spec in table.items():
        if name in out and name not in values:
            msg = _check_one(spec, out[name])  # a declaration's own default must pass too
            if msg:
                problems.append((name, f"declared default: {msg}"))
    start, end = out.get("start"), out.get("end")
    if start and end and end < start:
        problems.append(("end", f"end {end} is before start {start}"))
    if problems:
        raise parameter_error(notebook, problems)
    return out


def parameter_error(notebook: str, problems: list[tuple[str, str]]) -> ParameterError:
    """One :class:`ParameterError` for one or several ``(parameter, message)`` problems."""
    err = ParameterError(notebook, problems[0][0], problems[0][1])
    if len(problems) > 1:
        lines = [f"{notebook}: {len(problems)} parameter problems:"]
        lines += [f"  - parameter '{p}': {m}" for p, m in problems]
        err.args = ("\n".join(lines),)
    err.problems = list(problems)  # type: ignore[attr-defined]
    return err


# -- the typed object builders receive ---------------------------------------------------------

_CLASSES: dict[str, type] = {}


def params_class(notebook: str) -> type:
    """A frozen dataclass with one typed field per declared parameter of ``notebook``."""
    cls = _CLASSES.get(notebook)
    if cls is None:
        fields = [
            (p.name, tuple[str, ...] if p.type is list else p.type) for p in NOTEBOOKS[notebook]
        ]
        title = "".join(w.title() for w in notebook.split("_")[1:])
        cls = dataclasses.make_dataclass(f"{title}Params", fields, frozen=True)
        cls.notebook = notebook  # type: ignore[attr-defined]
        _CLASSES[notebook] = cls
    return cls


def check(notebook: str, values: Mapping[str, Any]) -> Any:
    """The notebook's checked parameters as its typed, frozen params object.

    ``values`` may hold other names too (a notebook passes ``globals()``); only the
    declared ones are read.

    >>> p = check("03_exchanges", {"infer_window_days": 3})
    >>> p.infer_window_days, p.size
    (3, 'a4-full')
    """
    table = specs(notebook)
    resolved = resolve(notebook, {k: v for k, v in values.items() if k in table})
    # Lists become tuples: the object is frozen and hashable, so nothing below can mutate it.
    frozen = {k: tuple(v) if isinstance(v, list) else v for k, v in resolved.items()}
    return params_class(notebook)(**frozen)


def as_dict(p: Any) -> dict[str, Any]:
    """A params object as a plain mapping (lists as lists), e.g. for a sidecar."""
    return {f.name: list(v) if isinstance(v := getattr(p, f.name), tuple) else v for f in dataclasses.fields(p)}  # fmt: skip
