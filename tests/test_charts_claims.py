"""charts/claims.py (05-claims): what is drawn, what the legend and caption name, and what
the title claims, on small synthetic claims."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from belthaw.charts import claims as chart  # noqa: E402
from belthaw.errors import EmptySelectionError  # noqa: E402
from belthaw.style import get_size  # noqa: E402
from belthaw.transforms.claims import claim_ranges, claims_long, disputed_claims  # noqa: E402
from synth import make_dataset  # noqa: E402

SEP, JUN, DEC = "ev-20250911-release", "ev-20250621-release", "ev-20251213-release"


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _claims(*figures):
    """Claims rows from (event_id, source_id, value_num, precision)."""
    return [
        dict(claim_id=f"k{i}", event_id=ev, source_id=src, field="count", value=str(v),
             value_num=v, precision=prec)
        for i, (ev, src, v, prec) in enumerate(figures)
    ]  # fmt: skip


#: 11 Sep (our 52): 52 against about 60, gap 5. 21 Jun (our 14): 10 against more than 12,
#: gap 2. 13 Dec: 123 twice and "more than 100": different but compatible.
FIGURES = [
    (SEP, "ap-1", 52, "exact"), (SEP, "viasna-1", 60, "approx"),
    (JUN, "ap-1", 10, "exact"), (JUN, "reuters-1", 12, "at_least"),
    (DEC, "ap-1", 123, "exact"), (DEC, "reuters-1", 123, "exact"), (DEC, "viasna-1", 100, "at_least"),
]  # fmt: skip


def _frames(figures=FIGURES):
    long = claims_long(make_dataset(claims=_claims(*figures)), kinds=("release",))
    return disputed_claims(long), claim_ranges(long)


def by_gid(ax, prefix):
    pool = [*ax.lines, *ax.patches, *ax.texts]
    return [a for a in pool if (a.get_gid() or "").startswith(prefix)]


def _n_in_title(title: str) -> int:
    return int(re.search(r"for (\d+) releases?", title).group(1))


@pytest.mark.parametrize("max_events", [None, 1])
def test_caption_and_legend_name_only_drawn_marks(max_events):
    claims, ranges = _frames()
    ax = chart.plot_claims(claims, max_events=max_events)
    text = chart.claims_text(claims, ranges, max_events=max_events)
    drawn = chart.marks_drawn(claims, max_events=max_events)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [m.label for m in chart.MARKS if m.key in drawn]
    for m in chart.MARKS:
        assert (m.reads.lower() in text.caption.lower()) is (m.key in drawn), m.key
    # the widest row alone (11 Sep) has no 'more than' figure: neither legend nor caption says one
    assert ("more than" in legend) is (max_events is None)


TITLES = [
    # (case, figures, max_events, title)
    ("one release whose figures cannot all be true",
     [(SEP, "ap-1", 52, "exact"), (SEP, "viasna-1", 60, "approx")], None,
     "Sources give figures that cannot all be true for 1 release; the widest gap is on "
     "11 Sep 2025: 52 against about 60"),
    ("a 'more than' figure above an exact one is named with its wording",
     [(JUN, "ap-1", 10, "exact"), (JUN, "reuters-1", 12, "at_least")], None,
     "Sources give figures that cannot all be true for 1 release; the widest gap is on "
     "21 Jun 2025: 10 against more than 12"),
    ("the widest gap leads; every disputed release is counted",
     FIGURES, None,
     "Sources give figures that cannot all be true for 2 releases; the widest gap is on "
     "11 Sep 2025: 52 against about 60"),
    ("a cut list says how many are shown",
     FIGURES, 1,
     "Sources give figures that cannot all be true for 2 releases; the widest gap is on "
     "11 Sep 2025: 52 against about 60 (1 widest shown)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "figures", "max_events", "title"), TITLES, ids=[t[0] for t in TITLES]
)
def test_title_claim(case, figures, max_events, title):
    claims, ranges = _frames(figures)
    assert chart.claims_text(claims, ranges, max_events=max_events).title == title, case


def test_compatible_figures_are_no_disagreement():
    """'More than 100' against 123 is no disagreement: nothing to draw, and the chart says why."""
    claims, _ = _frames([f for f in FIGURES if f[0] == DEC])
    with pytest.raises(EmptySelectionError, match="incompatible"):
        chart.draw(claims)


def test_compatible_releases_are_named_in_a_note():
    claims, ranges = _frames()
    notes = chart.claims_text(claims, ranges).notes
    assert any("13 Dec 2025" in n and "can all be true" in n for n in notes)
    assert not by_gid(chart.plot_claims(claims), f"range:{DEC}")


@pytest.mark.parametrize("max_events", [None, 1])
def test_every_release_the_title_counts_is_drawn(max_events):
    claims, ranges = _frames()
    ax = chart.plot_claims(claims, max_events=max_events)
    title = chart.claims_text(claims, ranges, max_events=max_events).title
    rows = {p.get_gid().split(":", 1)[1] for p in by_gid(ax, "range:")}
    shown = re.search(r"\((\d+) widest shown\)", title)
    assert len(rows) == (int(shown.group(1)) if shown else _n_in_title(title))
    lo, hi = ax.get_xlim()
    drawn = claims[claims["event_id"].isin(rows)]
    assert lo <= drawn["value_num"].min() and drawn["band_high"].max() < hi


def test_marks_sit_where_the_figures_are():
    claims, _ = _frames()
    ax = chart.plot_claims(claims, color="#123456", ms=9)
    (gap,) = by_gid(ax, f"gap:{SEP}")
    assert (gap.get_x(), gap.get_x() + gap.get_width()) == pytest.approx((52, 57))
    (band,) = by_gid(ax, f"range:{SEP}")
    assert (band.get_x(), band.get_x() + band.get_width()) == (52, 60)
    (best,) = by_gid(ax, f"best:{SEP}")
    assert set(best.get_xdata()) == {52}
    (more,) = by_gid(ax, "claims:at_least")
    assert more.get_marker() == ">" and more.get_markersize() == 9
    assert to_hex(more.get_color()) == "#123456"
    assert sorted(t.get_text() for t in by_gid(ax, f"claim-label:{SEP}")) == ["52", "~60"]


def test_two_counters_one_figure_is_labelled_x2_and_copies_count_once():
    figures = [
        (SEP, "ap-1", 52, "exact"),
        (SEP, "reuters-1", 52, "exact"),
        (SEP, "viasna-1", 60, "exact"),
    ]
    claims, ranges = _frames(figures)
    ax = chart.plot_claims(claims)
    assert "52 ×2" in {t.get_text() for t in by_gid(ax, "claim-label:")}
    text = chart.claims_text(claims, ranges)
    assert "×2 means two counters" in text.caption and "52: AP, Reuters" in text.caption


def test_no_counter_names_on_the_chart_and_labels_apart(ds):
    claims, _ = _frames()
    fig = chart.draw(claims, size="a4-half")
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(plt.Text)]
    for pub in ds.sources["publisher"]:
        assert not any(pub in t for t in texts), pub
    _no_overlap(fig, by_gid(fig.axes[0], "claim-label:") + fig.axes[0].get_yticklabels())


def test_draw_at_named_size():
    claims, _ = _frames()
    fig = chart.draw(claims, size="slide")
    s = get_size("slide")
    assert tuple(fig.get_size_inches()) == pytest.approx((s.width, s.height))


def test_real_data_rows_match_title_and_labels_apart():
    import belthaw

    long = claims_long(belthaw.load(), kinds=("release",))
    claims, ranges = disputed_claims(long), claim_ranges(long)
    fig = chart.draw(claims, max_events=8)
    fig.canvas.draw()
    rows = by_gid(fig.axes[0], "range:")
    assert len(rows) == min(8, _n_in_title(chart.claims_text(claims, ranges, max_events=8).title))
    _no_overlap(fig, by_gid(fig.axes[0], "claim-label:"))


def _no_overlap(fig, texts):
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in texts if t.get_text().strip()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert w <= 0.5 or h <= 0.5, (a, b)
