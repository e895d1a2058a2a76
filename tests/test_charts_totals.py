"""charts/totals.py (05-totals): what is drawn, what the legend and caption name, and what
the title claims, on small synthetic totals."""

import re
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from belthaw.charts import totals as chart  # noqa: E402
from belthaw.errors import EmptySelectionError  # noqa: E402
from belthaw.style import get_size  # noqa: E402
from belthaw.transforms.claims import itemized_vs_totals, totals_on_chart  # noqa: E402
from synth import make_dataset, release  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


#: People freed: 10 (Jan), 20 (Feb), 30 (Mar), 40 (Apr) in 2025; 100 in all.
RELEASES = [
    release("ev-r1", "2025-01-10", 10, destination="home"),
    release("ev-r2", "2025-02-10", 20, destination="Lithuania"),
    release("ev-r3", "2025-03-10", 30, destination="unknown"),
    release("ev-r4", "2025-04-10", 40, destination="Lithuania", n_home=0),
]


def _total(total_id, value, *, as_of="2025-12-31", precision="exact", scope="all_releases",
           source_id="ap-1", since="2025-01-01"):  # fmt: skip
    return dict(total_id=total_id, as_of=as_of, since=since, value=value, precision=precision,
                scope=scope, wording="w", source_id=source_id)  # fmt: skip


def _frames(totals, **kw):
    cmp = itemized_vs_totals(make_dataset(events=RELEASES, claims=[], exchanges=[], totals=totals))
    return totals_on_chart(cmp, **kw), cmp


def by_gid(ax, prefix):
    return [a for a in [*ax.lines, *ax.texts] if (a.get_gid() or "").startswith(prefix)]


MIXED = [
    _total("t-more", 90, precision="at_least"),  # our 100 meets it
    _total("t-exact", 30, as_of="2025-02-28"),  # Jan + Feb
    _total("t-about", 150, precision="approx", source_id="reuters-1"),  # differs by -50
    _total("t-us", 60, scope="us_mediated", source_id="viasna-1"),  # Feb + Apr
    _total("t-pp", 50, scope="political_prisoners", source_id="viasna-1"),  # not comparable
]


@pytest.mark.parametrize("scopes", [None, ("us_mediated",)])
def test_caption_and_legend_name_only_drawn_marks(scopes):
    shown, cmp = _frames(MIXED)
    ax = chart.plot_totals(shown, scopes=scopes)
    text = chart.totals_text(shown, cmp, scopes=scopes)
    drawn = chart.marks_drawn(shown, scopes=scopes)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [m.label for m in chart.MARKS if m.key in drawn]
    for m in chart.MARKS:
        assert (m.reads.lower() in text.caption.lower()) is (m.key in drawn), m.key
    # the US-track total alone is exact: no 'more than' or 'about' shape is named
    assert ("published: more than" in legend) is (scopes is None)
    verdicts = {t.get_gid()[8:] for t in by_gid(ax, "verdict:")}
    for key, words in chart.VERDICT_WORDS.items():
        assert (words in text.caption) is (key in verdicts), key


TITLES = [
    # (case, totals, title start)
    ("every figure agrees; the dates of the releases checked are stated",
     [_total("a", 30, as_of="2025-02-28"), _total("b", 100)],
     "2 of 2 published totals match our sum over the same dates (releases of 10 Jan 2025 to 10 Apr 2025)"),
    ("one figure relayed twice is one agreement",
     [_total("a", 100), _total("b", 100)],
     "1 of 1 published total matches"),
    ("a total up to 28 Feb is checked against releases up to then only",
     [_total("a", 30, as_of="2025-02-28")],
     "1 of 1 published total matches our sum over the same dates (releases of 10 Jan 2025 to 10 Feb 2025)"),
    ("a shortfall of the published figures is said with its size",
     [_total("a", 80), _total("b", 70, source_id="reuters-1")],
     "0 of 2 published totals match our sum over the same dates (releases of 10 Jan 2025 to 10 Apr 2025); "
     "2 fall short of it by up to 30"),
    ("figures above our sum exceed it",
     [_total("a", 150, precision="approx")],
     "0 of 1 published total match our sum over the same dates (releases of 10 Jan 2025 to 10 Apr 2025); "
     "1 exceeds it by up to 50"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "totals", "start"), TITLES, ids=[t[0] for t in TITLES])
def test_title_claim(case, totals, start):
    shown, cmp = _frames(totals)
    assert chart.totals_text(shown, cmp).title.startswith(start), case


def test_counter_not_relay_names_the_row():
    """Two sites relaying one office's figure: one row, labelled with the office."""
    ds = make_dataset(events=RELEASES, claims=[], exchanges=[],
                      totals=[_total("a", 100), _total("b", 100, source_id="reuters-1")])  # fmt: skip
    origin = [
        "Presidential office" if s in ("ap-1", "reuters-1") else "" for s in ds.sources["source_id"]
    ]
    cmp = itemized_vs_totals(replace(ds, sources=ds.sources.assign(origin=origin)))
    shown = totals_on_chart(cmp)
    ax = chart.plot_totals(shown)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Presidential office ×2 · 31 Dec 2025"]
    assert "×2: one figure carried by two reports" in chart.totals_text(shown, cmp).caption


@pytest.mark.parametrize("scopes", [None, ("all_releases",)])
def test_every_total_the_title_counts_is_drawn(scopes):
    shown, cmp = _frames(MIXED)
    ax = chart.plot_totals(shown, scopes=scopes)
    title = chart.totals_text(shown, cmp, scopes=scopes).title
    n = int(re.match(r"\d+ of (\d+)", title).group(1))
    assert len(by_gid(ax, "dumbbell:")) == n == len(by_gid(ax, "verdict:"))
    lo, hi = ax.get_xlim()
    for line in by_gid(ax, "dumbbell:"):
        assert lo <= min(line.get_xdata()) and max(line.get_xdata()) <= hi


def test_marks_and_verdicts():
    shown, _ = _frames(MIXED)
    ax = chart.plot_totals(shown, color="#123456", ms=9)
    assert by_gid(ax, "published:t-more")[0].get_marker() == ">"
    assert by_gid(ax, "published:t-about")[0].get_marker() == "D"
    (ours,) = by_gid(ax, "itemized:t-us")
    assert (
        ours.get_xdata()[0] == 60
        and to_hex(ours.get_color()) == "#123456"
        and ours.get_markersize() == 9
    )
    texts = {t.get_gid(): t.get_text() for t in by_gid(ax, "verdict:")}
    assert texts["verdict:differs"] == "differs by -50"
    heads = [t.get_gid() for t in by_gid(ax, "scope-heading:")]
    assert heads == ["scope-heading:all_releases", "scope-heading:us_mediated"]


def test_lower_bound_sum_is_hollow():
    rows = [
        *RELEASES,
        release("ev-r5", "2025-05-10", None, precision="unknown", destination="home"),
    ]
    ds = make_dataset(events=rows, claims=[], exchanges=[], totals=[_total("a", 100)])
    shown = totals_on_chart(itemized_vs_totals(ds))
    ax = chart.plot_totals(shown)
    assert by_gid(ax, "itemized:a")[0].get_markerfacecolor() == "white"
    assert chart.marks_drawn(shown) == ["published-exact", "itemized-floor"]


def test_not_comparable_totals_are_named_in_a_note():
    shown, cmp = _frames(MIXED)
    notes = chart.totals_text(shown, cmp, table_name="x.csv").notes
    assert any(
        "1 total (recognised political prisoners freed)" in n and "all 5 are in x.csv" in n
        for n in notes
    )


def test_nothing_comparable_says_so():
    shown, _ = _frames([_total("t-pp", 50, scope="political_prisoners")])
    with pytest.raises(EmptySelectionError, match="comparable published totals"):
        chart.draw(shown)


def test_draw_at_named_size_labels_apart():
    shown, _ = _frames(MIXED)
    fig = chart.draw(shown, size="a4-half")
    s = get_size("a4-half")
    assert tuple(fig.get_size_inches()) == pytest.approx((s.width, s.height))
    fig.canvas.draw()
    ax = fig.axes[0]
    _no_overlap(fig, by_gid(ax, "verdict:") + by_gid(ax, "scope-heading:") + ax.get_yticklabels())


@pytest.mark.parametrize("size", ["a4-full", "column"])
def test_the_caption_explains_the_verdict_words_drawn_at_each_size(size):
    shown, cmp = _frames(MIXED)
    ax = chart.draw(shown, size=size).axes[0]
    drawn = {t.get_text().split()[0] for t in by_gid(ax, "verdict:")}
    caption = chart.totals_text(shown, cmp, size=size).caption
    for word in drawn:  # "agrees" / "=" / "close" / "differs" / a signed number
        key = "a signed number" if re.fullmatch(r"[-+−]?\d[\d,]*", word) else f"'{word}"
        assert key in caption, (word, caption)


def test_real_data_rows_match_title():
    import belthaw

    cmp = itemized_vs_totals(belthaw.load())
    shown = totals_on_chart(cmp)
    fig = chart.draw(shown)
    n = int(re.match(r"\d+ of (\d+)", chart.totals_text(shown, cmp).title).group(1))
    assert len(by_gid(fig.axes[0], "dumbbell:")) == n == len(shown)


def _no_overlap(fig, texts):
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in texts if t.get_text().strip()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert w <= 0.5 or h <= 0.5, (a, b)
