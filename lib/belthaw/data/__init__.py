"""The data layer: read the package, apply its rules, hand out a typed :class:`Dataset`.

``descriptor`` (datapackage.json) -> ``read`` (each CSV as text, cell checks, typed
frames; ``damage`` finds what a spreadsheet did to text) -> ``rules`` (cross-table rules,
``validate``, with ``history``: changes since the last commit) -> ``dataset`` (``load``).
``names`` finds people by any spelling. Nothing here imports plotting code.
"""

from __future__ import annotations

from .dataset import Dataset, load
from .names import find_person
from .rules import Report, validate

__all__ = ["Dataset", "Report", "find_person", "load", "validate"]
