"""The words that travel with a figure; no plotting imports (the briefing reads them)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import BelthawError


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
    source_ids: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()  # the fields an analyst replaced (see edit)

    def edit(self, **changes: Any) -> FigureText:
        """A copy with ``changes`` applied and their fields listed in ``edited``.

        The picture, the sidecar and the record all carry the new words, and the
        sidecar says which were written by hand: ``text.edit(title="My finding")``.
        """
        words = [f.name for f in fields(self) if f.name not in ("source_ids", "edited")]
        unknown = sorted(set(changes) - set(words))
        if unknown:
            raise BelthawError(
                f"FigureText.edit: no field {', '.join(map(repr, unknown))}; "
                f"the words of a figure are: {', '.join(words)}"
            )
        if "notes" in changes:
            notes = changes["notes"]
            changes["notes"] = (notes,) if isinstance(notes, str) else tuple(notes)
        changed = [k for k in words if k in changes and changes[k] != getattr(self, k)]
        edited = (*self.edited, *(k for k in changed if k not in self.edited))
        return replace(self, **changes, edited=edited)

    def _repr_markdown_(self) -> str:
        """How a notebook shows the words: each one labelled, the edited ones marked."""
        mark = {k: " *(edited)*" for k in self.edited}
        lines = [
            f"**{self.title}**{mark.get('title', '')}",
            f"*{self.subtitle}*{mark.get('subtitle', '')}",
            f"**How to read it.** {self.caption}{mark.get('caption', '')}",
            f"**Alt text.** {self.alt}{mark.get('alt', '')}",
        ]
        notes = "\n".join(f"- Note: {n}" for n in self.notes)
        return "\n\n".join(lines + [notes] if notes else lines)
