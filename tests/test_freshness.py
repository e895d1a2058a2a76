"""How old the data is: the run's warning and the figures' "as of" note share one rule."""

from datetime import date

import pandas as pd
import pytest

from belthaw.cli import data_age_warning
from belthaw.figures import as_of_note, staleness_warning
from belthaw.freshness import AS_OF_NOTE, age_days, stale_warning

NEWEST = date(2026, 3, 19)


@pytest.mark.parametrize(
    "today,days,stale",
    [
        (date(2026, 6, 17), 90, False),  # exactly 90 days: still fresh
        (date(2026, 6, 18), 90, True),
        (date(2026, 3, 25), 5, True),
        (date(2026, 3, 19), 0, False),
    ],
)
def test_one_rule_for_warning_and_note(today, days, stale):
    data = type("D", (), {"as_of": pd.Timestamp(NEWEST)})()
    warn = stale_warning(NEWEST, days, today)
    assert bool(warn) is stale
    assert (as_of_note(data, days, today) == AS_OF_NOTE) is stale
    assert staleness_warning(data, days, today) == warn
    if stale:
        assert f"{age_days(NEWEST, today)} days ago" in warn and "2026-03-19" in warn


def test_run_warns_from_the_shipped_events_file():
    # The shipped data ends on 2026-03-19; a year later it is stale, a day later it is not.
    assert "events.csv is 2026-03-19, 365 days ago" in data_age_warning(90, date(2027, 3, 19))
    assert data_age_warning(90, date(2026, 3, 20)) == ""
