"""The words that travel with a figure: finding, scope, how to read, alt text, caveats, sources."""

from __future__ import annotations

from dataclasses import dataclass, field


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
