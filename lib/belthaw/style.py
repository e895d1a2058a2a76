"""House style: one palette with one meaning per colour, named print sizes, and the .mplstyle files.

Colours come from the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
Design", https://jfly.uni-koeln.de/color/), chosen because it stays distinct
under the common forms of colour-vision deficiency. Each colour carries one
meaning across every figure, so a reader who learns "green = US relief" on one
chart can read the next without a legend hunt.

Importing this module does not import matplotlib; :func:`house_style` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import paths
from .errors import BelthawError

#: Meaning -> colour. Use these keys, never raw hex codes, in plot functions.
#: The order is also the colour cycle of ``belthaw.mplstyle`` (a test keeps them in step).
COLORS: dict[str, str] = {
    "release": "#0072B2",  # Okabe-Ito blue: people released
    "us_relief": "#009E73",  # Okabe-Ito bluish green: US sanctions relief steps
    "eu_measure": "#D55E00",  # Okabe-Ito vermillion: EU / Lithuanian / Polish measures
    "contact": "#E69F00",  # Okabe-Ito orange: diplomatic contacts, calls, appointments
    "stock": "#CC79A7",  # Okabe-Ito reddish purple: political prisoners still held
    "total": "#000000",  # black: published cumulative totals
    "inferred": "#56B4E9",  # Okabe-Ito sky blue: candidate links proposed by infer_links
    "neutral": "#7F7F7F",  # mid grey: statements, context, gridlines' text
}

#: The smallest type size allowed anywhere on a figure printed at its named size (points).
#: The A4 sizes stay at 7 pt or more through their base font; only the 8 cm column
#: size goes down to this floor, which is still legible in print.
MIN_FONT_PT: float = 6.0


@dataclass(frozen=True)
class Size:
    """A named print size: figures are drawn at exactly this size; at 100 %, text is >= 6 pt."""

    name: str
    width: float  # inches
    height: float  # inches
    base_font: float  # points; smallest text is base_font - 1.5

    @property
    def small_font(self) -> float:
        """Size of the smallest text (ticks, legend, source line), never below the floor."""
        return max(MIN_FONT_PT, self.base_font - 1.5)

    @property
    def width_cm(self) -> float:
        """Width in centimetres (what Word shows in "Size")."""
        return round(self.width * 2.54, 1)

    @property
    def height_cm(self) -> float:
        return round(self.height * 2.54, 1)


#: Where a figure goes -> its size. A4 text block is ~6.3 in wide (16 cm).
SIZES: dict[str, Size] = {
    "a4-full": Size("a4-full", 6.3, 4.2, 9.0),
    "a4-half": Size("a4-half", 6.3, 2.9, 8.5),
    "slide": Size("slide", 10.0, 5.625, 12.0),
    # A whole A4 text block (16 x 23 cm) for the one-page composite overview.
    "a4-page": Size("a4-page", 6.3, 9.0, 9.0),
    # One column of a two-column page (8 x 10 cm): pasted at 100 %, its smallest text
    # prints at 6 pt; taller than wide, so stacked rows and panels keep their room.
    "column": Size("column", 3.15, 3.9, 7.5),
}


def get_size(name: str) -> Size:
    """The :class:`Size` called ``name``; a :class:`BelthawError` naming the choices if none."""
    try:
        return SIZES[name]
    except (KeyError, TypeError):
        raise BelthawError(
            f"unknown figure size {name!r}; choose one of: {', '.join(SIZES)}"
        ) from None


def size_of(width: float, height: float) -> Size | None:
    """The named size whose width and height (inches) match to 0.01 in, or ``None``."""
    for s in SIZES.values():
        if abs(s.width - width) <= 0.01 and abs(s.height - height) <= 0.01:
            return s
    return None


def _rc(s: Size) -> dict[str, Any]:
    """rcParams of a size, on top of the sheets: absolute points, so the floor always holds
    (the sheets' relative sizes would drift: 0.833 x 8.5 pt rounds to 7.08 pt)."""
    rc = dict.fromkeys(["font.size", "axes.titlesize", "axes.labelsize"], s.base_font)
    rc |= dict.fromkeys(["xtick.labelsize", "ytick.labelsize", "legend.fontsize"], s.small_font)
    return rc | {
        "figure.figsize": (s.width, s.height),
        "legend.title_fontsize": s.base_font,
        "figure.titlesize": s.base_font + 2,
        "figure.labelsize": s.base_font,
    }


@contextmanager
def house_style(size: str = "a4-full") -> Iterator[Size]:
    """Apply the house style at a named size: figures created inside the block get the
    named size, fonts and colours (the slide size adds ``belthaw-slide.mplstyle``)."""
    # matplotlib.style, not pyplot: applying a style must not start a GUI backend.
    import matplotlib as mpl
    import matplotlib.style

    s = get_size(size)
    sheets = ["belthaw", "belthaw-slide"] if size == "slide" else ["belthaw"]
    with matplotlib.style.context([str(paths.STYLES_DIR / f"{n}.mplstyle") for n in sheets]):
        with mpl.rc_context(_rc(s)):
            yield s
