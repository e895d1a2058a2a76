"""charts/exchanges.py (03-exchanges): rows named in words, one encoding table for legend
and caption, a title and alt text counting the rows drawn, and no overlapping text at any
named size."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from belthaw.charts import exchanges as ex  # noqa: E402
from belthaw.counting import LINK_STRENGTHS  # noqa: E402
from belthaw.errors import EmptySelectionError  # noqa: E402
from belthaw.style import SIZES, get_size  # noqa: E402
from belthaw.transforms.exchanges import exchange_pairs, exchange_rows, infer_links  # noqa: E402
from drawn import overlaps  # noqa: E402
from ladder_data import ladder_dataset  # noqa: E402

SIZE_NAMES = tuple(SIZES)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def ds():
    return ladder_dataset()


@pytest.fixture(scope="module")
def shipped():
    import belthaw

    return belthaw.load()


def _rows(data, window=0, start=None, **kw):
    pairs = exchange_pairs(data, start=start, **kw)
    cands = infer_links(data, window, start=start) if window else None
    return exchange_rows(pairs, data.events, cands)


def _ax(rows, size="a4-full"):
    return ex.draw(rows, size=size).axes[0]


def by_gid(ax, prefix):
    return [a for a in [*ax.lines, *ax.texts] if str(a.get_gid()).startswith(prefix)]


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


CASES = [
    {},
    {"link_strengths": ("explicit",)},  # a filtering parameter: only stated trades drawn
    {"link_strengths": ("reported", "inferred")},
    {"window": 7},  # candidates added
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_caption_names_only_the_marks_drawn(ds, case):
    rows = _rows(ds, **case)
    ax = _ax(rows)
    caption = ex.exchanges_text(rows, window_days=case.get("window", 0)).caption
    legend = legend_texts(ax)
    for mark in ex.MARKS:
        # (the caption's first mark is capitalised: compare from the second letter)
        assert (mark.label in legend) == (mark.reads[1:] in caption), mark.key
    links = {line.get_gid().split(":")[1] for line in by_gid(ax, "link:")}
    assert links == {k for k in ex.marks_drawn(rows) if ex._BY_KEY[k].kind == "line"}


def test_link_words_are_the_declared_ones(ds):
    caption = ex.exchanges_text(_rows(ds)).caption
    assert all(words in caption for words in LINK_STRENGTHS.values())


def test_title_numbers_recompute_from_the_rows_drawn(ds):
    rows = _rows(ds)
    ax = _ax(rows)
    drawn = sorted(int(line.get_gid().split(":")[-1]) for line in by_gid(ax, "link:"))
    assert drawn == rows["row"].tolist()  # every row counted is drawn
    same = int((rows["lag_words"] == "same day").sum())
    first = int((rows["lag_days"] < 0).sum())
    stated = int((rows["link"] == "explicit").sum())
    assert (same, first, stated) == (1, 1, 1)  # hand-counted from the fixture
    title = ex.exchanges_text(rows).title
    assert [int(n) for n in re.findall(r"\d+", title)] == [same, len(rows), first, stated], title
    lags = sorted(t.get_text() for t in by_gid(ax, "lag-label:"))
    assert lags == sorted(ex.lag_label(w) for w in rows["lag_words"])
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Trump-Lukashenko call"
    assert [t.get_text() for t in by_gid(ax, "release-label:")] == rows["release"].tolist()


@pytest.mark.parametrize("window", [0, 7])
def test_column_names_step_and_release_at_the_left_and_the_caption_says_so(ds, window):
    rows = _rows(ds, window=window)
    ax = _ax(rows, size="column")
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == len(rows) and all(" → " in t and "\n" not in t for t in ticks)
    assert all(len(t) <= ex.LABEL_FIT["column"][0] for t in ticks)
    assert by_gid(ax, "release-label:") == []  # nothing right of the axes
    # The count of a release survives the cut ("3 freed ..."), and the lag drops "US step".
    assert [t.split(" → ")[1].split()[0] for t in ticks] == [r.split()[0] for r in rows["release"]]
    lags = sorted(t.get_text() for t in by_gid(ax, "lag-label:"))
    assert lags == sorted(ex.lag_label(w).removesuffix(" US step") for w in rows["lag_words"])
    column = ex.exchanges_text(rows, window_days=window, size="column").caption
    full = ex.exchanges_text(rows, window_days=window).caption
    assert "words at the left name the US step and what Minsk gave" in column
    assert "at the right" not in column and "what Minsk gave at the right" in full


#: The title's claim, one row per semantic case: (case, link strengths, title).
TITLE_CASES = [
    ("all", ("explicit", "reported", "inferred"),
     "In 1 of 3 exchanges Minsk freed people the same day the US acted; in 1 the release came "
     "before the US step; in 1 a source calls it a trade"),
    ("no release first, no stated trade", ("inferred",),
     "In 0 of 1 exchange Minsk freed people the same day the US acted; in none does a source "
     "call it a trade"),
    ("a grouped row is one exchange", ("explicit", "reported"),
     "In 1 of 2 exchanges Minsk freed people the same day the US acted; in 1 the release came "
     "before the US step; in 1 a source calls it a trade"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "links", "title"), TITLE_CASES, ids=[c[0] for c in TITLE_CASES])
def test_title_claim(ds, case, links, title):
    assert ex.exchanges_text(_rows(ds, link_strengths=links)).title == title


@pytest.mark.parametrize("case", CASES, ids=str)
def test_alt_text_and_title_count_the_same_exchanges(ds, case):
    rows = _rows(ds, **case)
    ft = ex.exchanges_text(rows, window_days=case.get("window", 0))
    n_title = int(re.search(r"of (\d+) exchange", ft.title).group(1))
    n_alt = int(re.search(r"Ladder chart of (\d+) exchange", ft.alt).group(1))
    same_title = int(re.match(r"In (\d+) of", ft.title).group(1))
    same_alt = int(re.search(r"in (\d+) the release came the same day", ft.alt).group(1))
    assert (n_alt, same_alt) == (n_title, same_title)
    assert n_title == int((rows["link"] != "candidate").sum())


def test_legend_and_caption_follow_the_encoding_table(ds, monkeypatch):
    changed = tuple(
        ex.Mark(m.key, m.kind, "said to be a trade", "a solid line is a trade someone said", m.style)
        if m.key == "explicit" else m
        for m in ex.MARKS
    )  # fmt: skip
    monkeypatch.setattr(ex, "MARKS", changed)
    monkeypatch.setattr(ex, "_BY_KEY", {m.key: m for m in changed})
    rows = _rows(ds)
    assert "said to be a trade" in legend_texts(_ax(rows))
    assert "A solid line is a trade someone said" in ex.exchanges_text(rows).caption


def test_line_style_of_each_row_is_its_link_strength(ds):
    ax = _ax(_rows(ds))
    styles = {line.get_gid().split(":")[1]: line.get_linestyle() for line in by_gid(ax, "link:")}
    assert styles == {"explicit": "-", "reported": "--", "inferred": ":"}
    # a same-day pair has no length: its row guide carries the style
    assert [line.get_linestyle() for line in by_gid(ax, "guide:")] == ["--", "-", ":"]


def test_candidates_are_drawn_as_leads_and_not_counted(ds):
    rows = _rows(ds, window=7)
    ax = _ax(rows)
    leads = [t.get_text() for t in ax.get_yticklabels() if t.get_text().startswith("lead: ")]
    assert leads == ["lead: Phone talk"], "candidate rows must say they are leads"
    assert "lead, not a finding" in legend_texts(ax)
    ft = ex.exchanges_text(rows, window_days=7)
    assert "of 3 exchanges" in ft.title and "±7 days" in ft.notes[0]


def test_color_and_kwargs_reach_the_links(ds):
    ax = ex.plot_exchanges(_rows(ds), color="#123456", lw=5)
    (line,) = [ln for ln in by_gid(ax, "link:explicit")]
    assert to_hex(line.get_color()) == "#123456" and line.get_linewidth() == 5
    handle = ax.get_legend().legend_handles[0]
    assert to_hex(handle.get_color()) == "#123456"  # the legend shows what is drawn


def test_draw_at_a_named_size(ds):
    fig = ex.draw(_rows(ds), size="slide")
    s = get_size("slide")
    assert tuple(fig.get_size_inches()) == pytest.approx((s.width, s.height))
    assert ex.NAME == "03-exchanges"


def test_empty_selection_says_why(ds):
    rows = _rows(ds, start="2024-01-01", end="2024-02-01")
    with pytest.raises(
        EmptySelectionError, match="exchanges with link strength .* between 2024-01-01"
    ):
        ex.draw(rows)
    with pytest.raises(EmptySelectionError):
        ex.exchanges_text(rows)


def test_candidates_alone_make_no_title(ds):
    rows = _rows(ds, window=7, link_strengths=())
    assert (rows["link"] == "candidate").all() and len(rows)
    with pytest.raises(EmptySelectionError, match="exchanges with link strength"):
        ex.exchanges_text(rows, window_days=7)


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


def test_same_figure_twice_same_bytes(ds, tmp_path):
    out = []
    for k in range(2):
        path = tmp_path / f"{k}.svg"
        with matplotlib.rc_context({"svg.hashsalt": "belthaw"}):
            ex.draw(_rows(ds, window=7)).savefig(path, format="svg", metadata={"Date": None})
        out.append(path.read_bytes())
    assert out[0] == out[1]


# -- no overlapping text, at every named size -------------------------------------------------


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_no_overlapping_text_synthetic(ds, size):
    assert overlaps(ex.draw(_rows(ds, window=7), size=size)) == []


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_no_overlapping_text_shipped_data(shipped, size):
    rows = _rows(shipped, start="2024-07-01")
    assert len(rows) >= 5  # the chart shows the exchanges, not an empty page
    assert overlaps(ex.draw(rows, size=size)) == []


@pytest.mark.parametrize("size", ["a4-full", "slide", "a4-page"])
def test_no_overlapping_text_with_candidates_shipped_data(shipped, size):
    rows = _rows(shipped, window=14, start="2024-07-01")
    assert (rows["link"] == "candidate").any()
    assert overlaps(ex.draw(rows, size=size)) == []
