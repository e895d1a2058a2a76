"""``belthaw run``: parameter sets (``sets``), the cache (``cache``), the worker that runs one
notebook through papermill (``execute``), the run itself (``runner``), what it reports
(``report``) and its command line (``cli``)."""

from .cli import cli_run, list_notebooks
from .runner import run

__all__ = ["cli_run", "list_notebooks", "run"]
