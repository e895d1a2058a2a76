"""The headline number of a release series, one function for every output that states it.

Titles, captions, sidecars, the README's counting choices and the briefing pack all call
:func:`headline` (or :func:`default_headlines`), so no two outputs made with the same
parameters can disagree on a number or on what it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .timeline import CONFIDENCE_WORDS, COUNT_WHAT, release_series


@dataclass(frozen=True)
class Headline:
    """The one number a figure's title states, and exactly what it counts.

    Every title, caption, sidecar and the briefing pack that states a release total gets
    it from :func:`headline`, so no two outputs made with the same parameters disagree.
    """

    value: int
    lower_bound: bool
    n_releases: int
    what: str  # "people freed", "recognised political prisoners freed", ...
    rule: str  # the counting rule in words
    n_weak: int  # releases resting on single or weak sources
    since: str  # "July 2024": the month of the series' start

    def phrase(self) -> str:
        """``"866 people freed"`` / ``"At least 55 recognised political prisoners freed"``."""
        return f"{'At least ' if self.lower_bound else ''}{self.value:,} {self.what}"


def counting_rule(attrs: dict) -> str:
    """The counting rule a release series was made with, in words."""
    what = attrs["count_what"]
    once = "a person pardoned twice counts twice" if what == "pardoned" else "each person once"
    parts = [f"{COUNT_WHAT[what]}, {once}"]
    parts.append(
        {
            "best": "best-supported figure per release",
            "lower": "lowest figure any source gives",
            "upper": "highest figure any source gives",
        }[attrs["count_basis"]]
    )
    if not attrs["include_foreign_nationals"]:
        parts.append("foreign nationals left out")
    if not attrs["include_released_home"]:
        parts.append("people who stayed in Belarus left out")
    if attrs["min_confidence"] != "low":
        parts.append(f"only releases resting on {CONFIDENCE_WORDS[attrs['min_confidence']]}")
    parts.append("the Aug 2024 East-West swap left out")
    return "; ".join(parts)


def headline(series: pd.DataFrame) -> Headline:
    """The release total of a :func:`release_series` frame, with what it counts."""
    attrs = series.attrs
    value = int(series["count"].fillna(0).sum()) if len(series) else 0
    return Headline(
        value=value,
        lower_bound=bool(series["is_lower_bound"].any()) if len(series) else False,
        n_releases=int(series["n_events"].sum()) if len(series) else 0,
        what=COUNT_WHAT[attrs["count_what"]],
        rule=counting_rule(attrs),
        n_weak=int(series.loc[series["confidence"] == "low", "n_events"].sum())
        if len(series)
        else 0,
        since=_since_words(series),
    )


def _since_words(series: pd.DataFrame) -> str:
    start = series.attrs.get("start") or (series["period"].min() if len(series) else None)
    return "" if start is None or pd.isna(start) else pd.Timestamp(start).strftime("%B %Y")


def default_series(data, **changes) -> pd.DataFrame:
    """The release series of ``01_releases`` with its declared defaults (and ``changes``):
    the series behind the headline numbers the README and the briefing pack quote."""
    from ..parameters import NOTEBOOKS

    d = {p.name: p.default for p in NOTEBOOKS["01_releases"]}
    d.update(changes)
    return release_series(
        data.events,
        data.claims,
        start=d["start"] or None,
        end=d["end"] or None,
        include_foreign_nationals=d["include_foreign_nationals"],
        include_released_home=d["include_released_home"],
        count_basis=d["count_basis"],
        count_what=d["count_what"],
        sources=data.sources,
        min_confidence=d["min_confidence"],
    )


def default_headlines(data) -> list[Headline]:
    """The headline of each ``count_what`` under the default counting rule, default first."""
    from ..parameters import NOTEBOOKS

    default = next(p for p in NOTEBOOKS["01_releases"] if p.name == "count_what")
    order = [default.default, *(c for c in default.choices if c != default.default)]
    return [headline(default_series(data, count_what=what)) for what in order]
