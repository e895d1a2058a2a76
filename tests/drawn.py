"""Checks on what a drawn figure shows, shared by the chart tests."""

import io

from matplotlib.text import Text


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


def by_gid(ax, prefix: str) -> list:
    """The lines, patches and texts of ``ax`` whose gid starts with ``prefix``."""
    return [
        a for a in (*ax.lines, *ax.patches, *ax.texts) if (a.get_gid() or "").startswith(prefix)
    ]
