"""Label placement: annotations placed once the layout (and so the data-to-page scale) is final.

A chart registers its labels with a :class:`LabelPlacer`; the labels are placed when
the figure is drawn, or, when a figure is saved, once after its layout is pinned
(:func:`place_labels`), then held for every format. Placement works in display
units of one renderer, so it depends on the layout in points, not on the format.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist

__all__ = ["LabelPlacer", "placers", "place_labels", "hold_labels"]

# An overlap below this (in squared pixels) is rounding, not a collision: the same
# tie rule as before the placement was vectorised, so the same spots win.
_TIE = 1e-9
# A label running out of the axes costs more than one covering a marker: outside,
# it collides with tick labels or the legend, which the placer does not see.
_OUTSIDE_WEIGHT = 4.0


class LabelPlacer(Artist):
    """Places annotations once the layout (and so the data-to-page scale) is final.

    Each label has candidate spots, tried in order; it takes the first one whose box
    stays inside the axes and overlaps no label placed before it and no obstacle
    (markers, bars). When none is free, the spot with the least overlap wins; if that
    spot puts the label's text on another text (a label shown before it, a tick label,
    the legend, the title block), the least-bad spot clear of every text wins instead,
    and with none the label is hidden: a label on a label is read as neither, and the
    bar or axis still says what it would have. A label that
    only runs out of the axes is kept. Optional texts (:meth:`add_optional`: words a
    chart can do without) are not moved, only hidden when they fall on a text. Placing
    after layout rather than at plot time matters: constrained layout and
    ``finish_figure`` resize the axes after the plot function returns, which moves
    points closer together on the page while text keeps its size in points.

    Placement is computed at draw time until :meth:`hold` is called (``save`` holds
    the placement it computed after pinning the layout, so every format draws the
    same spots and no format pays for placing again).
    """

    def __init__(self, ax, *, pad_pt: float = 1.5):
        super().__init__()
        self.axes = ax
        self._pad_pt = pad_pt
        self._items: list[tuple] = []
        self._points: list[tuple] = []  # (x data, y data, radius in points)
        self._patches: list = []
        self._optional: list = []
        self._requires: dict = {}
        #: Index of the candidate each label took at the last placement, and what that
        #: spot cost (overlap in squared pixels; 0 = clear of everything placed before).
        self.chosen: list[int] = []
        self.costs: list[float] = []
        #: Labels (by position) whose least-bad spot lay on a text and that took the
        #: least-bad spot clear of every text instead.
        self.fallbacks: list[int] = []
        self.held = False
        self.set_zorder(-1e9)  # drawn before the labels it moves
        self.set_in_layout(False)
        self.set_gid("label-placer")
        ax.add_artist(self)

    def add(self, ann, candidates, *, leader_after: int | None = None):
        """``candidates``: list of ``(xy data, (dx, dy) points, ha, va)``, best first."""
        ann.set_in_layout(False)
        self._items.append((ann, list(candidates), leader_after))
        self._apply(ann, self._items[-1][1][0])
        self.held = False

    def add_optional(self, text, *, requires=None) -> None:
        """A text drawn where the chart put it, or not at all when it falls on another text
        (checked in the order added, after the labels) or when ``requires`` (a text added
        before it: the name of its row) is hidden. It keeps its place in the layout."""
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
        """The annotations this placer moves, in placement order."""
        return [item[0] for item in self._items]

    @property
    def managed(self) -> list:
        """Every text this placer may hide: its labels, then its optional texts."""
        return [*self.labels, *self._optional]

    def hold(self) -> None:
        """Keep the current spots at every later draw (until a label or obstacle is added)."""
        self.held = True

    @staticmethod
    def _apply(ann, cand) -> None:
        xy, off, ha, va = cand
        ann.xy = xy
        ann.xyann = off
        ann.set_ha(ha)
        ann.set_va(va)

    def get_window_extent(self, renderer=None):
        from matplotlib.transforms import Bbox

        return Bbox.null()

    def get_tightbbox(self, renderer=None):
        return None

    def draw(self, renderer) -> None:
        if (self._items or self._optional) and not self.held:
            self.place(renderer)
        self.stale = False

    # ------------------------------------------------------------------ placement

    def _obstacles(self, renderer) -> np.ndarray:
        """Markers and bars as boxes ``(x0, y0, x1, y1)`` in display units."""
        px = renderer.points_to_pixels(1.0)
        parts = [np.empty((0, 4))]
        if self._patches:
            ext = np.array([p.get_window_extent(renderer).extents for p in self._patches], float)
            parts.append(
                np.column_stack(
                    [
                        np.minimum(ext[:, 0], ext[:, 2]),
                        np.minimum(ext[:, 1], ext[:, 3]),
                        np.maximum(ext[:, 0], ext[:, 2]),
                        np.maximum(ext[:, 1], ext[:, 3]),
                    ]
                )
            )
        if self._points:
            pts = np.array(self._points, float)
            c = self.axes.transData.transform(pts[:, :2])
            r = (pts[:, 2] * px)[:, None]
            parts.append(np.hstack([c - r, c + r]))
        boxes = np.vstack(parts)
        return boxes[np.isfinite(boxes).all(axis=1)]

    def _candidate_boxes(self, ann, cands, renderer, pad: float) -> np.ndarray:
        """The padded text box of ``ann`` at every candidate spot, shape ``(K, 4)``.

        The text's own extent depends only on its alignment, so it is measured once
        per (ha, va) pair and moved to each spot's anchor.
        """
        from matplotlib.text import Text

        fast = ann.xycoords == "data" and ann.anncoords == "offset points"
        if fast:
            fig = self.axes.get_figure(root=True)
            xy = np.array([c[0] for c in cands], float)
            off = np.array([c[1] for c in cands], float)
            anchors = self.axes.transData.transform(xy) + off * (fig.dpi / 72.0)
        boxes = np.empty((len(cands), 4))
        measured: dict[tuple, tuple] = {}
        for k, cand in enumerate(cands):
            key = (cand[2], cand[3])
            if fast and key in measured:
                ext, at = measured[key]
                d = anchors[k] - at
                boxes[k] = ext + (d[0], d[1], d[0], d[1])
                continue
            self._apply(ann, cand)
            ann.update_positions(renderer)
            ext = np.array(Text.get_window_extent(ann, renderer).extents, float)
            if fast:
                measured[key] = (ext, anchors[k])
            boxes[k] = ext
        boxes[:, :2] -= pad
        boxes[:, 2:] += pad
        return boxes

    def place(self, renderer) -> list[int]:
        """Give every label its spot, in the order added; returns the chosen candidate indices."""
        pad = self._pad_pt * renderer.points_to_pixels(1.0)
        ib = self.axes.get_window_extent(renderer)
        inside = np.array([ib.x0, ib.y0, ib.x1, ib.y1], float)
        obstacles = self._obstacles(renderer)
        taken = np.empty((len(obstacles) + len(self._items), 4))
        taken[: len(obstacles)] = obstacles
        n = len(obstacles)
        chosen: list[int] = []
        costs: list[float] = []
        fallbacks: list[int] = []
        texts = self._other_texts(renderer)
        for ann, cands, leader_after in self._items:
            ann.set_visible(True)
            boxes = self._candidate_boxes(ann, cands, renderer, pad)
            area = _area(boxes)
            cost = _OUTSIDE_WEIGHT * (area - _overlap(boxes, inside[None, :])[:, 0])
            if n:
                cost = cost + _overlap(boxes, taken[:n]).sum(axis=1)
            k = _first_best(cost)
            if len(texts):
                # The least-bad spot lies on a text: the least-bad of the spots clear of
                # every text wins instead (it may cover a marker); with none, it is hidden.
                clear = ~_hits(boxes + np.array([pad, pad, -pad, -pad]), texts)
                if not clear[k] and clear.any():
                    k = int(np.argsort(np.where(clear, cost, np.inf), kind="stable")[0])
                    fallbacks.append(len(chosen))
            self._apply(ann, cands[k])
            if ann.arrow_patch is not None:
                ann.arrow_patch.set_visible(leader_after is not None and k > leader_after)
            chosen.append(k)
            costs.append(float(cost[k]))
            texts = self._show_if_clear(ann, renderer, texts)
            if ann.get_visible():  # a hidden label leaves its room to the next one
                taken[n] = boxes[k]
                n += 1
        for t in self._optional:
            needed = self._requires.get(id(t))
            t.set_visible(needed is None or needed.get_visible())
            if t.get_visible():
                texts = self._show_if_clear(t, renderer, texts)
        self.chosen, self.costs, self.fallbacks = chosen, costs, fallbacks
        return chosen

    def _other_texts(self, renderer) -> np.ndarray:
        """Boxes of the visible texts of the figure this placer does not manage, and of
        the labels other placers placed before it (axes order, as the figure draws)."""
        from matplotlib.text import Text

        fig = self.axes.get_figure(root=True)
        mine = {id(t) for t in self.managed}
        later = set()
        seen = False
        for p in placers(fig):
            if p is self:
                seen = True
            elif seen:
                later |= {id(t) for t in p.managed}
        boxes = [
            t.get_window_extent(renderer).extents
            for t in fig.findobj(Text)
            if t.figure is fig
            and id(t) not in mine
            and id(t) not in later
            and t.get_visible()
            and t.get_text().strip()
        ]
        return np.array(boxes, float).reshape(-1, 4)

    @staticmethod
    def _show_if_clear(text, renderer, texts: np.ndarray) -> np.ndarray:
        """Hide ``text`` when it lies on one of ``texts`` (more than a pixel each way);
        returns ``texts`` with it added when it stays."""
        if not text.get_text().strip():
            return texts
        box = np.array(text.get_window_extent(renderer).extents, float)[None, :]
        if len(texts) and _hits(box, texts)[0]:
            text.set_visible(False)
            return texts
        return np.vstack([texts, box])


def _area(b: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, b[:, 2] - b[:, 0]) * np.maximum(0.0, b[:, 3] - b[:, 1])


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Area of the intersection of every box of ``a`` (K, 4) with every box of ``b`` (M, 4)."""
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.maximum(w, 0.0) * np.maximum(h, 0.0)


def _hits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For every box of ``a`` (K, 4): does it lie on a box of ``b`` by more than a pixel each way?"""
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
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


def place_labels(fig, renderer) -> dict[str, list[int]]:
    """Place every label of ``fig`` now with ``renderer`` and hold the spots for later draws.

    Returns the chosen candidate index of each label, by placer (axes order), so a
    caller can check that two placements agree.
    """
    out: dict[str, list[int]] = {}
    for i, p in enumerate(placers(fig)):
        out[f"{i}"] = p.place(renderer) if p._items or p._optional else []
        p.hold()
    return out


def hold_labels(fig) -> None:
    """Keep every label of ``fig`` where it is at the next draws (e.g. a layout-only draw)."""
    for p in placers(fig):
        p.hold()
