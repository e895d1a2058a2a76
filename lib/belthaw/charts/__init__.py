"""One module per chart: its plot function, its words, its encoding table and its builder.

``CHARTS`` maps each figure name to the module that builds it; the notebook layer
(:mod:`belthaw.notebook`) finishes and saves what a builder returns.
"""

from __future__ import annotations

#: Figure name -> chart module (imported on first use: importing belthaw stays cheap).
CHARTS: dict[str, str] = {
    "01-releases": "releases",
    "01-cumulative": "cumulative",
    "02-relief-steps": "relief_steps",
    "03-exchanges": "exchanges",
    "04-overview": "overview",
    "05-claims": "claims",
    "05-totals": "totals",
}
