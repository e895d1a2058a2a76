"""charts/overview.py (04-overview): three panels on one time axis, and a title that keeps the
domestic pardons apart from the releases on the US track and counts only relief issued."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from belthaw.charts import overview  # noqa: E402
from belthaw.counting import CountingRule  # noqa: E402
from belthaw.errors import EmptySelectionError  # noqa: E402
from belthaw.transforms.exchanges import exchange_pairs, exchange_rows  # noqa: E402
from belthaw.transforms.headline import headline  # noqa: E402
from belthaw.transforms.sanctions import measures, relief_finding  # noqa: E402
from belthaw.transforms.timeline import release_series, us_track  # noqa: E402


def frames(ds, **window):
    series = release_series(ds, **window)
    steps = measures(ds.events, **window)
    pairs = exchange_pairs(ds, **window)
    return series, steps, pairs, exchange_rows(pairs, ds.events)


@pytest.mark.parametrize(
    ("case", "window"),
    [("whole period", {}), ("from September 2025", {"start": "2025-09-01"})],
)
def test_title_sets_only_us_track_releases_beside_us_steps(ds, case, window):
    series, steps, pairs, _ = frames(ds, **window)
    rule = CountingRule()
    text = overview.overview_text(series, steps, pairs, rule, us_track=us_track(series), **window)
    total, us = headline(series, rule), headline(us_track(series), rule)
    assert text.title.startswith(total.phrase()), case
    assert f"{us.value:,} of the {total.value:,} came in {us.n_releases}" in text.title, case
    # the domestic pardons are not credited to the US track
    assert us.n_releases < total.n_releases and us.value <= total.value
    relief = relief_finding(steps)
    assert f"issued {relief['issued']} relief action" in text.title
    assert ("announced" in text.title) == bool(relief["announced"])


def test_us_track_holds_only_us_deal_releases(ds):
    series = release_series(ds)
    assert set(us_track(series)["release_type"].astype(str)) == {"us_deal"}
    assert len(us_track(series)) < len(series)


def test_three_panels_share_one_time_axis_that_holds_every_release(ds):
    series, steps, _, rows = frames(ds)
    fig = overview.draw(series, steps, rows, size="a4-page")
    assert len(fig.axes) == 3
    lo, hi = fig.axes[0].get_xlim()
    bars = [p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("release-bar:")]
    assert len(bars) == headline(series, CountingRule()).n_releases
    assert all(lo <= b.get_x() and b.get_x() + b.get_width() <= hi for b in bars)
    assert fig.axes[1].get_xlim() == (lo, hi)


def test_empty_lower_panel_says_so_in_words(ds):
    series, steps, _, rows = frames(ds)
    fig = overview.draw(series, steps.iloc[0:0], rows.iloc[0:0], size="a4-page")
    notes = [t for ax in fig.axes[1:] for t in ax.texts if t.get_gid() == "empty-note"]
    assert len(notes) == 2 and all("nothing to draw" in t.get_text() for t in notes)


def test_no_release_in_the_window_is_nothing_to_draw(ds):
    series, steps, pairs, rows = frames(ds, start="2023-01-01", end="2023-02-01")
    with pytest.raises(EmptySelectionError, match="no releases"):
        overview.draw(series, steps, rows)
    with pytest.raises(EmptySelectionError):
        overview.overview_text(series, steps, pairs, CountingRule())
