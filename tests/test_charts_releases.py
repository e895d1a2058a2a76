"""charts/releases.py (01-releases): bars, marks, labels, words, and what is counted is drawn."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from belthaw.charts import releases  # noqa: E402
from belthaw.counting import CountingRule  # noqa: E402
from belthaw.errors import EmptySelectionError  # noqa: E402
from belthaw.style import COLORS  # noqa: E402
from belthaw.transforms.headline import headline  # noqa: E402
from belthaw.transforms.timeline import release_series, stock_series  # noqa: E402
from drawn import by_gid  # noqa: E402
from synth import make_dataset, release  # noqa: E402


def legend_texts(ax):
    leg = ax.get_legend()
    return [t.get_text() for t in leg.get_texts()] if leg else []


def test_bars_hatches_and_labels(ds):
    ax = releases.plot_releases(release_series(ds), annotate_min=1)
    bars = by_gid(ax, "release-bar:")
    assert len(bars) == 7 == len(ax.patches)
    hatched = {b.get_gid() for b in bars if b.get_hatch() == "//"}
    assert hatched == {"release-bar:ev-20250911-release", "release-bar:ev-20260115-release"}
    exact = next(b for b in bars if b.get_gid() == "release-bar:ev-20251213-release")
    assert to_hex(exact.get_facecolor()) == COLORS["release"].lower()
    labels = [t.get_text() for t in by_gid(ax, "count-label")]
    assert "≥52\nLT+home" in labels and "123\nLT+UA" in labels
    marks = sum(len(ln.get_xdata()) for ln in by_gid(ax, "destination-mark:"))
    assert marks == len(bars)  # every bar says where people went, labelled or not


@pytest.mark.parametrize(("annotate_min", "n_labels"), [(None, 6), (10, 4), (100, 1)])
def test_annotate_min(ds, annotate_min, n_labels):
    ax = releases.plot_releases(release_series(ds), annotate_min=annotate_min)
    assert len(by_gid(ax, "count-label")) == n_labels


def test_overrides_pass_through(ds):
    fig, (a, b) = plt.subplots(1, 2)
    ax = releases.plot_releases(release_series(ds), color="#444444", alpha=0.5, ax=b)
    assert ax is b and not a.patches
    bar = by_gid(b, "release-bar:ev-20251213-release")[0]
    assert to_hex(bar.get_facecolor()) == "#444444" and bar.get_alpha() == 0.5


@pytest.mark.parametrize(
    ("granularity", "show_destination", "rule"),
    [
        ("event", True, CountingRule()),
        ("month", False, CountingRule()),
        ("quarter", True, CountingRule(min_confidence="medium")),
        ("event", True, CountingRule(what="political")),
    ],
)
def test_caption_names_only_the_marks_drawn(ds, granularity, show_destination, rule):
    series = release_series(ds, rule, granularity=granularity)
    stock = stock_series(ds.prisoner_counts)
    fig = releases.draw(series, stock, show_destination=show_destination)
    text = releases.releases_text(series, stock, rule, show_destination=show_destination)
    shown = set(legend_texts(fig.axes[0]))
    for mark in releases.MARKS:
        assert (mark.label in shown) == (mark.reads.lower() in text.caption.lower()), mark.key


def test_period_outlined_only_when_every_release_in_it_is_weak():
    events = [
        release("ev-20250101-a", "2025-01-01", 5),
        release("ev-20250115-b", "2025-01-15", 7, source_ids="blog-1"),
        release("ev-20250301-c", "2025-03-01", 3, source_ids="blog-1"),
    ]
    ds = make_dataset(events=events, claims=[], exchanges=[])
    series = release_series(ds, granularity="month")
    assert series["n_weak"].tolist() == [1, 0, 1]
    ax = releases.plot_releases(series)
    dashed = [b for b in by_gid(ax, "release-bar:") if b.get_linestyle() != "solid"]
    assert [b.get_gid() for b in dashed] == ["release-bar:2025-03"]
    h = headline(series, CountingRule())
    assert h.n_weak == 2  # counted per release, not per period


def test_every_counted_release_is_inside_the_plot():
    """A release after the last stock count is drawn too (the shared axis holds all layers)."""
    from synth import EVENTS

    ds = make_dataset(events=[*EVENTS, release("ev-20260402-late", "2026-04-02", 9)])
    series = release_series(ds)
    assert series["period"].max() > ds.prisoner_counts["date"].max()
    fig = releases.draw(series, stock_series(ds.prisoner_counts))
    fig.canvas.draw()
    lo, hi = fig.axes[0].get_xlim()
    bars = by_gid(fig.axes[0], "release-bar:")
    assert len(bars) == headline(series, CountingRule()).n_releases
    assert all(lo <= b.get_x() and b.get_x() + b.get_width() <= hi for b in bars)


def test_title_counts_what_is_drawn_and_dates_the_stock(ds):
    series = release_series(ds)
    text = releases.releases_text(series, stock_series(ds.prisoner_counts), CountingRule())
    n = len(series)
    assert text.title.startswith(f"At least 213 people freed in {n} releases since July 2024")
    assert "still held on" in text.title  # the stock is dated, never set against a later total
    assert set(text.source_ids) >= {"viasna-1", "ap-1"}


@pytest.mark.parametrize(
    ("rows", "title_start"),
    [
        ([release("ev-20250101-a", "2025-01-01", 1000), release("ev-20250201-b", "2025-02-01", 140)],
         "1,140 people freed in 2 releases since January 2025"),
        ([release("ev-20250101-a", "2025-01-01", 5, "at_least")], "At least 5 people freed in 1 release since January 2025"),
    ],
)  # fmt: skip
def test_title_numbers_come_from_data(rows, title_start):
    ds = make_dataset(events=rows, claims=[], exchanges=[])
    text = releases.releases_text(release_series(ds), None, CountingRule())
    assert text.title == title_start


def test_empty_selection_says_why(ds):
    series = release_series(ds, start="2023-01-01", end="2023-02-01")
    with pytest.raises(EmptySelectionError, match="no releases between 2023-01-01 and 2023-02-01"):
        releases.draw(series, None)
    with pytest.raises(EmptySelectionError):
        releases.releases_text(series, None, CountingRule())


def test_stock_panel_marks(ds):
    ax = releases.plot_stock(stock_series(ds.prisoner_counts))
    assert by_gid(ax, "stock-line")
    assert pd.notna(ax.get_ylim()[1])
