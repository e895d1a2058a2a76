"""The headline number of a release series, one function for every output that states it.

Titles, captions, sidecars, the README's counting choices and the briefing pack all call
:func:`headline` (or :func:`default_headlines`), so no two outputs made with the same
counting rule can disagree on a number or on what it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from ..counting import COUNT_WHAT, CountingRule
from ..parameters import defaults
from .timeline import release_series


@dataclass(frozen=True)
class Headline:
    """The one number a figure's title states, and exactly what it counts."""

    value: int
    lower_bound: bool
    n_releases: int
    what: str  # "people freed", "Viasna-recognised political prisoners freed", ...
    rule: str  # the counting rule in words
    n_weak: int  # releases resting on single or weak sources, counted per release
    since: str  # "July 2024": the month of the series' start

    def phrase(self) -> str:
        """``"866 people freed"`` / ``"At least 80 Viasna-recognised political prisoners freed"``."""
        return f"{'At least ' if self.lower_bound else ''}{self.value:,} {self.what}"


def headline(series: pd.DataFrame, rule: CountingRule, *, start=None) -> Headline:
    """The release total of a :func:`release_series` frame made with ``rule``.

    ``start`` names the month the title says "since" (default: the first period drawn).
    """
    first = start or series["period"].min()
    return Headline(
        value=int(series["count"].fillna(0).sum()),
        lower_bound=bool(series["is_lower_bound"].any()),
        n_releases=int(series["n_events"].sum()),
        what=rule.noun,
        rule=rule.words(),
        n_weak=int(series["n_weak"].sum()),
        since="" if pd.isna(first) else pd.Timestamp(first).strftime("%B %Y"),
    )


def default_headlines(data) -> list[Headline]:
    """The headline of each kind of count under the default rule, the default count first:
    the numbers the README and the briefing pack quote."""
    d = defaults("01_releases")
    rule = CountingRule.from_params(d)
    start, end = d["start"] or None, d["end"] or None
    out = []
    for what in [rule.what, *(w for w in COUNT_WHAT if w != rule.what)]:
        r = replace(rule, what=what)
        out.append(headline(release_series(data, r, start=start, end=end), r, start=start))
    return out
