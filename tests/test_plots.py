"""Plot functions: drawn objects, colours by meaning, hatches, line styles, empty selections."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex as _to_hex  # noqa: E402

from belthaw.charts import claims, cumulative, overview, releases, totals  # noqa: E402
from belthaw.errors import EmptySelectionError  # noqa: E402
from belthaw.style import COLORS  # noqa: E402
from belthaw.transforms.claims import claim_ranges, claims_long, itemized_vs_totals  # noqa: E402
from belthaw.transforms.timeline import release_series, stock_series  # noqa: E402
from synth import make_dataset  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def to_hex(color):
    return _to_hex(color).lower()


def meaning(key):
    return COLORS[key].lower()


def by_gid(ax, prefix, kind="all"):
    pools = {"lines": ax.lines, "patches": ax.patches, "texts": ax.texts}
    items = [a for k, pool in pools.items() if kind in ("all", k) for a in pool]
    return [a for a in items if (a.get_gid() or "").startswith(prefix)]


def test_releases_bars_hatches_and_labels(ds):
    ax = releases.plot_releases(release_series(ds.events))
    bars = by_gid(ax, "release-bar:", "patches")
    assert len(bars) == 7 == len(ax.patches)
    hatched = {b.get_gid() for b in bars if b.get_hatch() == "//"}
    assert hatched == {"release-bar:ev-20250911-release", "release-bar:ev-20260115-release"}
    exact = next(b for b in bars if b.get_gid() == "release-bar:ev-20251213-release")
    assert to_hex(exact.get_facecolor()) == meaning("release") and exact.get_hatch() is None
    lb = next(b for b in bars if b.get_gid() == "release-bar:ev-20250911-release")
    assert lb.get_facecolor()[3] < 1  # lighter fill
    labels = [t.get_text() for t in by_gid(ax, "count-label", "texts")]
    # One label per labelled bar: count over destination code.
    assert "≥52\nLT+home" in labels and "123\nLT+UA" in labels
    assert not any(t.startswith("0") for t in labels)
    kinds = {ln.get_gid().split(":")[1] for ln in by_gid(ax, "destination-mark:", "lines")}
    assert kinds == {"abroad", "home", "both", "unknown"}
    marks = sum(len(ln.get_xdata()) for ln in by_gid(ax, "destination-mark:", "lines"))
    assert marks == len(bars)  # every bar says where people went, labelled or not
    assert by_gid(ax, "destination-mark:home", "lines")[0].get_fillstyle() == "none"
    assert ax.get_ylabel() == "People released"


def _boxes(fig, texts):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    # The text itself, not the leader line an annotation may draw to its point.
    return [plt.Text.get_window_extent(t, r) for t in texts if t.get_visible()]


def _no_overlap(boxes):
    from matplotlib.transforms import Bbox

    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            hit = Bbox.intersection(a, b)
            assert hit is None or hit.width * hit.height < 1.0, (a, b)


def test_release_labels_do_not_overlap(ds):
    fig, ax = plt.subplots(figsize=(6.3, 3))
    releases.plot_releases(release_series(ds.events), annotate_min=1)
    _no_overlap(_boxes(fig, by_gid(ax, "count-label", "texts")))


@pytest.mark.parametrize(("annotate_min", "n_labels"), [(None, 6), (10, 4), (100, 1)])
def test_releases_annotate_min(ds, annotate_min, n_labels):
    ax = releases.plot_releases(release_series(ds.events), annotate_min=annotate_min)
    assert len(by_gid(ax, "count-label", "texts")) == n_labels


def test_releases_month_ticks_readable(ds):
    ax = releases.plot_releases(
        release_series(ds.events, granularity="month"), show_destination=False
    )
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks[0] == "Jul\n2024" and "Jan\n2025" in ticks and len(ticks) <= 8
    assert not by_gid(ax, "destination-mark:", "lines")
    assert all("\n" not in t.get_text() for t in by_gid(ax, "count-label", "texts"))
    assert ax.get_xlabel() == "Month"


def test_releases_empty_selection_message(ds):
    s = release_series(ds.events, start="2023-01-01", end="2023-02-01")
    with pytest.raises(EmptySelectionError) as err:
        releases.plot_releases(s)
    assert "no releases between 2023-01-01 and 2023-02-01" in str(err.value)
    assert "the data covers 2024-07-03 to 2026-01-20" in str(err.value)


def test_draws_on_given_ax(ds):
    fig, (a, b) = plt.subplots(1, 2)
    assert releases.plot_releases(release_series(ds.events), ax=b) is b
    assert not a.patches


def test_cumulative_dashed_after_lower_bound_and_totals(ds):
    ax = cumulative.plot_cumulative(release_series(ds.events), itemized_vs_totals(ds))
    (solid,) = by_gid(ax, "cumulative-exact", "lines")
    (dashed,) = by_gid(ax, "cumulative-lower-bound", "lines")
    assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
    assert solid.get_ydata()[-1] == 38 and dashed.get_ydata()[-1] == 213
    (t,) = by_gid(ax, "total:", "lines")  # only all_releases scope
    assert t.get_marker() == "^" and to_hex(t.get_color()) == meaning("total")
    assert [x.get_text() for x in by_gid(ax, "total-label", "texts")] == [">200"]


def test_cumulative_total_labels_short_apart_and_inside():
    """Many totals on nearby days: value-only labels, none overlapping, none leaving the axes."""
    import pandas as pd

    from synth import release

    rows = [release(f"ev-2025{m:02d}01-r", f"2025-{m:02d}-01", 10 * m) for m in range(1, 10)]
    ds = make_dataset(events=rows, claims=[], exchanges=[])
    totals = pd.DataFrame(
        {
            "total_id": [f"t{i}" for i in range(8)],
            "as_of": pd.to_datetime(["2025-09-02"] * 4 + ["2025-09-04"] * 2 + ["2025-08-30"] * 2),
            "value": [430, 431, 156, 440, 400, 420, 450, 410],
            "precision": ["at_least", "exact", "exact", "approx"] * 2,
            "scope": ["all_releases"] * 8,
            "publisher": ["The Associated Press (re-published by an unidentified site)"] * 8,
        }
    )
    fig, ax = plt.subplots(figsize=(6.3, 3.5))
    cumulative.plot_cumulative(release_series(ds.events), totals)
    labels = by_gid(ax, "total-label", "texts")
    assert len(labels) == 8
    assert all(len(t.get_text()) <= 5 for t in labels)  # ">430", "~440": no publisher names
    boxes = _boxes(fig, labels)
    _no_overlap(boxes)
    inside = ax.get_window_extent()
    assert all(inside.x0 - 1 <= b.x0 and b.x1 <= inside.x1 + 1 for b in boxes)


def test_stock_line_and_markers(ds):
    ax = releases.plot_stock(stock_series(ds.prisoner_counts))
    (line,) = by_gid(ax, "stock-line", "lines")
    assert to_hex(line.get_color()) == meaning("stock") and len(line.get_xdata()) == 4
    (other,) = by_gid(ax, "stock-points:Opposition office", "lines")
    assert other.get_marker() == "^" and other.get_markerfacecolor() == "none"
    assert ax.get_ylabel() == "Still held"  # the axis starts near the data, not at zero


def _claims_ds():
    """Synth data plus a disputed non-release and a third disputed release."""
    from synth import CLAIMS, EVENTS

    truck = dict(EVENTS[0], event_id="ev-trucks", kind="other", count=5000, title="trucks")
    extra = [
        dict(CLAIMS[0], claim_id="t1", event_id="ev-trucks", value="over 1,000", value_num=1000),
        dict(CLAIMS[0], claim_id="t2", event_id="ev-trucks", value="5,000", value_num=5000),
    ]
    return make_dataset(events=[*EVENTS, truck], claims=[*CLAIMS, *extra])


@pytest.mark.parametrize("source", ["long", "ranges"])
def test_claim_ranges(ds, source):
    data = claims_long(ds) if source == "long" else claim_ranges(ds)
    ax = claims.plot_claim_ranges(data)
    (rng,) = by_gid(ax, "range:", "patches")  # only the disputed event
    assert (rng.get_x(), rng.get_x() + rng.get_width()) == (50, 60)
    (al,) = by_gid(ax, "claims:at_least", "lines")
    assert al.get_marker() == ">"
    assert by_gid(ax, "best:ev-20250911-release", "lines")
    labels = sorted(t.get_text() for t in by_gid(ax, "claim-label:", "texts"))
    assert labels == ["52", ">50", "~60"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["11 Sep 2025"]


def test_claim_ranges_rows_are_disputed_releases_only():
    ds = _claims_ds()
    ax = claims.plot_claim_ranges(claims_long(ds, kinds=("release",)))
    ids = {p.get_gid().split(":", 1)[1] for p in by_gid(ax, "range:", "patches")}
    assert ids == {"ev-20250911-release"}  # no trucks, no undisputed release
    assert max(ax.get_xlim()) < 100


def test_claim_ranges_max_events_widest_first():
    ds = _claims_ds()
    long = claims_long(ds)  # trucks included here: two disputed events
    ax = claims.plot_claim_ranges(long, max_events=1)
    assert [p.get_gid() for p in by_gid(ax, "range:", "patches")] == ["range:ev-trucks"]
    _, ax2 = plt.subplots()
    claims.plot_claim_ranges(long, max_events=8, ax=ax2)
    rows = sorted(by_gid(ax2, "range:", "patches"), key=lambda p: -p.get_y())
    assert [p.get_gid() for p in rows] == ["range:ev-trucks", "range:ev-20250911-release"]


def test_claim_ranges_no_publishers_no_overlap(ds):
    fig, ax = plt.subplots(figsize=(6.3, 3))
    claims.plot_claim_ranges(claims_long(ds))
    texts = [t.get_text() for t in fig.findobj(plt.Text)]
    for pub in ds.sources["publisher"]:
        assert not any(pub in t for t in texts), pub
    _no_overlap(_boxes(fig, by_gid(ax, "claim-label:", "texts") + ax.get_yticklabels()))


def test_claim_ranges_real_data_clean():
    """The workbook's own data: crowded rows stay legible, labels never collide."""
    import belthaw

    data = belthaw.load()
    fig, ax = plt.subplots(figsize=(6.3, 3.0))
    claims.plot_claim_ranges(claims_long(data, kinds=("release",)), max_events=8)
    assert 1 <= len(by_gid(ax, "range:", "patches")) <= 8
    _no_overlap(_boxes(fig, by_gid(ax, "claim-label:", "texts")))


def test_claim_ranges_none_disputed(ds):
    with pytest.raises(EmptySelectionError, match="disagree"):
        claims.plot_claim_ranges(claims_long(ds, ["ev-20251213-release"]))


def test_totals_vs_itemized(ds):
    ax = totals.plot_totals_vs_itemized(itemized_vs_totals(ds))
    verdicts = sorted(t.get_gid() for t in by_gid(ax, "verdict:", "texts"))
    assert verdicts == [
        "verdict:close", "verdict:consistent", "verdict:consistent", "verdict:consistent",
        "verdict:differs",
    ]  # fmt: skip
    texts = {t.get_text() for t in by_gid(ax, "verdict:", "texts")}
    assert "agrees" in texts and any(t.startswith("differs by ") for t in texts)
    assert by_gid(ax, "published:t-all", "lines")[0].get_marker() == ">"
    assert by_gid(ax, "itemized:t-pardon", "lines")[0].get_markerfacecolor() != "white"
    assert by_gid(ax, "itemized:t-all", "lines")[0].get_markerfacecolor() == "white"


def test_totals_scopes_grouped_and_clean(ds):
    fig, ax = plt.subplots(figsize=(6.3, 3.2))
    cmp = itemized_vs_totals(ds)
    totals.plot_totals_vs_itemized(cmp, scopes=("all_releases", "decree_pardons"), ax=ax)
    kept = cmp[cmp["scope"].astype(str).isin(["all_releases", "decree_pardons"])]
    assert len(by_gid(ax, "dumbbell:", "lines")) == len(kept)
    heads = [t.get_gid() for t in by_gid(ax, "scope-heading:", "texts")]
    assert heads == ["scope-heading:all_releases", "scope-heading:decree_pardons"]
    assert all(" · " in t.get_text() for t in ax.get_yticklabels())
    texts = by_gid(ax, "verdict:", "texts") + by_gid(ax, "scope-heading:", "texts")
    _no_overlap(_boxes(fig, texts + ax.get_yticklabels()))


def test_overview_figure(ds):
    fig = overview.overview_figure(ds)
    assert len(fig.axes) == 3
    top, mid, bottom = fig.axes
    assert top.get_shared_x_axes().joined(top, bottom)
    assert len(top.patches) == 7 and by_gid(mid, "steps:", "lines") and by_gid(bottom, "link:")


def test_overview_empty_panel_says_so(ds):
    fig = overview.overview_figure(ds, start="2024-07-01", end="2024-08-01")
    assert by_gid(fig.axes[1], "empty-note", "texts")


def test_overview_no_releases_raises(ds):
    with pytest.raises(EmptySelectionError, match="2023-01-01"):
        overview.overview_figure(ds, start="2023-01-01", end="2023-02-01")


def test_no_text_under_7pt(ds):
    from belthaw.style import house_style

    with house_style("a4-half"):
        fig = overview.overview_figure(ds)
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in fig.findobj(plt.Text) if t.get_text().strip()]
    assert min(sizes) >= 7.0


def test_never_shows_or_saves(ds, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("show called"))
    monkeypatch.setattr(plt.Figure, "savefig", lambda *a, **k: pytest.fail("savefig called"))
    overview.overview_figure(ds)
