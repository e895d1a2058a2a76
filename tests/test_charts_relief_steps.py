"""charts/relief_steps.py (02-relief-steps): marks, legend and caption from one table, the
title's claim per semantic case, what is counted is drawn, stage labels in their own lane."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from belthaw.charts import relief_steps as rs  # noqa: E402
from belthaw.errors import EmptySelectionError  # noqa: E402
from belthaw.style import COLORS, SIZES, get_size  # noqa: E402
from belthaw.transforms.sanctions import measures  # noqa: E402
from drawn import overlaps  # noqa: E402
from synth import _step, make_dataset  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shipped():
    import belthaw

    return belthaw.load()


def by_gid(ax, prefix):
    return [a for a in [*ax.lines, *ax.texts, *ax.patches] if str(a.get_gid()).startswith(prefix)]


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


PARAMS = [
    {},
    {"jurisdictions": ("US",), "show_tightening": False},  # issue 17: only US relief drawn
    {"show_tightening": False},
    {"jurisdictions": ("EU", "LT")},
]


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_caption_names_only_the_marks_drawn(ds, params):
    m = measures(ds.events, **params)
    ax = rs.plot_relief_steps(m)
    caption = rs.relief_steps_text(m).caption
    legend = legend_texts(ax)
    for mark in rs.MARKS:
        # (the caption's first mark is capitalised: compare from the second letter)
        assert (mark.label in legend) == (mark.reads[1:] in caption), mark.key
    assert legend == [rs._BY_KEY[k].label for k in rs.marks_drawn(m)]


def test_us_relief_only_caption_mentions_no_squares_or_reopenings(ds):
    m = measures(ds.events, jurisdictions=("US",), show_tightening=False)
    ft = rs.relief_steps_text(m)
    assert not any(w in ft.caption for w in ("square", "triangle", "reopening", "tighten"))
    assert "tighten" not in ft.title and ft.subtitle.startswith("US sanctions relief")


def _measures(*rows, **params):
    return measures(make_dataset(events=list(rows), exchanges=[], claims=[]).events, **params)


def _relief(eid, date, stage, action, instrument="belavia"):
    return _step(eid, date, "sanctions_relief", "US", f"{instrument} {stage}", "state-1",
                 instrument=instrument, action_id=action, stage=stage)  # fmt: skip


def _tight(eid, date, title, jur="EU", kind="sanctions_tightening", instrument="eu-regime"):
    return _step(eid, date, kind, jur, title, "eu-1", instrument=instrument)


GL = _relief("ev-20250911-l", "2025-09-11", "licence_issued", "us-belavia")
ANN = _relief("ev-20250911-a", "2025-09-11", "announced", "us-belavia")
POTASH = _relief("ev-20251213-a", "2025-12-13", "announced", "us-potash", "potash")
LISTING = _tight("ev-20250328-l", "2025-03-28", "EU lists 25 people")
RENEWAL = _tight("ev-20260226-r", "2026-02-26", "EU extends Belarus sanctions to 2027")
CLOSURE = _tight(
    "ev-20251029-b", "2025-10-29", "Lithuania shuts crossings", "LT", "other", "border"
)
US_LIST = _tight(
    "ev-20240809-d", "2024-08-09", "OFAC designates 19", "US", instrument="sdn-listing"
)

#: The title's claim, one row per semantic case: (case, rows, title).
TITLE_CASES = [
    ("issued relief", [GL], "The US issued 1 relief action on Belavia"),
    ("announcement and licence are one action", [ANN, GL], "The US issued 1 relief action on Belavia"),
    ("announced only, said so", [POTASH], "The US announced 1 relief action on potash"),
    ("issued and announced apart", [ANN, GL, POTASH],
     "The US issued 1 relief action on Belavia and announced 1 more on potash"),
    ("a renewal is not a tightening", [GL, RENEWAL], "The US issued 1 relief action on Belavia"),
    ("a border closure is not a sanction", [GL, CLOSURE], "The US issued 1 relief action on Belavia"),
    ("a listing is", [GL, LISTING, RENEWAL],
     "The US issued 1 relief action on Belavia; the EU tightened sanctions 1 time"),
    ("the US tightening beside its own relief", [GL, US_LIST, LISTING],
     "The US issued 1 relief action on Belavia; the EU and the US itself tightened sanctions 2 times"),
    ("no relief drawn", [LISTING], "No US relief in the selection; the EU tightened sanctions 1 time"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "rows", "title"), TITLE_CASES, ids=[c[0] for c in TITLE_CASES])
def test_title_claim(case, rows, title):
    assert rs.relief_steps_text(_measures(*rows)).title == title


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_what_the_title_counts_is_drawn(ds, params):
    m = measures(ds.events, **params)
    ax = rs.plot_relief_steps(m)
    drawn = {line.get_gid()[6:]: len(line.get_xdata()) for line in by_gid(ax, "steps:")}
    keys = rs._mark_keys(m)
    assert drawn == keys.value_counts().to_dict()  # every row is one marker of its kind
    # every relief action the title counts has its markers on the chart
    relief = m[m["direction"] == "relief"]
    assert sum(n for k, n in drawn.items() if k.startswith("relief-")) == len(relief)


def test_announced_relief_is_a_ring_issued_a_dot(ds):
    ax = rs.plot_relief_steps(measures(ds.events))
    (ring,) = by_gid(ax, "steps:relief-announced")
    (dot,) = by_gid(ax, "steps:relief-issued")
    assert ring.get_markerfacecolor() == "none" and ring.get_markersize() > dot.get_markersize()
    assert to_hex(dot.get_markerfacecolor()) == COLORS["us_relief"].lower()
    assert len(by_gid(ax, "action:us-belavia")) == 1  # two days, joined
    assert [t.get_text() for t in by_gid(ax, "stage-label")] == [
        "licence"
    ]  # the ring says "announced"


def test_color_and_kwargs_reach_the_markers(ds):
    ax = rs.plot_relief_steps(measures(ds.events), color="#123456", ms=11)
    (dot,) = by_gid(ax, "steps:relief-issued")
    assert to_hex(dot.get_color()) == "#123456" and dot.get_markersize() == 11
    handle = ax.get_legend().legend_handles[0]
    assert to_hex(handle.get_color()) == "#123456"  # the legend shows what is drawn


def test_stage_labels_lie_over_the_lines_and_under_every_marker(shipped):
    """Where no spot is free a label may overlap a marker: the marker stays whole."""
    ax = rs.plot_relief_steps(measures(shipped.events, start="2024-07-01"))
    labels = by_gid(ax, "stage-label")
    markers, lines = by_gid(ax, "steps:"), by_gid(ax, "action:")
    assert labels and markers and lines
    top_line = max(ln.get_zorder() for ln in lines)
    lowest_marker = min(m.get_zorder() for m in markers)
    assert all(top_line < t.get_zorder() < lowest_marker for t in labels)


def _stage_labels_in_their_lane(ax):
    fig = ax.figure
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    r = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    for t in by_gid(ax, "stage-label"):
        box = plt.Text.get_window_extent(t, r)
        (_, y0), (_, y1) = inv.transform([(box.x0, box.y0), (box.x1, box.y1)])
        lane = t.xy[1]
        assert lane - 0.5 <= y0 and y1 <= lane + 0.5, (t.get_text(), lane, y0, y1)


@pytest.mark.parametrize("size", tuple(SIZES))
def test_stage_labels_in_their_own_lane_and_no_overlaps_shipped(shipped, size):
    fig = rs.draw(measures(shipped.events, start="2024-07-01"), size=size)
    _stage_labels_in_their_lane(fig.axes[0])
    assert overlaps(fig) == []


@pytest.mark.parametrize("size", tuple(SIZES))
def test_subtitle_and_alt_text_describe_the_lanes_drawn_at_each_size(shipped, size):
    m = measures(shipped.events, start="2024-07-01")
    ax = rs.draw(m, size=size).axes[0]
    drawn = {
        str(a.get_gid()).split(":", 1)[1]
        for a in ax.patches
        if str(a.get_gid()).startswith("lane-band:")
    }
    lanes = {t.get_text() for t in ax.get_yticklabels()}
    assert drawn <= lanes  # the shaded bands are lanes the axis names
    text = rs.relief_steps_text(m, size=size)
    kind = rs.default_lanes(size)
    assert f"; {rs.LANE_WORDS[kind]}; " in text.subtitle
    assert set(rs.lane_names(m, kind)) == lanes
    assert f"Lane chart with {len(lanes)} lanes" in text.alt


def test_draw_at_a_named_size(ds):
    fig = rs.draw(measures(ds.events), size="a4-half")
    s = get_size("a4-half")
    assert tuple(fig.get_size_inches()) == pytest.approx((s.width, s.height))
    assert rs.NAME == "02-relief-steps"


def test_empty_selection_says_why(ds):
    m = measures(ds.events, start="2023-01-01", end="2023-02-01")
    with pytest.raises(EmptySelectionError, match="between 2023-01-01 and 2023-02-01"):
        rs.draw(m)
    with pytest.raises(EmptySelectionError):
        rs.relief_steps_text(m)


def test_text_counts_and_sources(ds):
    m = measures(ds.events)
    ft = rs.relief_steps_text(m)
    assert ft.title == "The US issued 1 relief action on Belavia and announced 1 more on potash"
    assert "1 renewal" in ft.alt and "2 border measures" in ft.alt and "6 dated steps" in ft.alt
    assert ft.notes == ("Relief on potash was announced on 13 December 2025; no licence or delisting is recorded yet.",)  # fmt: skip
    assert ft.source_ids[0] == "state-1"  # cited most often
