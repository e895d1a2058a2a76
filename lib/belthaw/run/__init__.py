"""``belthaw run``: parameter sets (``sets``), the cache (``cache``), the papermill workers
(``execute``) and the run itself (``runner``)."""

from .runner import run

__all__ = ["run"]
