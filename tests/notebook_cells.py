"""Run a notebook's own code cells in this process, as Run All would, with the data loaded
once: what each ``nb.save`` was given comes back instead of files. For tests that need every
figure at many parameter values (the contract, label placement, print sizes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from belthaw import notebook as nb
from belthaw import paths
from belthaw.errors import EmptySelectionError
from belthaw.parameters import cell_source


@dataclass
class Saved:
    fig: object
    text: object
    params: object
    tables: dict


@cache
def code_cells(notebook: str) -> tuple[str, ...]:
    cells = json.loads((paths.NOTEBOOKS_DIR / f"{notebook}.ipynb").read_text(encoding="utf-8"))[
        "cells"
    ]
    return tuple(
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
    )


def run_notebook(notebook: str, values: dict, data) -> dict[str, Saved] | str:
    """Every figure the notebook saves with ``values`` (after its parameters cell, as
    papermill injects them), or the reason it drew nothing."""
    saved: dict[str, Saved] = {}

    def capture(fig, text, name, data, params, *, table=None, tables=None):
        saved[name] = Saved(
            fig, nb.replay_words(text, params), params, {"data": table, **(tables or {})}
        )
        return []

    real = nb.save, nb.load
    nb.save, nb.load = capture, (lambda *a, **k: data)
    try:
        ns: dict = {}
        exec(cell_source(notebook), ns)
        ns.update(values)
        for src in code_cells(notebook):
            exec(src, ns)
    except EmptySelectionError as err:
        return str(err)
    finally:
        nb.save, nb.load = real
    return saved
