"""charts/labels.py: label placement: the vectorised placer picks the spots the one-box-at-a-time placer picked,
labels with a free spot never overlap, and a saved figure is placed once, not per format."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from belthaw import notebook as nb
from belthaw.catalogue import FIGURES
from belthaw.charts.figtext import FigureText
from belthaw.charts.labels import LabelPlacer, placers
from belthaw.figure import save as figsave
from belthaw.figure import save_figure
from belthaw.figure.layout import DPI, figure_renderer
from belthaw.style import SIZES
from notebook_cells import run_notebook

CASES = [(f.name, f.notebook, size) for f in FIGURES for size in SIZES]


@pytest.fixture(scope="module")
def data():
    return nb.load(quiet=True)


def _reference_place(placer: LabelPlacer, renderer) -> list[int]:
    """The placement as it was before vectorising: one Bbox against one Bbox at a time."""
    px = renderer.points_to_pixels(1.0)
    pad = placer._pad_pt * px
    inside = placer.axes.get_window_extent(renderer)
    page = placer.axes.get_figure(root=True).bbox
    taken = [p.get_window_extent(renderer) for p in placer._patches]
    for x, y, r in placer._points:
        cx, cy = placer.axes.transData.transform((x, y))
        taken.append(Bbox.from_extents(cx - r * px, cy - r * px, cx + r * px, cy + r * px))

    def area(b) -> float:
        return max(0.0, b.width) * max(0.0, b.height)

    chosen = []
    for j, (ann, cands, _) in enumerate(placer._items):
        shown = ann.get_visible()  # as the placement under test left it
        ann.set_visible(True)  # a hidden text measures as an empty box
        best = None
        for k, cand in enumerate(cands):
            placer._apply(ann, cand)
            ann.update_positions(renderer)
            box = Text.get_window_extent(ann, renderer).padded(pad)
            clipped = Bbox.intersection(box, inside)
            cost = 4 * (area(box) - (area(clipped) if clipped is not None else 0.0))
            bare = Text.get_window_extent(ann, renderer)
            on_page = Bbox.intersection(bare, page)
            cost += 1e6 * (area(bare) - (area(on_page) if on_page is not None else 0.0))
            for t in taken:
                hit = Bbox.intersection(box, t)
                cost += area(hit) if hit is not None else 0.0
            if best is None or cost < best[0] - 1e-9:
                best = (cost, k, box)
            if cost <= 0:
                break
        _, k, box = best
        if j in placer.fallbacks:
            # Its least-bad spot lay on a text (which this reference does not see): the
            # placer took another spot; the labels after it are placed around that one.
            k = placer.chosen[j]
            placer._apply(ann, cands[k])
            ann.update_positions(renderer)
            box = Text.get_window_extent(ann, renderer).padded(pad)
        placer._apply(ann, cands[k])
        ann.set_visible(shown)
        if shown:  # a label hidden (on another text) leaves its room to the next
            taken.append(box)
        chosen.append(k)
    return chosen


def _built(data, name, notebook, size):
    saved = run_notebook(notebook, {"size": size}, data)
    assert not isinstance(saved, str), saved
    return saved[name]


def _save(b, data, tmp_path, name, formats=("svg",)):
    return save_figure(
        b.fig, b.text, name, data=data, params=b.params, out_dir=tmp_path, formats=formats
    )


def _at_print_resolution(fig):
    fig.dpi = DPI
    return figure_renderer(fig)


@pytest.mark.slow  # every figure at every size, drawn from the notebooks' cells
@pytest.mark.parametrize(("name", "notebook", "size"), CASES)
def test_same_spots_as_the_reference_placer(data, name, notebook, size):
    b = _built(data, name, notebook, size)
    fig = b.fig
    r = _at_print_resolution(fig)
    fig.draw_without_rendering()
    for p in placers(fig):
        assert p.place(r) == _reference_place(p, r)
    plt.close(fig)


@pytest.mark.slow  # every figure at every size, drawn from the notebooks' cells
@pytest.mark.parametrize(("name", "notebook", "size"), CASES)
def test_labels_with_a_free_spot_overlap_nothing(data, name, notebook, size, tmp_path):
    """After saving, each label is measured again by matplotlib; a label the placer
    called clear (cost 0) overlaps no label placed before it, no marker, no bar."""
    b = _built(data, name, notebook, size)
    _save(b, data, tmp_path, name)
    fig = b.fig
    r = _at_print_resolution(fig)
    for p in placers(fig):
        assert p.held and len(p.costs) == len(p.labels)
        obstacles = [Bbox(o.reshape(2, 2)) for o in p._obstacles(r)]
        boxes = []
        for ann in p.labels:
            ann.update_positions(r)
            boxes.append(Text.get_window_extent(ann, r))
        inside = p.axes.get_window_extent(r)
        shown = [ann.get_visible() for ann in p.labels]
        for j, (box, cost) in enumerate(zip(boxes, p.costs, strict=True)):
            if cost > 0 or not shown[j]:  # a hidden label is not drawn, so it covers nothing
                continue
            label = p.labels[j].get_text()
            assert inside.x0 - 0.5 <= box.x0 and box.x1 <= inside.x1 + 0.5, label
            assert inside.y0 - 0.5 <= box.y0 and box.y1 <= inside.y1 + 0.5, label
            earlier = [b for b, s in zip(boxes[:j], shown[:j], strict=True) if s]
            for other in [*earlier, *obstacles]:
                hit = Bbox.intersection(box, other)
                assert hit is None or hit.width * hit.height < 1.0, (label, box, other)
    plt.close(fig)


def _crowded():
    """Three labels for one point: the first spot is free only for the first label."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    placer = LabelPlacer(ax)
    placer.avoid_points([5], [5], 3.0)
    spots = [((5, 5), (0, 6), "center", "bottom"), ((5, 5), (0, -6), "center", "top")]
    spots += [((5, 5), (8, 0), "left", "center"), ((5, 5), (-8, 0), "right", "center")]
    anns = [
        ax.annotate(t, (5, 5), xytext=(0, 6), textcoords="offset points", fontsize=8) for t in "ABC"
    ]
    for a in anns:
        placer.add(a, spots)
    return fig, placer


def test_crowded_labels_take_the_next_free_spot():
    fig, placer = _crowded()
    fig.canvas.draw()
    assert placer.chosen == [0, 1, 2] and placer.costs == [0.0, 0.0, 0.0]
    plt.close(fig)


def test_a_label_takes_a_spot_on_the_page_over_one_past_its_edge():
    """A spot a little past the figure's edge costs less than one on a large marker by the
    rule for leaving the axes, but it is cut off in every file: the spot on the page wins."""
    fig, ax = plt.subplots(figsize=(2, 1.5), layout="none")
    fig.subplots_adjust(left=0.02, right=1.0)  # the axes reach the page's right edge
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    placer = LabelPlacer(ax)
    placer.avoid_points([3], [5], 40.0)  # a marker under the whole of the left spot
    ann = ax.annotate("a long label here", (5.7, 5), xytext=(6, 0), textcoords="offset points",
                      fontsize=8)  # fmt: skip
    placer.add(ann, [((5.7, 5), (6, 0), "left", "center"), ((5.7, 5), (-6, 0), "right", "center")])
    fig.canvas.draw()
    assert placer.chosen == [1] and placer.costs[0] > 0  # on the marker, but on the page
    assert ann.get_window_extent().x1 <= fig.bbox.x1
    plt.close(fig)


def test_held_placement_is_not_redone_at_draw():
    fig, placer = _crowded()
    calls = []
    original = placer.place

    def counting(renderer):
        calls.append(renderer)
        return original(renderer)

    placer.place = counting
    fig.canvas.draw()
    assert len(calls) == 1
    placer.hold()
    fig.canvas.draw()
    assert len(calls) == 1
    placer.avoid_points([1], [1], 2.0)  # a new obstacle: the old spots are no longer trusted
    fig.canvas.draw()
    assert len(calls) == 2
    plt.close(fig)


def test_save_places_once_for_every_format(tmp_path, monkeypatch):
    fig, placer = _crowded()
    calls = []
    original = LabelPlacer.place

    def counting(self, renderer):
        calls.append(renderer)
        return original(self, renderer)

    monkeypatch.setattr(LabelPlacer, "place", counting)
    text = FigureText("Three labels share one point", "synthetic", "caption", "alt")
    figsave.save(
        fig,
        "crowded",
        out_dir=tmp_path,
        text=text,
        publishers=["Test"],
        params={},
        data_version="v",
        notebook="t.ipynb",
        as_of="2025-01-01",
        size="a4-half",
    )
    assert len(calls) == 1
    written = {p.name for p in tmp_path.iterdir()}
    assert {"crowded.png", "crowded.svg", "crowded.pdf", "crowded.md"} <= written
    # The spots chosen at print resolution are the spots in every file.
    assert placer.chosen == [0, 1, 2]
    plt.close(fig)


def test_obstacles_cover_points_and_bars():
    fig, ax = plt.subplots(figsize=(3, 2))
    bars = ax.bar([1, 2], [3, 4])
    placer = LabelPlacer(ax)
    placer.avoid_patches(bars)
    placer.avoid_points([1.0, np.nan], [1.0, 2.0], 2.0)  # a missing value is no obstacle
    fig.canvas.draw()
    boxes = placer._obstacles(fig.canvas.get_renderer())
    assert boxes.shape == (3, 4)
    assert (boxes[:, 2] > boxes[:, 0]).all() and (boxes[:, 3] > boxes[:, 1]).all()
    plt.close(fig)
