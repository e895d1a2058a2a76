"""The counting rule, as one value, and every allowed value with its words, declared once.

A :class:`CountingRule` travels from the parameters cell to every transform, headline
and comparison; the parameters declaration (:mod:`belthaw.parameters`) takes its
choices from the tables here, so a choice and its wording cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

#: What a release total counts. Each is a different documented quantity; a headline
#: names the one it counts in these words.
COUNT_WHAT = {
    "freed": "people freed",
    "pardoned": "pardons",
    # One counter's recognition, applied the same way to every release (data/CHANGELOG.md 1.2.0).
    "political": "Viasna-recognised political prisoners freed",
}
#: Which figure per release is added up when sources give several.
COUNT_BASES = {
    "best": "best-supported figure per release",
    "lower": "lowest figure any source gives",
    "upper": "highest figure any source gives",
}
#: How firmly an event's sources establish it, weakest first.
CONFIDENCE = {
    "low": "only copies or aggregators (single or weak source)",
    "medium": "one original outlet",
    "high": "an official document or two independent outlets",
}
CONFIDENCE_LEVELS = tuple(CONFIDENCE)
GRANULARITIES = {"event": "each bar one release", "month": "per month", "quarter": "per quarter"}
#: How a US step and a release are tied, strongest first (see data/exchanges.csv).
LINK_STRENGTHS = {
    "explicit": "a source calls it a trade",
    "reported": "sources report the two together",
    "inferred": "our inference from timing",
}
JURISDICTIONS = ("US", "EU", "LT", "PL", "BY", "UA")
#: The kinds of release a total adds up. A ``swap`` (Rico Krieger, handed over in the
#: Russia-West exchange of 1 Aug 2024) is a release by Belarus, but it belongs to another
#: negotiation, so it stays in the table and out of every sum about this track.
COUNTED_RELEASE_TYPES = ("pardon", "us_deal", "transfer")


@dataclass(frozen=True)
class CountingRule:
    """What a release total counts, and which releases and figures enter it.

    >>> CountingRule(what="political").noun
    'Viasna-recognised political prisoners freed'
    """

    what: str = "freed"
    basis: str = "best"
    include_foreign_nationals: bool = True
    include_released_home: bool = True
    min_confidence: str = "low"

    def __post_init__(self) -> None:
        for name, allowed in (
            ("what", COUNT_WHAT),
            ("basis", COUNT_BASES),
            ("min_confidence", CONFIDENCE),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"CountingRule.{name} must be one of {tuple(allowed)}, not {getattr(self, name)!r}"
                )

    @classmethod
    def from_params(cls, params: Any) -> CountingRule:
        """The rule a notebook's parameters ask for (parameters it does not have keep the default)."""
        values = params if isinstance(params, Mapping) else vars(params)
        names = {"count_what": "what", "count_basis": "basis"}
        chosen = {names.get(k, k): v for k, v in values.items() if names.get(k, k) in _FIELDS}
        return cls(**chosen)

    @property
    def noun(self) -> str:
        """What the total counts, e.g. ``"people freed"``."""
        return COUNT_WHAT[self.what]

    def words(self) -> str:
        """The rule in words, for subtitles, sidecars and the README."""
        once = (
            "a person pardoned twice counts twice"
            if self.what == "pardoned"
            else "each person once"
        )
        parts = [f"{self.noun}, {once}", COUNT_BASES[self.basis]]
        if not self.include_foreign_nationals:
            parts.append("foreign nationals left out")
        if not self.include_released_home:
            parts.append("people who stayed in Belarus left out")
        if self.min_confidence != "low":
            parts.append(f"only releases resting on {CONFIDENCE[self.min_confidence]}")
        parts.append("the Aug 2024 East-West swap left out")
        return "; ".join(parts)


_FIELDS = {f.name for f in fields(CountingRule)}

#: The rule with every default: what the committed figures count.
DEFAULT_RULE = CountingRule()
