"""``belthaw run``: where a run reads and writes (``layout``), parameter sets (``sets``), the
cache (``cache``), one notebook's execution (``engine``), the run itself (``runner``) and its
command line (``cli``)."""

from .cli import cli_run, list_notebooks
from .runner import run

__all__ = ["cli_run", "list_notebooks", "run"]
