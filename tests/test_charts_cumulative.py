"""charts/cumulative.py (01-cumulative) and transforms/running_total.py: the running total
against the published totals that count the same thing from the same day."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from belthaw.charts import cumulative  # noqa: E402
from belthaw.counting import CountingRule  # noqa: E402
from belthaw.style import COLORS  # noqa: E402
from belthaw.transforms.running_total import totals_on_line  # noqa: E402
from belthaw.transforms.timeline import release_series  # noqa: E402
from drawn import by_gid  # noqa: E402
from synth import make_dataset, release  # noqa: E402


def test_dashed_after_lower_bound_and_totals(ds):
    totals = totals_on_line(ds, CountingRule())
    ax = cumulative.plot_cumulative(release_series(ds), totals)
    (solid,) = by_gid(ax, "cumulative-exact")
    (dashed,) = by_gid(ax, "cumulative-lower-bound")
    assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
    assert solid.get_ydata()[-1] == 38 and dashed.get_ydata()[-1] == 213
    drawn = by_gid(ax, "total:")
    assert len(drawn) == len(totals) and all(
        to_hex(t.get_color()) == COLORS["total"] for t in drawn
    )


@pytest.mark.parametrize(
    ("rule", "start", "n_totals"),
    [
        (CountingRule(), None, "all"),
        (CountingRule(include_released_home=False), None, 0),  # no published twin
        (CountingRule(include_foreign_nationals=False), None, 0),
        (CountingRule(what="pardoned"), None, "pardons"),
    ],
)
def test_only_like_totals_go_on_the_line(ds, rule, start, n_totals):
    totals = totals_on_line(ds, rule, start=start)
    if n_totals == 0:
        assert totals.empty
    else:
        scope = "all_releases" if n_totals == "all" else "all_pardons"
        assert set(totals["scope"].astype(str)) <= {scope}


@pytest.mark.parametrize("rule", [CountingRule(), CountingRule(include_released_home=False)])
def test_caption_names_only_the_marks_drawn(ds, rule):
    series = release_series(ds, rule)
    totals = totals_on_line(ds, rule)
    fig = cumulative.draw(series, totals)
    text = cumulative.cumulative_text(series, totals, rule)
    leg = fig.axes[0].get_legend()
    shown = {t.get_text() for t in leg.get_texts()}
    for mark in cumulative.MARKS:
        assert (mark.label in shown) == (mark.reads.lower() in text.caption.lower()), mark.key


def test_title_states_the_span_the_published_totals_check(ds):
    rule = CountingRule()
    series = release_series(ds, rule)
    totals = totals_on_line(ds, rule)
    text = cumulative.cumulative_text(series, totals, rule)
    last = pd.Timestamp(totals["as_of"].max())
    assert f"up to {last:%-d %B %Y}" in text.title
    assert text.title.startswith("At least 213 people freed by January 2026")


def test_total_labels_short_apart_and_inside():
    """Many totals on nearby days: value-only labels, none overlapping, none leaving the axes."""
    rows = [release(f"ev-2025{m:02d}01-r", f"2025-{m:02d}-01", 10 * m) for m in range(1, 10)]
    ds = make_dataset(events=rows, claims=[], exchanges=[])
    totals = pd.DataFrame(
        {
            "total_id": [f"t{i}" for i in range(8)],
            "as_of": pd.to_datetime(["2025-09-02"] * 4 + ["2025-09-04"] * 2 + ["2025-08-30"] * 2),
            "value": [430, 431, 156, 440, 400, 420, 450, 410],
            "precision": ["at_least", "exact", "exact", "approx"] * 2,
        }
    )
    fig, ax = plt.subplots(figsize=(6.3, 3.5))
    cumulative.plot_cumulative(release_series(ds), totals, ax=ax)
    labels = by_gid(ax, "total-label")
    assert all(len(t.get_text()) <= 5 for t in labels)  # ">430", "~440": no publisher names
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [plt.Text.get_window_extent(t, r) for t in labels if t.get_visible()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            hit = Bbox.intersection(a, b)
            assert hit is None or hit.width * hit.height < 1.0
    inside = ax.get_window_extent()
    assert all(inside.x0 - 1 <= b.x0 and b.x1 <= inside.x1 + 1 for b in boxes)
