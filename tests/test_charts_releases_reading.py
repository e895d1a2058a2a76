"""charts/releases.py and charts/cumulative.py: reading problems found by looking at the figures: a quarterly subtitle that stopped a
quarter short, two identical total labels side by side, a "still held" axis from zero."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from belthaw.charts import cumulative, releases  # noqa: E402
from belthaw.counting import CountingRule  # noqa: E402
from belthaw.transforms.timeline import release_series, stock_series  # noqa: E402
from synth import TOTALS, make_dataset, release  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _quarterly(events):
    ds = make_dataset(events=events)
    return release_series(ds, granularity="quarter")


@pytest.mark.parametrize(
    ("last_release", "named"),
    [("2026-03-19", "to March 2026"), ("2026-01-05", "to March 2026"), ("2025-11-30", "to December 2025")],
)  # fmt: skip
def test_quarterly_subtitle_names_the_end_of_the_last_quarter(last_release, named):
    series = _quarterly(
        [
            release("ev-20240703-a", "2024-07-03", 18),
            release(f"ev-{last_release.replace('-', '')}-b", last_release, 5),
        ]  # fmt: skip
    )
    text = releases.releases_text(series, None, CountingRule())
    assert f"July 2024 {named} (per quarter)" in text.subtitle, text.subtitle


def test_monthly_subtitle_names_the_last_month_and_an_end_date_wins():
    ds = make_dataset(events=[release("ev-20240703-a", "2024-07-03", 18), release("ev-20250210-b", "2025-02-10", 5)])  # fmt: skip
    series = release_series(ds, granularity="month")
    assert (
        "to February 2025 (per month)"
        in releases.releases_text(series, None, CountingRule()).subtitle
    )
    text = releases.releases_text(series, None, CountingRule(), end="2024-12-31")
    assert "to December 2024" in text.subtitle


def _stock(counts):
    ds = make_dataset(
        prisoner_counts=[
            dict(date=d, count=c, precision="exact", counted_by="Viasna", source_id="viasna-1")
            for d, c in counts
        ]
    )
    return stock_series(ds.prisoner_counts)


def test_still_held_axis_starts_near_the_data_and_says_so():
    ax = releases.plot_stock(_stock([("2024-07-01", 1400), ("2025-06-01", 1180), ("2026-01-01", 1140)]))  # fmt: skip
    lo, hi = ax.get_ylim()
    assert 0 < lo <= 1140 and lo % 100 == 0
    assert hi > 1400
    # the data fill at least half the axis: the changes can be seen
    assert (1400 - 1140) / (hi - lo) >= 0.5
    breaks = [line for line in ax.lines if line.get_gid() == "axis-break"]
    assert len(breaks) == 2, "a break mark on the axis says it does not start at zero"
    assert ax.get_yticks()[0] == lo
    plt.gcf().canvas.draw()
    assert ax.get_yticklabels()[0].get_text() == f"{int(lo):,}"


def test_still_held_axis_from_zero_when_the_data_come_near_it():
    ax = releases.plot_stock(_stock([("2024-07-01", 120), ("2025-06-01", 60)]))
    assert ax.get_ylim()[0] == 0
    assert not [line for line in ax.lines if line.get_gid() == "axis-break"]


def test_same_total_on_nearby_days_gets_one_label():
    ds = make_dataset()
    series = release_series(ds)
    repeat = [
        dict(TOTALS[0], total_id="t-a", as_of="2025-12-12", value=430),
        dict(TOTALS[0], total_id="t-b", as_of="2025-12-13", value=430),
        dict(TOTALS[0], total_id="t-c", as_of="2026-02-01", value=430),  # weeks later: its own
    ]
    totals = make_dataset(totals=repeat).totals
    ax = cumulative.plot_cumulative(series, totals)
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "total-label"]
    assert labels == [">430", ">430"]
    markers = [line for line in ax.lines if str(line.get_gid()).startswith("total:")]
    assert len(markers) == 3  # every publication keeps its marker
