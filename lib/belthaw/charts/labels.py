"""Label placement once the layout (and so the data-to-page scale) is final.

A chart registers its labels with a :class:`LabelPlacer`; they are placed when the figure
is drawn or, when it is saved, once after its layout is pinned (:func:`place_labels`),
then held for every format.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.text import Text
from matplotlib.transforms import Bbox

# An overlap below this (in squared pixels) is rounding, not a collision.
_TIE = 1e-9
# A label running out of the axes costs more than one covering a marker: outside, it
# collides with tick labels or the legend, which the placer does not see.
_OUTSIDE_WEIGHT = 4.0
# Past the figure's edge a label is cut off in every file: any spot inside is better.
_OFF_PAGE_WEIGHT = 1e6


class LabelPlacer(Artist):
    """Places annotations once the layout (and so the data-to-page scale) is final.

    Each label takes the first candidate spot inside the axes that overlaps no earlier
    label and no obstacle (markers, bars); failing that, the least-overlapping spot, or,
    when that lies on another text, the least-bad spot clear of every text. With none it
    is hidden: a label on a label reads as neither, and the bar still says what it would
    have. Optional texts (:meth:`add_optional`) are only hidden when they fall on a text.
    """

    def __init__(self, ax, *, pad_pt: float = 1.5):
        super().__init__()
        self.axes = ax
        self._pad_pt = pad_pt
        self._items: list[tuple] = []  # (annotation, candidates, leader_after)
        self._points: list[tuple] = []  # (x data, y data, radius in points)
        self._patches: list = []
        self._optional: list = []
        self._requires: dict = {}
        #: Per label at the last placement: the spot taken, its overlap in squared pixels;
        #: and the labels that fell back to a spot clear of every text.
        self.chosen: list[int] = []
        self.costs: list[float] = []
        self.fallbacks: list[int] = []
        self.held = False
        self.set_zorder(-1e9)  # drawn before the labels it moves
        self.set_in_layout(False)
        self.set_gid("label-placer")
        ax.add_artist(self)

    def add(self, ann, candidates, *, leader_after: int | None = None):
        """``candidates``: list of ``(xy data, (dx, dy) points, ha, va)``, best first; the
        leader line shows only at candidates after ``leader_after``."""
        ann.set_in_layout(False)
        self._items.append((ann, list(candidates), leader_after))
        self._apply(ann, candidates[0])
        self.held = False

    def add_optional(self, text, *, requires=None) -> None:
        """A text left where it is, or hidden when it falls on another text or when
        ``requires`` (a text added before it) is hidden."""
        self._optional.append(text)
        self._requires[id(text)] = requires
        self.held = False

    def avoid_points(self, xs, ys, radius_pt: float) -> None:
        self._points += [(float(x), float(y), radius_pt) for x, y in zip(xs, ys, strict=True)]
        self.held = False

    def avoid_patches(self, patches) -> None:
        self._patches += list(patches)
        self.held = False

    @property
    def labels(self) -> list:
        return [item[0] for item in self._items]

    def hold(self) -> None:
        """Keep the current spots at every later draw (until a label or obstacle is added)."""
        self.held = True

    @staticmethod
    def _apply(ann, cand) -> None:
        ann.xy, ann.xyann = cand[0], cand[1]
        ann.set_ha(cand[2])
        ann.set_va(cand[3])

    def get_window_extent(self, renderer=None):
        return Bbox.null()

    def get_tightbbox(self, renderer=None):
        return None

    def draw(self, renderer) -> None:
        if (self._items or self._optional) and not self.held:
            self.place(renderer)
        self.stale = False

    def _obstacles(self, renderer) -> np.ndarray:
        """Markers and bars as boxes ``(x0, y0, x1, y1)`` in display units."""
        boxes = [p.get_window_extent(renderer).extents for p in self._patches]
        if self._points:
            pts = np.array(self._points, float)
            c = self.axes.transData.transform(pts[:, :2])
            r = (pts[:, 2] * renderer.points_to_pixels(1.0))[:, None]
            boxes += list(np.hstack([c - r, c + r]))
        boxes = np.array(boxes, float).reshape(-1, 4)
        return boxes[np.isfinite(boxes).all(axis=1)]

    def _candidate_boxes(self, ann, cands, renderer, pad: float) -> np.ndarray:
        """The padded box of ``ann`` at every candidate spot, shape ``(K, 4)``: measured
        once per alignment, then moved to each spot's anchor."""
        fig = self.axes.get_figure(root=True)
        xy = np.array([c[0] for c in cands], float)
        off = np.array([c[1] for c in cands], float)
        anchors = self.axes.transData.transform(xy) + off * (fig.dpi / 72.0)
        boxes = np.empty((len(cands), 4))
        measured: dict[tuple, tuple] = {}
        for k, cand in enumerate(cands):
            if (cand[2], cand[3]) not in measured:
                self._apply(ann, cand)
                ann.update_positions(renderer)
                ext = np.array(Text.get_window_extent(ann, renderer).extents, float)
                measured[cand[2], cand[3]] = (ext, anchors[k])
            ext, at = measured[cand[2], cand[3]]
            d = anchors[k] - at
            boxes[k] = ext + (d[0], d[1], d[0], d[1])
        return boxes + (-pad, -pad, pad, pad)

    def place(self, renderer) -> list[int]:
        """Give every label its spot, in the order added; returns the chosen candidates."""
        pad = self._pad_pt * renderer.points_to_pixels(1.0)
        ib = self.axes.get_window_extent(renderer)
        inside = np.array([[ib.x0, ib.y0, ib.x1, ib.y1]], float)
        fb = self.axes.get_figure(root=True).bbox
        page = np.array([[fb.x0, fb.y0, fb.x1, fb.y1]], float)
        taken = self._obstacles(renderer)
        self.chosen, self.costs, self.fallbacks = [], [], []
        texts = self._other_texts(renderer)
        for ann, cands, leader_after in self._items:
            ann.set_visible(True)
            boxes = self._candidate_boxes(ann, cands, renderer, pad)
            bare = boxes + (pad, pad, -pad, -pad)  # the text alone: touching an edge is no cut
            cost = _OUTSIDE_WEIGHT * _outside(boxes, inside)
            cost = cost + _OFF_PAGE_WEIGHT * _outside(bare, page)
            if len(taken):
                cost = cost + _overlap(boxes, taken).sum(axis=1)
            k = _first_best(cost)
            if len(texts):
                clear = ~_hits(bare, texts)
                if not clear[k] and clear.any():
                    k = int(np.argsort(np.where(clear, cost, np.inf), kind="stable")[0])
                    self.fallbacks.append(len(self.chosen))
            self._apply(ann, cands[k])
            if ann.arrow_patch is not None:
                ann.arrow_patch.set_visible(leader_after is not None and k > leader_after)
            self.chosen.append(k)
            self.costs.append(float(cost[k]))
            texts = _show_if_clear(ann, renderer, texts)
            if ann.get_visible():  # a hidden label leaves its room to the next one
                taken = np.vstack([taken, boxes[k]])
        for t in self._optional:
            needed = self._requires[id(t)]
            t.set_visible(needed is None or needed.get_visible())
            if t.get_visible():
                texts = _show_if_clear(t, renderer, texts)
        return self.chosen

    def _other_texts(self, renderer) -> np.ndarray:
        """Boxes of the figure's visible texts, except those this placer and the placers
        after it manage (the figure draws the axes in order)."""
        fig = self.axes.get_figure(root=True)
        ps = placers(fig)
        skip = {id(t) for p in ps[ps.index(self) :] for t in [*p.labels, *p._optional]}
        boxes = [
            t.get_window_extent(renderer).extents
            for t in fig.findobj(Text)
            if t.figure is fig and id(t) not in skip and t.get_visible() and t.get_text().strip()
        ]
        return np.array(boxes, float).reshape(-1, 4)


def _show_if_clear(text, renderer, texts: np.ndarray) -> np.ndarray:
    """Hide ``text`` when it lies on one of ``texts``; returns ``texts`` with it added
    when it stays."""
    if not text.get_text().strip():
        return texts
    box = np.array(text.get_window_extent(renderer).extents, float)[None, :]
    if len(texts) and _hits(box, texts)[0]:
        text.set_visible(False)
        return texts
    return np.vstack([texts, box])


def _sides(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Width and height of the intersection of every box of ``a`` with every box of ``b``."""
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return w, h


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w, h = _sides(a, b)
    return np.maximum(w, 0.0) * np.maximum(h, 0.0)


def _outside(boxes: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """The area of each box that lies outside ``frame`` (one box, shape ``(1, 4)``)."""
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return area - _overlap(boxes, frame)[:, 0]


def _hits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For every box of ``a``: does it lie on a box of ``b`` by more than a pixel each way?"""
    w, h = _sides(a, b)
    return ((w > 1) & (h > 1)).any(axis=1)


def _first_best(cost: np.ndarray) -> int:
    """The first free spot; failing that, the first of the least-overlapping ones."""
    best = 0
    for k, c in enumerate(cost.tolist()):
        if c < cost[best] - _TIE:
            best = k
        if c <= 0:
            break
    return best


def placers(fig) -> list[LabelPlacer]:
    """Every label placer in ``fig``, axes by axes."""
    return [a for ax in fig.axes for a in ax.artists if isinstance(a, LabelPlacer)]


def place_labels(fig, renderer) -> None:
    """Place every label of ``fig`` now with ``renderer`` and hold the spots for later draws."""
    for p in placers(fig):
        if p._items or p._optional:
            p.place(renderer)
        p.hold()


def hold_labels(fig) -> None:
    """Keep every label of ``fig`` where it is at the next draws (e.g. a layout-only draw)."""
    for p in placers(fig):
        p.hold()
