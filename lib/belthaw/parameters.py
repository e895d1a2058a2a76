"""Every notebook parameter, declared once: name, type, default, bounds or choices, one-line doc.

From :data:`NOTEBOOKS` come the notebooks' ``parameters`` cells (:func:`cell_source`),
the checks both ``belthaw run`` and the notebook itself apply (:func:`resolve`),
``belthaw run --list`` and the frozen params object a chart's ``build(data, p)``
receives (:func:`check`), on which a misspelt name fails instead of meaning a default.
Standard library only: the runner imports it before anything heavy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import counting
from .errors import ParameterError, quote
from .paths import check_set_name
from .style import SIZES

_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")
_INT_RE = re.compile(r"[+-]?[0-9]{1,18}")  # ASCII digits only; 18 digits stay inside int64
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


@dataclass(frozen=True)
class Param:
    """One declared notebook parameter."""

    name: str
    type: type  # str, int, float, bool or list (of str)
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    is_date: bool = False
    min_items: int = 0  # for lists

    def cell_line(self) -> str:
        """The line of the notebook's ``parameters`` cell (papermill's ``name: type = value``)."""
        text = self.type in (str, list)
        value = json.dumps(self.default, ensure_ascii=False) if text else repr(self.default)
        choices = " {" + ", ".join(self.choices) + "}" if self.choices else ""
        return f"{self.name}: {self.type.__name__} = {value}  # {self.doc}{choices}"

    def describe(self) -> str:
        """``name: type = default  doc [choices; range]`` as ``belthaw run --list`` shows it."""
        extra = ["choices: " + ", ".join(self.choices)] if self.choices else []
        if self.minimum is not None or self.maximum is not None:
            lo, hi = ("" if b is None else f"{b:g}" for b in (self.minimum, self.maximum))
            extra.append(f"range: {lo}..{hi}")
        tail = f" [{'; '.join(extra)}]" if extra else ""
        return f"{self.name}: {self.type.__name__} = {self.default!r}  {self.doc}{tail}"


# -- the declarations ------------------------------------------------------------------------

START = Param("start", str, "2024-07-01", "first day shown (ISO date; empty for the first event)", is_date=True)  # fmt: skip
END = Param("end", str, "", "last day shown (ISO date; empty for the newest event)", is_date=True)
AS_OF = Param(
    "as_of", str, "",
    "redraw as the sources stood on this day (ISO date; empty for everything published)",
    is_date=True,
)  # fmt: skip
SIZE = Param("size", str, "a4-full", "figure size for pasting", tuple(SIZES))
FORMATS = Param(
    "formats", list, ["png", "svg", "pdf"], "file formats to write", ("png", "svg", "pdf"),
    min_items=1,
)  # fmt: skip
STALE = Param(
    "stale_after_days", int, 90, "warn when the newest event is older than this many days",
    minimum=0, maximum=3650,
)  # fmt: skip
OUTPUT_SET = Param(
    "output_set", str, "adhoc",
    "where figures go: belthaw run sets it; by hand they land in figures/adhoc/",
)  # fmt: skip
GRANULARITY = Param(
    "granularity", str, "event", "one bar per release, or per period", tuple(counting.GRANULARITIES)
)
COUNT_WHAT = Param(
    "count_what", str, "freed",
    "what the totals count: people freed, people pardoned, or political prisoners freed as Viasna recognises them",
    tuple(counting.COUNT_WHAT),
)  # fmt: skip
FOREIGN = Param(
    "include_foreign_nationals", bool, True, "count foreign nationals among the people freed"
)
HOME = Param("include_released_home", bool, True, "count people freed who stayed in Belarus")
COUNT_BASIS = Param(
    "count_basis", str, "best",
    "per release: our best figure, or the lowest / highest source claim", tuple(counting.COUNT_BASES),
)  # fmt: skip
MIN_CONFIDENCE = Param(
    "min_confidence", str, "low",
    "leave out releases whose sources are weaker than this (low keeps every release)",
    tuple(counting.CONFIDENCE),
)  # fmt: skip
ANNOTATE_MIN = Param(
    "annotate_min", int, 20, "write the number above releases of at least this many people",
    minimum=1, maximum=100_000,
)  # fmt: skip
JURISDICTIONS_P = Param(
    "jurisdictions", list, ["US", "EU", "LT", "PL"], "who took the steps", counting.JURISDICTIONS,
    min_items=1,
)  # fmt: skip
TIGHTENING = Param(
    "show_tightening", bool, True, "also show tightening measures (EU listings, border closures)"
)
LINKS = Param(
    "link_strengths", list, list(counting.LINK_STRENGTHS), "which links to draw",
    tuple(counting.LINK_STRENGTHS), min_items=1,
)  # fmt: skip
# Beyond a month, "close in time" stops meaning anything: every release has some US
# contact within 60 days, so the candidates would be noise.
INFER_WINDOW = Param(
    "infer_window_days", int, 0, "also propose candidate pairs within this many days (0 for none)",
    minimum=0, maximum=30,
)  # fmt: skip
MAX_EVENTS = Param(
    "max_events", int, 8, "show at most this many disputed releases, widest disagreement first",
    minimum=1, maximum=50,
)  # fmt: skip

#: Where and how a notebook's files are written: the last lines of every parameters cell.
_FILES = (FORMATS, STALE, OUTPUT_SET)
_WINDOW_AND_FILES = (START, END, AS_OF, SIZE, *_FILES)

#: The parameters of every notebook, in the order of its ``parameters`` cell.
NOTEBOOKS: dict[str, tuple[Param, ...]] = {
    "01_releases": (
        START, END, AS_OF, GRANULARITY, COUNT_WHAT, FOREIGN, HOME, COUNT_BASIS, MIN_CONFIDENCE,
        ANNOTATE_MIN, SIZE, *_FILES,
    ),
    "02_sanctions_relief": (JURISDICTIONS_P, TIGHTENING, *_WINDOW_AND_FILES),
    "03_exchanges": (LINKS, INFER_WINDOW, *_WINDOW_AND_FILES),
    "04_briefing_overview": (
        START, END, AS_OF, COUNT_WHAT, MIN_CONFIDENCE, dataclasses.replace(SIZE, default="a4-page"),
        *_FILES,
    ),
    "05_sources": (MAX_EVENTS, *_WINDOW_AND_FILES),
}  # fmt: skip

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


def _scalar(value: Any, typ: type) -> Any:
    """``value`` as ``typ``, or a ValueError saying what was expected; strings are converted
    by the declared type, never guessed."""
    text = value.strip() if isinstance(value, str) else None
    if typ is str:
        if isinstance(value, str | dt.date):  # YAML reads 2025-01-01 unquoted as a date
            return value if text is not None else value.isoformat()
        raise ValueError(f"expected text, got {quote(value)}")
    if typ is bool:
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return bool(value)
        if text is not None and text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise ValueError(f"expected true/false (or yes/no, 1/0), got {quote(value)}")
    if typ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if text is not None and _INT_RE.fullmatch(text):
            return int(text)
        raise ValueError(f"expected a whole number written with digits 0-9, got {quote(value)}")
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if text is not None and _FLOAT_RE.fullmatch(text) and math.isfinite(float(text)):
        return float(text)
    raise ValueError(f"expected a finite number, got {quote(value)}")


def _coerce(spec: Param, value: Any) -> Any:
    """One value (typed, or a command-line string) as the declared type."""
    if spec.type is not list:
        return _scalar(value, spec.type)
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.strip()
            raise ValueError(f'expected a list like ["a", "b"], got {quote(value)}') from None
    elif isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list (JSON/YAML list or comma-separated), got {quote(value)}")
    for item in value:
        if not isinstance(item, str | dt.date):
            raise ValueError(f"element {quote(item)}: expected text, got {quote(item)}")
    return [_scalar(item, str) for item in value]


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name)[:100], list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_one(spec: Param, value: Any) -> str | None:
    """What is wrong with a converted value, in a few words, or None."""
    if spec.choices is not None:
        allowed = ", ".join(spec.choices)
        bad = [v for v in (value if spec.type is list else [value]) if str(v) not in spec.choices]
        if bad and spec.type is list:
            return f"element(s) {', '.join(quote(b) for b in bad[:5])} not allowed; choose from {allowed}"
        if bad:
            return f"{quote(value)} is not allowed; choose one of {allowed}{_suggest(value, spec.choices)}"
    if spec.type is list and len(value) < spec.min_items:
        return f"give at least {spec.min_items} of: {', '.join(spec.choices or ())}"
    if spec.type is list and len(set(value)) != len(value):
        return "each element may appear once"
    if spec.minimum is not None and value < spec.minimum:
        return f"{value} is below the smallest allowed value, {spec.minimum:g}"
    if spec.maximum is not None and value > spec.maximum:
        return f"{value} is above the largest allowed value, {spec.maximum:g}"
    if spec.name == "output_set":
        try:
            check_set_name(value)
        except ParameterError as exc:
            return str(exc).split(": ", 2)[-1]
    if spec.is_date and value != "":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
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
        if name not in table:
            known = ", ".join(table)
            problems.append((str(name)[:60], f"unknown parameter{_suggest(name, table)} (known: {known})"))  # fmt: skip
            continue
        try:
            out[name] = _coerce(table[name], value)
            msg = _check_one(table[name], out[name])
        except ValueError as exc:
            msg = str(exc)
        if msg:
            problems.append((name, msg))
            out.pop(name)
    start, end = out.get("start"), out.get("end")
    if start and end and end < start:
        problems.append(("end", f"end {end} is before start {start}"))
    if problems:
        err = ParameterError(notebook, *problems[0])
        if len(problems) > 1:
            lines = [f"{notebook}: {len(problems)} parameter problems:"]
            err.args = ("\n".join(lines + [f"  - parameter '{p}': {m}" for p, m in problems]),)
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    return out


@functools.cache
def _params_class(notebook: str) -> type:
    """A frozen dataclass with one typed field per declared parameter of ``notebook``."""
    fields = [(p.name, tuple[str, ...] if p.type is list else p.type) for p in NOTEBOOKS[notebook]]
    title = "".join(w.title() for w in notebook.split("_")[1:])
    cls = dataclasses.make_dataclass(f"{title}Params", fields, frozen=True)
    cls.notebook = notebook  # type: ignore[attr-defined]
    return cls


def check(notebook: str, values: Mapping[str, Any]) -> Any:
    """The notebook's checked parameters as its typed, frozen params object.

    ``values`` may hold other names too (a notebook passes ``globals()``); only the
    declared ones are read. Lists become tuples, so nothing downstream can mutate them.
    """
    table = specs(notebook)
    resolved = resolve(notebook, {k: v for k, v in values.items() if k in table})
    frozen = {k: tuple(v) if isinstance(v, list) else v for k, v in resolved.items()}
    return _params_class(notebook)(**frozen)


def as_dict(p: Any) -> dict[str, Any]:
    """A params object as a plain mapping (lists as lists), e.g. for a sidecar."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(p).items()}
