"""What the pack says, gathered once from the figures' JSON records and the files beside them.

The HTML, PDF and Word renderers only lay out a :class:`Pack`, so the three formats
cannot say different things.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue import FIGURES
from ..errors import BelthawError
from ..figure.sidecar import WORKBOOK, read_record, reference_text

#: Section headings: the topic (the finding is printed on the figure itself).
TOPICS = {f.name: f.topic for f in FIGURES}
TITLE = "Briefing pack: US–Belarus prisoner releases and sanctions relief"
#: Publishers named under a figure; every source is in the numbered list at the end.
MAX_NAMES = 6
#: A fact-check sheet shows this many rows and columns of a figure's data, the rest is in its CSV.
CHECK_ROWS, CHECK_COLS, CHECK_CELL, CHECK_NAMES = 30, 6, 40, 12
#: CSVs saved beside a figure that the pack prints as tables: file -> (the figure it follows,
#: caption, {column: header}, numeric columns). A column the file lacks is left out.
TABLES = {
    "03-exchanges-pairs.csv": (
        "03-exchanges",
        "Each recorded exchange: the US step, the release paired with it, and the days "
        "between them (negative: the release came first). Link: how firmly the sources "
        "tie the two (explicit, reported, or inferred by us).",
        {"concession_date": "US step date", "concession_title": "US step",
         "release_date": "Release date", "release_title": "Release",
         "release_count": "People", "lag_days": "Days", "link": "Link"},
        ("release_count", "lag_days"),
    ),
    "05-totals-table.csv": (
        "05-totals",
        "Published totals against our release-by-release sum over the same window. "
        "Difference: our sum minus the published total.",
        {"publisher": "Published by", "as_of": "As of", "since": "Since", "scope": "Counts",
         "value": "Published", "itemized": "Our sum", "difference": "Difference",
         "verdict": "Verdict"},
        ("value", "itemized", "difference"),
    ),
}  # fmt: skip


@dataclass
class Table:
    number: int
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    file: str = ""


@dataclass
class Figure:
    """One figure: its record, its number in the story, and the tables printed after it."""

    number: int
    record: dict[str, Any]
    folder: Path
    tables: list[Table] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)  # table file -> "Table 2"

    def _words(self, text: str) -> str:
        # "see 05-totals-table.csv beside this figure" is true beside the files; in the pack
        # the table is printed, so the reader is sent to it by number.
        for file, label in self.renames.items():
            text = re.sub(rf"{re.escape(file)}(?: beside this figure)?", label, text)
        return text

    name = property(lambda self: str(self.record["name"]))
    title = property(lambda self: str(self.record["title"]))
    topic = property(lambda self: TOPICS.get(self.name, self.name))
    heading = property(lambda self: f"{self.number}. {self.topic}")
    label = property(lambda self: f"Figure {self.number}")
    caption_text = property(lambda self: self._words(str(self.record["caption"])))
    notes = property(lambda self: [self._words(str(n)) for n in self.record["notes"]])
    alt = property(lambda self: str(self.record.get("alt") or self.title))
    width_cm = property(lambda self: float(self.record["size"]["width_cm"]))
    citation = property(lambda self: str(self.record["citation"]))
    formats = property(lambda self: list(self.record["formats"]))
    data_csv = property(lambda self: str(self.record.get("data_csv") or ""))

    @property
    def source_line(self) -> str:
        """A few publishers; the full numbered list is once, at the end of the pack."""
        names, rest = self.record["publishers"], len(self.record["publishers"]) - MAX_NAMES
        more = f" and {rest} more" if rest > 0 else ""
        return "; ".join(names[:MAX_NAMES]) + more + " (all sources under References)"

    @property
    def provenance(self) -> str:
        r, s = self.record, self.record["size"]
        text = (f"Data version {r['data_version']}, data as of {r['as_of']}; notebook "
                f"{r['notebook']}; size {s['name']} ({s['width_cm']:g} × {s['height_cm']:g} cm).")  # fmt: skip
        if r.get("edited"):
            text += f" Edited by the analyst: {', '.join(map(str, r['edited']))}."
        return text

    def file(self, ext: str) -> Path:
        return self.folder / f"{self.name}.{ext}"


def figures_label(numbers: list[int]) -> str:
    """'Figure 2', 'Figures 1, 2, 5'."""
    return f"Figure{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


@dataclass
class Reference:
    number: int
    ref: dict[str, str]
    figures: list[int]
    text = property(lambda self: reference_text(self.ref))
    cited_in = property(lambda self: figures_label(self.figures))


@dataclass
class Finding:
    text: str
    figures: list[int]
    label = property(lambda self: f"({figures_label(self.figures)})")


@dataclass
class FactCheck:
    """What a reader needs to check one figure's title: its drawn rows, sources and origins."""

    figure: Figure
    rows: Table | None
    more_rows: int
    source_ids: str
    origins: str


@dataclass
class Pack:
    set_name: str
    folder: Path
    figures: list[Figure]
    tables: list[Table]
    references: list[Reference]
    findings: list[Finding]
    checks: list[FactCheck]
    data_version: str
    as_of: str
    licence: dict[str, str]
    title: str = TITLE
    how_to_use = (
        "Each figure is printed at the width it was drawn for; its title is the finding. "
        "Paste a figure with its numbered caption and cite it with the line under it. "
        "The fact-check sheet lists, per figure, the rows behind its title and where they "
        "come from; the numbered references are at the end."
    )

    @property
    def subtitle(self) -> str:
        # The day the figures replay (their ``as_of`` parameter), when they all replay one.
        days = {str(f.record.get("parameters", {}).get("as_of") or "") for f in self.figures}
        day = days.pop() if len(days) == 1 else ""
        dated = (f"As the sources stood on {day} (a replay: anything published later is left out)"
                 if day else f"Data as of {self.as_of}")  # fmt: skip
        counts = f"{len(self.figures)} figures, {len(self.tables)} tables, {len(self.references)} references"
        return f"{dated} · data version {self.data_version} · parameter set '{self.set_name}' · {counts}"

    @property
    def licence_line(self) -> str:
        lic = self.licence
        if not lic.get("name"):
            return f"Figures and tables from the {WORKBOOK}."
        url = f" ({lic['url']})" if lic.get("url") else ""
        return (f"Figures and tables from the {WORKBOOK}; data licensed {lic['name']}{url}. "
                "Credit the workbook and the sources; each source keeps its own rights.")  # fmt: skip

    def input_files(self) -> list[str]:
        """Every file the pack is made from, by name in its folder."""
        figures = [f"{f.name}.{e}" for f in self.figures for e in ("json", *f.formats)]
        tables = [t.file for t in self.tables if t.file]
        return figures + tables + [f.data_csv for f in self.figures if f.data_csv]


def _facts(clause: str) -> list[tuple[str, str]]:
    """The numbers a clause states, each with the word it counts ("866 people", "5 of 9 exchanges")."""
    found = re.findall(r"(\d[\d,.]*\d|\d)\s+(?:of\s+\S+\s+)?([^\W\d]+)", clause)
    return [(n.replace(",", ""), w.casefold()) for n, w in found]


def key_findings(figures: list[Figure]) -> list[Finding]:
    """The figures' titles as findings, each headline number stated once.

    A title's clause (split at ";") whose every number was already stated by an earlier
    finding is left out; a figure left with nothing is credited to the finding that
    first stated its numbers.
    """
    seen: dict[tuple[str, str], Finding] = {}
    out: list[Finding] = []
    for f in figures:
        kept: list[str] = []
        for clause in (c.strip() for c in f.title.split(";")):
            facts = _facts(clause)
            if facts and all(x in seen for x in facts):
                first = seen[facts[0]]
                first.figures += [f.number] if f.number not in first.figures else []
            elif clause:
                kept.append(clause)
        if kept:
            text = "; ".join(kept)
            out.append(Finding(text[0].upper() + text[1:], [f.number]))
            for fact in (x for clause in kept for x in _facts(clause)):
                seen.setdefault(fact, out[-1])
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BelthawError(f"cannot read {path} ({e}); re-run `belthaw run --force`") from None


def cell(value: Any, numeric: bool = False) -> str:
    v = " ".join(str(value or "").split())
    if numeric and v.lstrip("-").isdigit():
        return f"{int(v):,}".replace("-", "−")  # a true minus: a hyphen reads as a dash
    return {"True": "yes", "False": "no"}.get(v, v.replace("_", " "))


def since_table(since: str) -> Table:
    """What the sources published after ``since`` changed, as Table 1: the headline numbers
    then and now, releases added, counts revised, links changed."""
    # Imported here: only a pack with this table loads the data (pandas).
    from ..data import load
    from ..transforms.changes import changes_since

    header, *rows = changes_since(load(), since).rows()
    caption = (f"Table 1. Since our last briefing. What the sources published after {since} "
               "changed: the headline numbers then and now, releases and steps added, counts "
               f"revised and links changed (`belthaw diff --since {since}` prints the same table).")  # fmt: skip
    return Table(1, caption, list(header), [list(r) for r in rows], [False, True, True, False])


def _fact_check(f: Figure) -> FactCheck:
    rows, more = None, 0
    if f.data_csv:
        data = read_csv(f.folder / f.data_csv)
        cols = list(data[0])[:CHECK_COLS] if data else []
        if data and "source_ids" in data[0] and "source_ids" not in cols:
            cols[-1] = "source_ids"  # the ids are what a fact-checker looks up
        short = [[cell(r[c]) for c in cols] for r in data[:CHECK_ROWS]]
        body = [
            [v if len(v) <= CHECK_CELL else v[: CHECK_CELL - 1] + "…" for v in r] for r in short
        ]
        num = [all(re.fullmatch(r"−?[\d,.]+", r[j] or "0") for r in body) for j in range(len(cols))]
        rows = Table(0, f"{f.label}: rows drawn ({f.data_csv})", [cell(c) for c in cols], body,
                     num, f.data_csv)  # fmt: skip
        more = max(0, len(data) - CHECK_ROWS)
    refs = f.record["references"]
    origins = Counter(
        r.get("origin") or r.get("original_publisher") or r["publisher"] for r in refs
    )
    listed = [f"{o} ({k})" if k > 1 else o for o, k in origins.most_common()]
    return FactCheck(f, rows, more, _some(list(f.record["source_ids"]), f"{f.name}.md"),
                     _some(listed, "References"))  # fmt: skip


def _some(items: list[str], where: str) -> str:
    """The first :data:`CHECK_NAMES` items, then how many more and where."""
    rest = len(items) - CHECK_NAMES
    return ", ".join(items[:CHECK_NAMES]) + (
        f" and {rest} more (all in {where})" if rest > 0 else ""
    )


def _check_files(f: Figure, used: set[str]) -> None:
    """A file changed after its figure's record was written would mix two figures."""
    sums = f.record.get("files")
    for name in sorted(used & set(sums)) if isinstance(sums, dict) else ():  # older: names only
        path = f.folder / name
        if hashlib.sha256(path.read_bytes()).hexdigest() != sums[name]:
            raise BelthawError(f"{path} does not match its record {f.name}.json (changed after the "
                               "figure was saved); re-run `belthaw run --force` to redraw it")  # fmt: skip


def load_pack(folder: Path, set_name: str = "default", since: str | None = None) -> Pack:
    """The pack for the figures in ``folder``: numbered, ordered, with tables and references;
    ``since`` (a day) adds, after the first figure, the table of what changed since then."""
    folder = Path(folder)
    mds = [p for p in folder.glob("*.md") if p.name.casefold() != "readme.md"]
    if not mds:
        raise BelthawError(f"no figures in {folder}: run `belthaw run` first "
                           "(the pack is built from them)")  # fmt: skip
    # In story order, as the figures are declared; figures not declared follow by name.
    order = {f.name: i for i, f in enumerate(FIGURES)}
    recs = sorted((read_record(md.with_suffix(".json")) for md in mds),
                  key=lambda r: (order.get(r["name"], len(order)), r["name"]))  # fmt: skip
    versions: dict[str, list[str]] = {}
    for r in recs:
        versions.setdefault(str(r["data_version"]), []).append(str(r["name"]))
    if len(versions) > 1:
        listed = "; ".join(f"{v}: {', '.join(n)}" for v, n in sorted(versions.items()))
        raise BelthawError(f"the figures in {folder} come from different data versions ({listed}); "
                           "a pack must describe one version of the data: re-run the notebooks "
                           "(`belthaw run --force`) so every figure is made from the current data")  # fmt: skip
    figures = [Figure(i, r, folder) for i, r in enumerate(recs, 1)]
    by_name = {f.name: f for f in figures}
    tables = [since_table(since)] if since else []
    figures[0].tables += tables
    for file, (after, caption, columns, numeric) in TABLES.items():
        rows = read_csv(folder / file) if after in by_name and (folder / file).exists() else []
        cols = [c for c in columns if rows and c in rows[0]]
        if cols:
            n = len(tables) + 1
            tables.append(Table(n, f"Table {n}. {caption}", [columns[c] for c in cols],
                                [[cell(r[c], c in numeric) for c in cols] for r in rows],
                                [c in numeric for c in cols], file))  # fmt: skip
            by_name[after].tables.append(tables[-1])
    for f in figures:
        f.renames = {t.file: f"Table {t.number}" for t in tables if t.file}
    pack = Pack(set_name, folder, figures, tables, _references(figures), key_findings(figures),
                [], next(iter(versions)), max(str(r["as_of"]) for r in recs),
                dict(figures[0].record["licence"]))  # fmt: skip
    used = set(pack.input_files())
    for f in figures:
        _check_files(f, used)
    pack.checks = [_fact_check(f) for f in figures]
    return pack


def _references(figures: list[Figure]) -> list[Reference]:
    """One numbered list, by who wrote the piece, then date: a reader looks up "AP, December
    2025", not a figure's internal order."""
    refs: dict[str, dict[str, str]] = {}
    cited: dict[str, list[int]] = {}
    for f in figures:
        for ref in f.record["references"]:
            refs.setdefault(ref["source_id"], ref)
            cited.setdefault(ref["source_id"], []).append(f.number)

    def key(r: dict[str, str]) -> tuple[str, ...]:
        who = r.get("original_publisher") or r.get("publisher", "")
        return who.casefold(), r.get("published", ""), r.get("title", "").casefold(), r["source_id"]

    ordered = sorted(refs.values(), key=key)
    return [Reference(i, r, sorted(set(cited[r["source_id"]]))) for i, r in enumerate(ordered, 1)]
