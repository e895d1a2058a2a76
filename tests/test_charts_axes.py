"""charts/axes.py: a legend above the plot stays on the page beside long y tick labels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from belthaw.charts.axes import legend_above, new_figure  # noqa: E402
from belthaw.style import house_style  # noqa: E402

#: Lane names as long as 02-relief-steps' ("EU · listings/renewals"), or longer.
LANES = ["EU · listings/renewals", "Lithuania · border crossings", "US · designations"]


@pytest.mark.parametrize("size", ["column", "a4-half"])
def test_legend_above_fits_the_figure_once_the_layout_makes_room_for_tick_labels(size):
    fig, ax = new_figure(size)
    with house_style(size):
        for i in range(6):
            ax.plot([0, 1], [i % 3] * 2, label=f"mark {i} of the chart")
        ax.set_yticks(range(3), LANES)
        leg = legend_above(ax)
        fig.draw_without_rendering()  # the constrained layout moves the axes right
    box, page = leg.get_window_extent(), fig.bbox
    assert ax.get_position().x0 * fig.get_figwidth() > 1.0  # the tick labels took an inch
    assert page.x0 <= box.x0 and box.x1 <= page.x1, (box.bounds, page.bounds)
    assert box.y0 >= ax.bbox.y1  # still above the plotting area
    plt.close(fig)


def test_legend_above_keeps_to_the_axes_edge_where_it_fits_there():
    fig, ax = new_figure("column")
    with house_style("column"):
        for i in range(2):
            ax.plot([0, 1], [i, i], label=f"mark {i}")
        ax.set_yticks(range(2), ["EU", "US"])
        leg = legend_above(ax)
        fig.draw_without_rendering()
    # in line with the plot it names, as on the full-size figure
    assert abs(leg.get_window_extent().x0 - ax.bbox.x0) < 0.05 * fig.dpi
    plt.close(fig)
