"""The words that travel with a figure (:class:`FigureText`) and a build's result (:class:`Built`).

No plotting imports: the figure layer and the briefing read these without loading matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass(frozen=True)
class FigureText:
    """Everything a briefing needs to say about one figure.

    ``source_ids`` are the ids of the sources behind the rows actually drawn;
    the source line and the sidecar ``.md`` are generated from them.
    """

    title: str  # the finding, in a sentence
    subtitle: str  # the scope: period, counting rules
    caption: str  # how to read the chart
    alt: str  # what the chart shows, for screen readers
    notes: tuple[str, ...] = ()  # lower bounds, disputed counts, gaps
    source_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Built:
    """One figure ready to show and save, or the reason there is nothing to draw."""

    name: str
    size: str
    fig: Any = None
    text: FigureText | None = None
    message: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.fig is None
