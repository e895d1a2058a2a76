"""The figure layer: ``finish`` draws a figure's words, source line and data date onto it;
``save_figure`` writes every format, the data CSV, the sidecar and, last, the record (the
manifest); ``figure_problems`` finds a figure whose save was interrupted.
"""

from .files import figure_problems, record_outputs
from .layout import finish, finish_figure, source_line
from .save import save_figure
from .sidecar import write_index

__all__ = [
    "figure_problems",
    "finish",
    "finish_figure",
    "record_outputs",
    "save_figure",
    "source_line",
    "write_index",
]
