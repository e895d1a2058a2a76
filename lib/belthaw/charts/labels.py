"""Label placement: annotations placed once the layout (and so the data-to-page scale) is final."""

from __future__ import annotations

from matplotlib.artist import Artist


class LabelPlacer(Artist):
    """Places annotations at draw time, once the layout (and so the data-to-page scale) is final.

    Each label has candidate spots, tried in order; it takes the first one whose box
    stays inside the axes and overlaps no label placed before it and no obstacle
    (markers, bars). When none is free, the spot with the least overlap wins. Placing
    at draw time rather than at plot time matters: constrained layout and
    ``finish_figure`` resize the axes after the plot function returns, which moves
    points closer together on the page while text keeps its size in points.
    """

    def __init__(self, ax, *, pad_pt: float = 1.5):
        super().__init__()
        self.axes = ax
        self._pad_pt = pad_pt
        self._items: list[tuple] = []
        self._points: list[tuple] = []  # (x data, y data, radius in points)
        self._patches: list = []
        self.set_zorder(-1e9)  # drawn before the labels it moves
        self.set_in_layout(False)
        self.set_gid("label-placer")
        ax.add_artist(self)

    def add(self, ann, candidates, *, leader_after: int | None = None):
        """``candidates``: list of ``(xy data, (dx, dy) points, ha, va)``, best first."""
        ann.set_in_layout(False)
        self._items.append((ann, list(candidates), leader_after))
        self._apply(ann, self._items[-1][1][0])

    def avoid_points(self, xs, ys, radius_pt: float) -> None:
        self._points += [(float(x), float(y), radius_pt) for x, y in zip(xs, ys, strict=True)]

    def avoid_patches(self, patches) -> None:
        self._patches += list(patches)

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
        if self._items:
            self.place(renderer)
        self.stale = False

    def place(self, renderer) -> None:
        from matplotlib.text import Text
        from matplotlib.transforms import Bbox

        px = renderer.points_to_pixels(1.0)
        pad = self._pad_pt * px
        inside = self.axes.get_window_extent(renderer)
        taken: list = [p.get_window_extent(renderer) for p in self._patches]
        for x, y, r in self._points:
            cx, cy = self.axes.transData.transform((x, y))
            taken.append(Bbox.from_extents(cx - r * px, cy - r * px, cx + r * px, cy + r * px))

        def area(b) -> float:
            return max(0.0, b.width) * max(0.0, b.height)

        for ann, cands, leader_after in self._items:
            best = None
            for k, cand in enumerate(cands):
                self._apply(ann, cand)
                ann.update_positions(renderer)
                box = Text.get_window_extent(ann, renderer).padded(pad)
                clipped = Bbox.intersection(box, inside)
                outside = area(box) - (area(clipped) if clipped is not None else 0.0)
                cost = 4 * outside
                for t in taken:
                    hit = Bbox.intersection(box, t)
                    cost += area(hit) if hit is not None else 0.0
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, k, box)
                if cost <= 0:
                    break
            _, k, box = best
            self._apply(ann, cands[k])
            if ann.arrow_patch is not None:
                ann.arrow_patch.set_visible(leader_after is not None and k > leader_after)
            taken.append(box)
