"""What the sources published after a day changed: :func:`changes_since`.

The next briefing says what is new since the last one. The data before is the replay
:func:`~belthaw.transforms.as_of.as_published_by` gives for the day, the data after is
the package as it stands; the difference is told as events added, counts revised,
links changed and the headline numbers before and after, with the sources that brought
each change. Pure: Datasets in, frames and a Markdown table out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data import Dataset
from .as_of import as_of_phrase, as_published_by, parse_day, publication_dates
from .headline import default_headlines

ADDED_COLUMNS = [
    "event_id", "date", "kind", "short_label", "count", "count_precision", "source_ids",
]  # fmt: skip
REVISED_COLUMNS = [
    "event_id", "date", "short_label", "old_count", "old_precision", "new_count",
    "new_precision", "source_ids",
]  # fmt: skip
LINK_COLUMNS = [
    "exchange_id", "concession_event_id", "release_event_id", "label", "old_link", "new_link",
    "source_ids",
]  # fmt: skip
HEADLINE_COLUMNS = ["what", "before", "before_lower_bound", "after", "after_lower_bound"]


@dataclass(frozen=True)
class Changes:
    """The changes since ``since``: one frame per kind, ``source_ids`` naming the sources
    published after the day that brought each change (``;``-joined)."""

    since: pd.Timestamp
    added: pd.DataFrame
    revised: pd.DataFrame
    links: pd.DataFrame
    headlines: pd.DataFrame
    credit: dict[str, str]  # source id -> publisher a citation names

    @property
    def empty(self) -> bool:
        """Nothing was added or revised, and no headline moved."""
        moved = (self.headlines["before"] != self.headlines["after"]).any()
        return self.added.empty and self.revised.empty and self.links.empty and not moved

    def to_markdown(self) -> str:
        """A short table to paste under "since our last briefing" (headlines first)."""
        rows = self.rows()
        lines = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * len(rows[0]))
        return "\n".join(lines) + "\n"

    def rows(self) -> list[tuple[str, str, str, str]]:
        """The table as rows of text, header first: the markdown table and the pack's."""
        phrase = as_of_phrase(self.since)
        then = phrase[:1].upper() + phrase[1:]
        rows = [("What changed", then, "Now", "New sources")]
        for h in self.headlines.itertuples():
            before, after = (
                _number(h.before, h.before_lower_bound),
                _number(h.after, h.after_lower_bound),
            )
            rows.append((h.what.capitalize(), before, after, ""))
        for a in self.added.itertuples():
            now = _count_text(a.count, a.count_precision) if a.kind == "release" else "recorded"
            rows.append((f"New: {a.short_label} ({_day(a.date)})", "none", now, self._who(a)))
        for r in self.revised.itertuples():
            rows.append(
                (
                    f"Count revised: {r.short_label} ({_day(r.date)})",
                    _count_text(r.old_count, r.old_precision),
                    _count_text(r.new_count, r.new_precision),
                    self._who(r),
                )
            )
        for x in self.links.itertuples():
            rows.append((f"Link: {x.label}", x.old_link or "none", x.new_link, self._who(x)))
        return rows

    def _who(self, row) -> str:
        ids = [i for i in str(row.source_ids).split(";") if i]
        return ", ".join(dict.fromkeys(self.credit.get(i, i) for i in ids if self.credit.get(i, i)))


def changes_since(data: Dataset, day) -> Changes:
    """What the data published after ``day`` changed (``day`` as for ``as_published_by``)."""
    since = parse_day(day)
    if since is None:
        raise ValueError("changes_since needs a day (YYYY-MM-DD), not an empty value")
    before = as_published_by(data, since)
    published = publication_dates(data.sources, data.events)
    new_src = set(data.sources.loc[(published > since).to_numpy(), "source_id"].astype(str))
    return Changes(
        since=since,
        added=_added(before.events, data.events, new_src),
        revised=_revised(before.events, data.events, data.claims, new_src),
        links=_links(before.exchanges, data.exchanges, data.events, new_src),
        headlines=_headlines(before, data),
        credit=data.credited_publishers(),
    )


def label(events: pd.DataFrame) -> pd.Series:
    """Each event's chart label: its ``short_label``, else its title."""
    short = events["short_label"].astype(str)
    return short.where(short != "", events["title"].astype(str))


def _only(ids: pd.Series, keep: set[str]) -> pd.Series:
    """Each ``;``-joined list reduced to the ids in ``keep``."""
    return ids.astype(str).str.split(";").map(lambda xs: ";".join(x for x in xs if x in keep))


def _added(old: pd.DataFrame, new: pd.DataFrame, new_src: set[str]) -> pd.DataFrame:
    out = new[~new["event_id"].isin(old["event_id"]).to_numpy()].copy()
    out["short_label"] = label(out)
    # An event dated after the day may rest on older sources too; those did not bring it.
    brought = _only(out["source_ids"], new_src)
    out["source_ids"] = brought.where(brought != "", out["source_ids"].astype(str))
    out = out.sort_values(["date", "event_id"], kind="stable")
    return out[ADDED_COLUMNS].reset_index(drop=True)


def _revised(
    old: pd.DataFrame, new: pd.DataFrame, claims: pd.DataFrame, new_src: set[str]
) -> pd.DataFrame:
    """Releases whose count or its precision changed; credited to the new sources with a
    count claim on the release, else to every new source of the release."""
    both = new.merge(
        old[["event_id", "count", "count_precision"]], on="event_id", suffixes=("", "_old")
    )
    both = both[both["kind"].astype(str) == "release"]
    moved = (
        both["count"].astype("Float64").fillna(-1) != both["count_old"].astype("Float64").fillna(-1)
    ) | (both["count_precision"].astype(str) != both["count_precision_old"].astype(str))
    both = both[moved.to_numpy()].copy()
    both["short_label"] = label(both)
    is_count = claims["field"].astype(str) == "count"
    claimed = claims[is_count.to_numpy() & claims["source_id"].astype(str).isin(new_src).to_numpy()]
    by_claim = claimed.groupby("event_id")["source_id"].agg(";".join)
    fallback = _only(both["source_ids"], new_src)
    both["source_ids"] = both["event_id"].map(by_claim).fillna(fallback).astype(str)
    out = both.rename(columns={"count_old": "old_count", "count": "new_count"}).assign(
        old_precision=both["count_precision_old"].astype(str),
        new_precision=both["count_precision"].astype(str),
    )
    return out.sort_values(["date", "event_id"])[REVISED_COLUMNS].reset_index(drop=True)


def _links(
    old: pd.DataFrame, new: pd.DataFrame, events: pd.DataFrame, new_src: set[str]
) -> pd.DataFrame:
    """Exchanges added or whose link strength changed (``old_link`` "" when added);
    ``label`` names the pair as "US step -> release" in the events' short labels."""
    both = new.merge(
        old[["exchange_id", "link"]], on="exchange_id", how="left", suffixes=("", "_old")
    )
    old_link = both["link_old"].astype(object).where(both["link_old"].notna(), "").astype(str)
    changed = old_link != both["link"].astype(str)
    out = both[changed.to_numpy()].copy()
    out["old_link"], out["new_link"] = old_link[changed], out["link"].astype(str)
    out["source_ids"] = _only(out["source_ids"], new_src)
    short = label(events).set_axis(events["event_id"])
    out["label"] = (
        out["concession_event_id"].map(short).fillna(out["concession_event_id"])
        + " -> "
        + out["release_event_id"].map(short).fillna(out["release_event_id"])
    )
    return out[LINK_COLUMNS].reset_index(drop=True)


def _headlines(before, after) -> pd.DataFrame:
    rows = [
        (b.what, b.value, b.lower_bound, a.value, a.lower_bound)
        for b, a in zip(default_headlines(before), default_headlines(after), strict=True)
    ]
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def _count_text(count, precision) -> str:
    if pd.isna(count) or str(precision) == "unknown":
        return "unknown"
    word = {"at_least": "at least ", "approx": "about "}.get(str(precision), "")
    return f"{word}{int(count):,}"


def _number(value: int, lower_bound: bool) -> str:
    return f"{'at least ' if lower_bound else ''}{value:,}"


def _day(ts) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def _cell(text: str) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")
