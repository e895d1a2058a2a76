"""How numbers, dates and periods are written in titles, captions, alt text and notes."""

from __future__ import annotations

import pandas as pd

#: At most this many notes go on a figure; the rest of the explanation goes in the caption.
MAX_NOTES = 2


def fmt_n(x) -> str:
    """1,140 style; rounded to an integer."""
    return f"{int(round(float(x))):,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 release"`` / ``"3 releases"``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def fmt_month(ts) -> str:
    return pd.Timestamp(ts).strftime("%B %Y")


def long_day(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %B %Y")


def short_day(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %b %Y")


def period_span(dates: pd.Series, start=None, end=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period a title names: the chosen window, else the dates drawn."""
    return pd.Timestamp(start or dates.min()), pd.Timestamp(end or dates.max())


def disagreements(cmp: pd.DataFrame | None) -> tuple[str, str]:
    """(short note for the figure, full explanations for the caption) for totals off our sum."""
    off = cmp[cmp["verdict"] != "consistent"] if cmp is not None and len(cmp) else []
    if not len(off):
        return "", ""
    note = (
        f"{plural(len(off), 'published total')} {'does' if len(off) == 1 else 'do'} not match "
        "our sum; the caption says why for each."
    )
    return note, " ".join(str(e) for e in off["explanation"])
