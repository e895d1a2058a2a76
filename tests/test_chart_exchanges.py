"""The exchanges ladder (03-exchanges) and its panel in 04-overview: rows named in words,
grouped steps, lag in words, one encoding table for legend and caption, a title whose
numbers recompute from the rows drawn, and no overlapping text at any named size."""

import dataclasses
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from belthaw import notebook as nb  # noqa: E402
from belthaw.charts import exchanges as ex  # noqa: E402
from belthaw.charts.base import how_to_read  # noqa: E402
from belthaw.style import SIZES  # noqa: E402
from belthaw.transforms.exchanges import exchange_pairs  # noqa: E402
from synth import _rel, _step, make_dataset  # noqa: E402

SIZE_NAMES = tuple(SIZES)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _events(short_labels: bool = True):
    """A release answering three US steps (two the same day, one two days later), a
    release that came 44 days before the call thanking for it, and an envoy named
    13 days before a release that is only our inference."""
    rows = [
        _step(
            "ev-20250911-visit",
            "2025-09-11",
            "diplomatic_contact",
            "US",
            "Coale delegation meets Lukashenko in Minsk",
            "ap-1",
        ),  # fmt: skip
        _step(
            "ev-20250911-gl11",
            "2025-09-11",
            "sanctions_relief",
            "US",
            "OFAC General License 11 authorizes dealings with Belavia",
            "ap-1",
        ),  # fmt: skip
        _step(
            "ev-20250913-more",
            "2025-09-13",
            "sanctions_relief",
            "US",
            "Further easing announced for the airline",
            "ap-1",
        ),  # fmt: skip
        _rel(
            "ev-20250911-release",
            "2025-09-11",
            52,
            "exact",
            "Lithuania",
            0,
            14,
            "ap-1",
            title="52 freed and taken to Lithuania",
        ),  # fmt: skip
        _rel("ev-20250702-release", "2025-07-02", 16, "exact", "home", 16, 0, "ap-1"),
        _step(
            "ev-20250815-call",
            "2025-08-15",
            "diplomatic_contact",
            "US",
            "First Trump-Lukashenko phone call",
            "ap-1",
        ),  # fmt: skip
        _step(
            "ev-20251109-envoy",
            "2025-11-09",
            "appointment",
            "US",
            "Trump names John Coale special envoy to Belarus",
            "ap-1",
        ),  # fmt: skip
        _rel("ev-20251122-release", "2025-11-22", 31, "exact", "Ukraine", 0, 31, "ap-1"),
        # close in time to a release but in no exchange: a candidate when asked for
        _step(
            "ev-20251120-talk",
            "2025-11-20",
            "diplomatic_contact",
            "US",
            "Phone talk with Minsk officials",
            "ap-1",
        ),  # fmt: skip
    ]
    labels = {
        "ev-20250911-visit": "Coale visit",
        "ev-20250911-gl11": "Belavia partial relief (OFAC GL 11)",
        "ev-20250913-more": "More airline relief",
        "ev-20250911-release": "52 freed to Lithuania",
        "ev-20250702-release": "16 pardoned",
        "ev-20250815-call": "Trump-Lukashenko call",
        "ev-20251109-envoy": "Coale named envoy",
        "ev-20251122-release": "31 freed to Ukraine",
        "ev-20251120-talk": "Phone talk",
    }
    for r in rows:
        r["short_label"] = labels[r["event_id"]] if short_labels else ""
    return rows


EXCHANGES = [
    dict(
        exchange_id="x-1",
        concession_event_id="ev-20250911-visit",
        release_event_id="ev-20250911-release",
        link="reported",
        source_ids="ap-1",
        rationale="Together.",
    ),  # fmt: skip
    dict(
        exchange_id="x-2",
        concession_event_id="ev-20250911-gl11",
        release_event_id="ev-20250911-release",
        link="explicit",
        source_ids="ap-1",
        rationale="Stated.",
    ),  # fmt: skip
    dict(
        exchange_id="x-3",
        concession_event_id="ev-20250913-more",
        release_event_id="ev-20250911-release",
        link="reported",
        source_ids="ap-1",
        rationale="Together.",
    ),  # fmt: skip
    dict(
        exchange_id="x-4",
        concession_event_id="ev-20250815-call",
        release_event_id="ev-20250702-release",
        link="reported",
        source_ids="ap-1",
        rationale="Thanks.",
    ),  # fmt: skip
    dict(
        exchange_id="x-5",
        concession_event_id="ev-20251109-envoy",
        release_event_id="ev-20251122-release",
        link="inferred",
        source_ids="ap-1",
        rationale="Ours.",
    ),  # fmt: skip
]


@pytest.fixture(scope="module")
def ds():
    return make_dataset(events=_events(), exchanges=EXCHANGES)


def _rows(data):
    return ex.exchange_rows(exchange_pairs(data), data.events)


def test_steps_answered_by_one_release_on_nearby_days_are_one_row(ds):
    rows = _rows(ds)
    assert len(rows) == 3
    group = rows[rows["release"] == "52 freed to Lithuania"].iloc[0]
    assert group["n_steps"] == 3
    # relief first (what the US gave), the firmest link first among relief steps
    assert group["us_step"] == "Belavia partial relief (OFAC GL 11) + More airline relief + Coale visit"  # fmt: skip
    assert group["link"] == "explicit"  # the firmest link of the group
    assert group["lag_words"] == "same day"  # its closest step


def test_rows_ordered_by_their_earlier_date_with_lag_in_words(ds):
    rows = _rows(ds)
    assert rows["release"].tolist() == ["16 pardoned", "52 freed to Lithuania", "31 freed to Ukraine"]  # fmt: skip
    assert rows["lag_words"].tolist() == ["44 days earlier", "same day", "13 days later"]
    assert rows["row"].tolist() == [1, 2, 3]


def test_labels_fall_back_to_title_and_count_when_short_label_is_blank():
    data = make_dataset(events=_events(short_labels=False), exchanges=EXCHANGES)
    rows = _rows(data)
    assert "52 freed to Lithuania" in rows["release"].tolist()  # count + destination
    assert "16 freed, stay in Belarus" in rows["release"].tolist()
    assert "First Trump-Lukashenko phone call" in rows["us_step"].tolist()
    # a long title is cut at a word, never mid-word
    steps = " + ".join(rows["us_step"])
    assert "Trump names John Coale special…" in steps


def test_labels_fall_back_when_the_data_has_no_short_label_column():
    events = [{k: v for k, v in e.items() if k != "short_label"} for e in _events()]
    data = make_dataset(events=events, exchanges=EXCHANGES)
    data = dataclasses.replace(data, events=data.events.drop(columns="short_label"))
    assert "31 freed to Ukraine" in _rows(data)["release"].tolist()


@pytest.mark.parametrize(
    ("lag", "months", "words"),
    [(0, None, "same day"), (1, None, "1 day later"), (-44, None, "44 days earlier"),
     (29, 0, "same month"), (40, 1, "about 1 month later")],
)  # fmt: skip
def test_lag_words(lag, months, words):
    assert ex.lag_words(lag, months) == words


def test_group_label_fits_the_lines_it_is_given():
    steps = (
        "Coale announces potash relief",
        "Potash licence (GL 13)",
        "Coale talks in Minsk (Dec)",
    )
    one = ex._row_label(steps, 36, 1)
    assert "\n" not in one and len(one) <= 36 and one.endswith("+ 2 more")
    two = ex._row_label(steps, 36, 2)
    assert two.count("\n") == 1 and all(len(line) <= 36 for line in two.split("\n"))
    three = ex._row_label(steps, 40, 3)
    assert all(s in three.replace("\n", " ") for s in steps)  # every step named


def _built(data, size="a4-full", **params):
    p = nb.check("03_exchanges", {"size": size, **params})
    return nb.build("03-exchanges", data, p)


def test_title_numbers_recompute_from_the_rows_drawn(ds):
    b = _built(ds)
    ax = b.fig.axes[0]
    drawn_rows = sorted(int(line.get_gid().split(":")[-1]) for line in ax.lines if str(line.get_gid()).startswith("link:"))  # fmt: skip
    rows = b.tables["rows"]
    assert drawn_rows == rows["row"].tolist()
    same = int((rows["lag_words"] == "same day").sum())
    first = int((rows["lag_days"] < 0).sum())
    stated = int((rows["link"] == "explicit").sum())
    assert (same, first, stated) == (1, 1, 1)  # hand-counted from the fixture
    numbers = [int(n) for n in re.findall(r"\d+", b.text.title)]
    assert numbers == [same, len(rows), first, stated], b.text.title
    # the words printed on the figure are the rows' words
    lag_texts = sorted(t.get_text() for t in ax.texts if str(t.get_gid()).startswith("lag-label:"))
    assert lag_texts == sorted(rows["lag_words"])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "Trump-Lukashenko call"
    right = [t.get_text() for t in ax.texts if str(t.get_gid()).startswith("release-label:")]
    assert right == rows["release"].tolist()


def test_legend_and_caption_come_from_one_encoding_table(ds, monkeypatch):
    b = _built(ds)
    ax = b.fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    keys = ax.exchange_marks
    assert legend == [ex._BY_KEY[k].label for k in keys]
    assert how_to_read(ex.MARKS, keys) in b.text.caption
    # change a mark in the table: the legend and the caption follow
    changed = tuple(
        ex.Mark(m.key, m.kind, "said to be a trade", "a solid line is a trade someone said", m.style)
        if m.key == "explicit" else m
        for m in ex.MARKS
    )  # fmt: skip
    monkeypatch.setattr(ex, "MARKS", changed)
    monkeypatch.setattr(ex, "_BY_KEY", {m.key: m for m in changed})
    b2 = _built(ds)
    assert "said to be a trade" in [t.get_text() for t in b2.fig.axes[0].get_legend().get_texts()]
    assert "A solid line is a trade someone said" in b2.text.caption


def test_line_style_of_each_row_is_its_link_strength(ds):
    ax = _built(ds).fig.axes[0]
    styles = {str(line.get_gid()).split(":")[1]: line.get_linestyle() for line in ax.lines if str(line.get_gid()).startswith("link:")}  # fmt: skip
    assert styles == {"explicit": "-", "reported": "--", "inferred": ":"}
    # a same-day pair has no length: its row guide carries the style
    guides = [line.get_linestyle() for line in ax.lines if str(line.get_gid()).startswith("guide:")]
    assert guides == ["--", "-", ":"]


def test_candidates_are_drawn_as_leads(ds):
    b = _built(ds, infer_window_days=7)
    ax = b.fig.axes[0]
    leads = [t.get_text() for t in ax.get_yticklabels() if t.get_text().startswith("lead: ")]
    assert leads == ["lead: Phone talk"], "candidate rows must say they are leads"
    assert "lead, not a finding" in [t.get_text() for t in ax.get_legend().get_texts()]
    # the title still counts recorded exchanges only
    assert "of 3 exchanges" in b.text.title


def test_pairs_table_carries_the_short_labels(ds):
    t = _built(ds).tables["pairs"]
    assert {"us_step", "release", "row"} <= set(t.columns)
    x2 = t.set_index("exchange_id").loc["x-2"]
    assert (x2["us_step"], x2["release"], x2["row"]) == ("Belavia partial relief (OFAC GL 11)", "52 freed to Lithuania", 2)  # fmt: skip


def test_empty_selection_says_why(ds):
    b = _built(ds, start="2024-01-01", end="2024-02-01")
    assert b.empty and "widen the dates" in b.message


def test_same_figure_twice_same_bytes(ds, tmp_path):
    out = []
    for k in range(2):
        b = _built(ds, infer_window_days=7)
        path = tmp_path / f"{k}.svg"
        with matplotlib.rc_context({"svg.hashsalt": "belthaw"}):
            b.fig.savefig(path, format="svg", metadata={"Date": None})
        out.append(path.read_bytes())
    assert out[0] == out[1]


# -- no overlapping text, at every named size -------------------------------------------------


def overlaps(fig) -> list[str]:
    """Every pair of visible texts whose boxes overlap, and every text leaving the figure."""
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    r = fig.canvas.get_renderer()
    texts = [
        (t, Text.get_window_extent(t, r))  # the text only, not an annotation's leader
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
    ]
    fb = fig.bbox
    bad = []
    for i, (t, b) in enumerate(texts):
        if b.x0 < fb.x0 - 0.5 or b.x1 > fb.x1 + 0.5 or b.y0 < fb.y0 - 0.5 or b.y1 > fb.y1 + 0.5:
            bad.append(f"outside the figure: {t.get_text()!r}")
        for u, c in texts[i + 1 :]:
            w = min(b.x1, c.x1) - max(b.x0, c.x0)
            h = min(b.y1, c.y1) - max(b.y0, c.y0)
            if w > 0.5 and h > 0.5:
                bad.append(f"{t.get_text()!r} overlaps {u.get_text()!r}")
    return bad


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_exchanges_no_overlapping_text_synthetic(ds, size):
    assert overlaps(_built(ds, size=size, infer_window_days=7).fig) == []


@pytest.fixture(scope="module")
def shipped():
    return nb.load(quiet=True)


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_exchanges_no_overlapping_text_shipped_data(shipped, size):
    b = _built(shipped, size=size)
    assert overlaps(b.fig) == []
    assert len(b.tables["rows"]) >= 5  # the chart shows the exchanges, not an empty page


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_overview_exchanges_panel_no_overlapping_text(shipped, size):
    p = nb.check("04_briefing_overview", {"size": size})
    fig = nb.build("04-overview", shipped, p).fig
    panel = fig.axes[-1]
    bad = [m for m in overlaps(fig) if any(w in m for w in _panel_words(panel))]
    assert bad == []


def _panel_words(ax) -> list[str]:
    return [repr(t.get_text()) for t in ax.texts if t.get_text().strip()]


def test_overview_names_the_exchanges_on_its_page_size(shipped):
    p = nb.check("04_briefing_overview", {"size": "a4-page"})
    fig = nb.build("04-overview", shipped, p).fig
    words = " ".join(t.get_text() for t in fig.axes[-1].texts)
    assert "same day" in words and "→" in words
    assert overlaps(fig) == []  # the whole page, every panel


@pytest.mark.parametrize("size", ["a4-full", "slide", "a4-page"])
def test_exchanges_with_candidates_no_overlapping_text_shipped_data(shipped, size):
    b = _built(shipped, size=size, infer_window_days=14)
    assert (b.tables["rows"]["link"] == "candidate").any()
    assert overlaps(b.fig) == []
