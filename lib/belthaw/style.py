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
        """Size of the smallest text (ticks, legend, source line), never below the floor.

        >>> get_size("a4-half").small_font
        7.0
        """
        return max(MIN_FONT_PT, self.base_font - 1.5)

    @property
    def width_cm(self) -> float:
        """Width in centimetres (what Word shows in "Size").

        >>> get_size("a4-full").width_cm
        16.0
        """
        return round(self.width * 2.54, 1)

    @property
    def height_cm(self) -> float:
        """Height in centimetres.

        >>> get_size("a4-full").height_cm
        10.7
        """
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
    """Return the :class:`Size` called ``name``.

    >>> get_size("a4-full").width
    6.3
    """
    try:
        return SIZES[name]
    except (KeyError, TypeError):
        from .errors import BelthawError

        raise BelthawError(
            f"unknown figure size {name!r}; choose one of: {', '.join(SIZES)}"
        ) from None


def size_of(width: float, height: float, *, tol: float = 0.01) -> Size | None:
    """The named size whose width and height (inches) match, or ``None``.

    >>> size_of(6.3, 2.9).name
    'a4-half'
    >>> size_of(4, 3) is None
    True
    """
    for s in SIZES.values():
        if abs(s.width - width) <= tol and abs(s.height - height) <= tol:
            return s
    return None


def style_path(name: str = "belthaw") -> str:
    """Path of a packaged .mplstyle file, by name (``belthaw``, ``belthaw-slide``).

    >>> style_path().endswith("belthaw.mplstyle")
    True
    """
    return str(paths.STYLES_DIR / f"{name}.mplstyle")


def style_sheets(size: str = "a4-full") -> list[str]:
    """The .mplstyle files applied for a named size, base sheet first.

    >>> [p.rsplit("/", 1)[-1] for p in style_sheets("slide")]
    ['belthaw.mplstyle', 'belthaw-slide.mplstyle']
    """
    get_size(size)
    sheets = [style_path("belthaw")]
    if size == "slide":
        sheets.append(style_path("belthaw-slide"))
    return sheets


def size_rc(size: str = "a4-full") -> dict[str, Any]:
    """rcParams that depend on the named size, applied on top of the style sheets.

    The sheets use relative font sizes; here they become absolute points so the
    7 pt floor holds whatever the base (0.833 x 8.5 pt would round to 7.08 pt;
    an explicit ``small_font`` cannot drift below 7).

    >>> size_rc("a4-half")["xtick.labelsize"]
    7.0
    """
    s = get_size(size)
    small = s.small_font
    return {
        "figure.figsize": (s.width, s.height),
        "font.size": s.base_font,
        "axes.titlesize": s.base_font,
        "axes.labelsize": s.base_font,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "legend.fontsize": small,
        "legend.title_fontsize": s.base_font,
        "figure.titlesize": s.base_font + 2,
        "figure.labelsize": s.base_font,
    }


@contextmanager
def house_style(size: str = "a4-full") -> Iterator[Size]:
    """Context manager applying the house style at a named size.

    Figures created inside the block get the named size, fonts and colours.

    >>> with house_style("a4-half") as s:            # doctest: +SKIP
    ...     ax = plot_releases(data)
    >>> s.height                                     # doctest: +SKIP
    2.9
    """
    # matplotlib.style, not pyplot: applying a style must not start a GUI backend.
    import matplotlib as mpl
    import matplotlib.style

    s = get_size(size)
    with matplotlib.style.context(style_sheets(size)):
        with mpl.rc_context(size_rc(size)):
            yield s


def use_house_style(size: str = "a4-full") -> Size:
    """Apply the house style globally (for a notebook's setup cell) and return the size.

    >>> use_house_style("slide").width               # doctest: +SKIP
    10.0
    """
    import matplotlib as mpl
    import matplotlib.style

    s = get_size(size)
    matplotlib.style.use(style_sheets(size))
    mpl.rcParams.update(size_rc(size))
    return s
