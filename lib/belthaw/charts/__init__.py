"""One module per chart: its encoding table (``MARKS``), ``marks_drawn``, ``plot_x(frame, *,
ax=None, **kwargs) -> Axes``, ``x_text(...) -> FigureText`` and ``draw(...) -> Figure`` at a
named print size. Which notebook draws which figure is in :mod:`belthaw.catalogue`.
"""
