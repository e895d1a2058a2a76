"""How old the data is, in one place: the run's warning and the figures' "as of" note.

Standard library only: ``belthaw run`` checks freshness before anything heavy is
imported, and the notebooks check it again on the loaded data.
"""

from __future__ import annotations

from datetime import date, datetime

from .provenance import today as _today

#: Data whose newest event is older than this many days gets a warning (parameter default).
STALE_AFTER_DAYS = 90

#: Beside "Data as of" on stale figures. It names no date of its own, so a figure
#: stays byte-identical from one day to the next; the run's warning gives the age.
AS_OF_NOTE = "the newest event recorded; anything later is not included"


def age_days(newest: date, today: date | None = None) -> int:
    """Days from the newest event (a date, datetime or pandas Timestamp) to ``today``."""
    if isinstance(newest, datetime):
        newest = newest.date()
    return ((today or _today()) - newest).days


def stale_warning(
    newest: date,
    stale_after_days: int = STALE_AFTER_DAYS,
    today: date | None = None,
    where: str = "the data",
) -> str:
    """A one-line warning when ``newest`` is more than ``stale_after_days`` old, else ""."""
    age = age_days(newest, today)
    if age <= stale_after_days:
        return ""
    return (
        f"warning: the newest event in {where} is {newest:%Y-%m-%d}, {age} days ago "
        f"(more than {stale_after_days}); figures say 'Data as of {newest:%Y-%m-%d}'. "
        "Check for later releases or sanctions steps (docs/adding-an-event.md)."
    )
