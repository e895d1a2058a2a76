"""The published totals a running total can be drawn against, and the span they check."""

from __future__ import annotations

import pandas as pd

from ..counting import DEFAULT_RULE, CountingRule
from .claims import comparable_with_line, itemized_vs_totals
from .common import between


def totals_on_line(
    data, rule: CountingRule = DEFAULT_RULE, *, start=None, end=None
) -> pd.DataFrame:
    """The published totals that count what the running total counts, from the same day.

    Rows of :func:`belthaw.transforms.claims.itemized_vs_totals` dated inside the window.
    A line that leaves people out (those who stayed home, foreign nationals) has no
    published twin, so it gets none: the comparison would blame the source for our filter.
    """
    cmp = itemized_vs_totals(data, rule)
    cmp = cmp[between(cmp["as_of"], start, end)]
    if not (rule.include_released_home and rule.include_foreign_nationals):
        return cmp.iloc[0:0]
    return comparable_with_line(cmp, rule.what, start).reset_index(drop=True)
