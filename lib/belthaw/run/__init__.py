"""``belthaw run``: parameter sets (``sets``), the cache (``cache``), one notebook's
execution (``engine``) and the run itself (``runner``)."""

from .runner import cli_run, list_notebooks, run

__all__ = ["cli_run", "list_notebooks", "run"]
