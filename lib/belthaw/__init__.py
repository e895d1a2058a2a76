"""belthaw: data and charts on the US-Belarus prisoners-for-sanctions-relief track.

``belthaw.load()`` gives the data package as typed DataFrames. Importing the package
does no I/O and imports no plotting code; the heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["load", "validate", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .data import Dataset, Report


def load(data_dir: Any = None, *, check: bool = True) -> Dataset:
    """Load the data package into typed DataFrames (see :func:`belthaw.data.load`)."""
    from .data import load as _load

    return _load(data_dir, check=check)


def validate(data_dir: Any = None) -> Report:
    """Check the data package; return a report of errors and warnings (never raises on bad data)."""
    from .data import validate as _validate

    return _validate(data_dir)
