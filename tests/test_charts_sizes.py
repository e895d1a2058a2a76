"""Every chart at every named print size, as the notebooks draw it and save writes it: no
plot squeezed to nothing, no text under the size's floor, no two texts on top of each other,
no text past the page edge.

Measured on the drawn extents at print resolution (300 dpi), after the layout is pinned the
way the saved files are, so what passes here is what a reader pastes into Word.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from belthaw import notebook as nb  # noqa: E402
from belthaw.catalogue import NOTEBOOKS  # noqa: E402
from belthaw.figure import save_figure  # noqa: E402
from belthaw.figure.layout import DPI, figure_renderer  # noqa: E402
from belthaw.style import MIN_FONT_PT, SIZES  # noqa: E402
from notebook_cells import run_notebook  # noqa: E402

pytestmark = pytest.mark.slow

CASES = [(n, size) for n in NOTEBOOKS for size in SIZES]
#: A plotting area smaller than this share of the figure cannot be read.
MIN_AXES_SHARE = {"height": 0.07, "width": 0.35}


@pytest.fixture(scope="module")
def data():
    return nb.load(quiet=True)


def texts(fig):
    """Every visible, non-empty text drawn on the figure (tick labels outside the axis's
    view are kept by matplotlib but never drawn, so they are left out)."""
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = (high - low) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - span <= tick.get_loc() <= high + span:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is fig and id(t) not in undrawn
    ]


def off_page(fig, renderer) -> list[tuple[str, float]]:
    """Texts (with their box, when they have one) reaching past the figure's edge, and by
    how many points: cut off in every file, since the size is never stretched to fit."""
    width, height = fig.bbox.width, fig.bbox.height
    out = []
    for t in texts(fig):
        box = t.get_bbox_patch()
        b = (box if box is not None else t).get_window_extent(renderer)
        past = max(-b.x0, b.x1 - width, -b.y0, b.y1 - height)
        if past > 1:  # pixels at 300 dpi: rounding, not a cut
            out.append((t.get_text()[:40], round(past / DPI * 72, 1)))
    return out


def overlaps(fig, renderer) -> list[tuple[str, str]]:
    boxes = [(t, t.get_window_extent(renderer)) for t in texts(fig)]
    hits = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if w > 1 and h > 1:
                hits.append((a.get_text()[:40], b.get_text()[:40]))
    return hits


@pytest.mark.parametrize(("notebook", "size"), CASES)
def test_every_chart_is_legible_at_every_size(data, notebook, size, tmp_path):
    saved = run_notebook(notebook, {"size": size}, data)
    assert not isinstance(saved, str), saved
    for name, s in saved.items():
        save_figure(
            s.fig, s.text, name, data=data, params=s.params, out_dir=tmp_path, formats=("svg",)
        )
        fig = s.fig
        fig.set_layout_engine("none")  # the positions save pinned, as in the files
        fig.dpi = DPI
        r = figure_renderer(fig)
        fig.draw(r)
        small = sorted(
            {
                round(t.get_fontsize(), 1)
                for t in texts(fig)
                if t.get_fontsize() < MIN_FONT_PT - 1e-6
            }
        )
        assert not small, f"{name} at {size}: text at {small} pt, under {MIN_FONT_PT:g} pt"
        for ax in fig.axes:
            if not ax.get_visible() or not ax.axison:
                continue
            pos = ax.get_position()
            assert (
                pos.height >= MIN_AXES_SHARE["height"] and pos.width >= MIN_AXES_SHARE["width"]
            ), (
                f"{name} at {size}: a plot squeezed to {pos.width:.2f} x {pos.height:.2f} of the figure"
            )
        hits = overlaps(fig, r)
        assert not hits, f"{name} at {size}: texts on top of each other: {hits[:4]}"
        cut = off_page(fig, r)
        assert not cut, f"{name} at {size}: text past the page edge (pt): {cut[:4]}"
        plt.close(fig)
