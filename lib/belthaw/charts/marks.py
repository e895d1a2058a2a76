"""The encoding-table row every legend and caption is made from (:class:`Mark`), and the marks
several charts share. Meaning never rests on colour alone: lower bounds are hatched,
precisions differ by marker shape, destinations are written out or shown by fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

#: Precision -> marker shape (a published or claimed figure).
PRECISION_MARKERS = {"at_least": "^", "exact": "o", "approx": "D", "unknown": "s"}

#: Destination names -> short codes that read in greyscale.
DEST_CODES = {"home": "home", "unknown": "?", "lithuania": "LT", "ukraine": "UA", "poland": "PL",
              "united states": "US", "usa": "US", "germany": "DE", "latvia": "LV"}  # fmt: skip

LOWER_BOUND_HATCH = "//"

#: Where people went -> marker fill. Fill, not colour, carries the meaning, and the
#: hatch stays reserved for lower bounds.
DEST_MARKERS = {
    "abroad": dict(marker="o", fillstyle="full", label="sent abroad"),
    "home": dict(marker="o", fillstyle="none", label="stayed in Belarus"),
    "both": dict(marker="o", fillstyle="left", label="some abroad, some stayed"),
    "unknown": dict(marker="x", fillstyle="full", label="destination not reported"),
}

#: Claimed or published figure's precision -> marker in the sources figures: "more than"
#: points right, towards where the true number lies.
CLAIM_MARKERS = {**PRECISION_MARKERS, "at_least": ">"}

#: Precision -> the few characters put before a number (">50", "~50", "52").
PRECISION_PREFIX = {"at_least": ">", "approx": "~", "exact": "", "unknown": "?"}


def destination_code(destination: str) -> str:
    """Short code for a ``;``-joined destination (``"Lithuania;home"`` -> ``"LT+home"``)."""
    tokens = [t.strip() for t in str(destination).split(";") if t.strip()]
    codes = [DEST_CODES.get(t.lower(), t if len(t) <= 4 else t[:3].title()) for t in tokens]
    return "+".join(dict.fromkeys(codes))


def destination_kind(destination: str) -> str:
    """``abroad``, ``home``, ``both`` or ``unknown`` for a ``;``-joined destination."""
    tokens = {t.strip().lower() for t in str(destination).split(";")} - {"", "unknown"}
    if not tokens:
        return "unknown"
    if tokens == {"home"}:
        return "home"
    return "both" if "home" in tokens else "abroad"


def total_label(value, precision: str) -> str:
    """The short label of a published total: ">430", "~250", "569"."""
    prefix = {"at_least": ">", "approx": "~"}.get(str(precision), "")
    return f"{prefix}{int(value):,}"


@dataclass(frozen=True)
class Mark:
    """One row of a chart's encoding table: what a mark looks like and what it means.

    ``style`` holds the matplotlib keyword arguments of the mark, ``kind`` says how to draw
    its legend handle (``line``, ``marker`` or ``patch``), ``label`` is its legend entry and
    ``reads`` the words the caption's "how to read it" uses for it.
    """

    key: str
    kind: str  # "line" | "marker" | "patch"
    label: str
    reads: str
    style: dict[str, Any] = field(default_factory=dict)

    def restyled(self, **style: Any) -> Mark:
        """A copy with ``style`` laid over its own (an analyst's ``color=``)."""
        return replace(self, style=self.style | style)

    def handle(self):
        """The legend handle drawn exactly as the mark is drawn on the chart."""
        if self.kind == "patch":
            return Patch(label=self.label, **self.style)
        ls = {"ls": "none"} if self.kind == "marker" else {}
        return Line2D([], [], **ls, label=self.label, **self.style)


def _kept(marks: Iterable[Mark], present: Iterable[str] | None) -> list[Mark]:
    keep = None if present is None else set(present)
    return [m for m in marks if keep is None or m.key in keep]


def how_to_read(marks: Iterable[Mark], present: Iterable[str] | None = None) -> str:
    """The caption's "how to read it" sentence for the marks whose key is in ``present``
    (all when None), in table order."""
    text = "; ".join(m.reads for m in _kept(marks, present))
    return text[:1].upper() + text[1:] + "." if text else ""


def legend_handles(marks: Iterable[Mark], present: Iterable[str] | None = None) -> list:
    """Legend handles for the marks drawn (all when ``present`` is None), in table order."""
    return [m.handle() for m in _kept(marks, present)]
