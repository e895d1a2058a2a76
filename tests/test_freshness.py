"""freshness.py: how old the data is; the run's warning and the figures' "as of" note share one rule."""

from datetime import date, timedelta

import pandas as pd
import pytest

from belthaw import paths
from belthaw.cli import data_age_warning
from belthaw.figure.layout import REPLAY_NOTE, as_of_note
from belthaw.freshness import AS_OF_NOTE, age_days, stale_warning
from belthaw.provenance import TODAY_ENV

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
def test_one_rule_for_warning_and_note(today, days, stale, monkeypatch):
    # "Today" is an input: the runner fixes it once per run through the environment.
    monkeypatch.setenv(TODAY_ENV, today.isoformat())
    data = type("D", (), {"as_of": pd.Timestamp(NEWEST), "published_by": None})()
    warn = stale_warning(NEWEST, days, today)
    assert bool(warn) is stale
    assert stale_warning(NEWEST, days) == warn
    assert (as_of_note(data, days) == AS_OF_NOTE) is stale
    if stale:
        assert f"{age_days(NEWEST, today)} days ago" in warn and "2026-03-19" in warn


def test_a_replay_is_dated_never_called_stale(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2030-01-01")
    day = pd.Timestamp("2025-12-15")
    data = type("D", (), {"as_of": day, "published_by": day})()
    assert as_of_note(data, 90) == REPLAY_NOTE


def test_run_warns_from_the_shipped_events_file(monkeypatch):
    from belthaw.run.runner import newest_event

    newest = newest_event(paths.DATA_DIR)
    monkeypatch.setenv(TODAY_ENV, (newest + timedelta(days=365)).isoformat())
    assert f"events.csv is {newest:%Y-%m-%d}, 365 days ago" in data_age_warning(90)
    monkeypatch.setenv(TODAY_ENV, (newest + timedelta(days=1)).isoformat())
    assert data_age_warning(90) == ""


def test_a_bad_today_is_a_clear_error(monkeypatch):
    from belthaw.errors import BelthawError
    from belthaw.provenance import today

    monkeypatch.setenv(TODAY_ENV, "2026-02-30")
    with pytest.raises(BelthawError, match="BELTHAW_TODAY='2026-02-30' is not a date"):
        today()
