"""The data layer: read the package, apply its rules, hand out a typed :class:`Dataset`.

``read`` (CSV + schema -> strings, cell checks) -> ``rules`` (cross-table rules,
``validate``) -> ``dataset`` (``load``). ``names`` finds people by any spelling.
Nothing here imports plotting code.
"""

from __future__ import annotations

from .dataset import Dataset, load
from .rules import Report, validate

__all__ = ["Dataset", "Report", "load", "validate"]
