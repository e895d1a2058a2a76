"""One module per chart: its encoding table (``MARKS``), ``marks_drawn``, its plot functions
(``plot_x(frame, *, ax=None, **kwargs) -> Axes``), its words (``x_text(...) -> FigureText``)
and ``draw(...) -> Figure`` at a named print size. Shared helpers: ``axes``, ``wording``,
``marks``, ``labels``, ``figtext``. Which figure comes from which notebook is declared in
:mod:`belthaw.catalogue`.
"""
