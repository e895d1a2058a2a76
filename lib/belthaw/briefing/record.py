"""What the pack says, gathered once: figures in story order, tables, references, citation.

The HTML, PDF and Word renderers only lay out a :class:`Pack`; every word they print
comes from the figures' JSON records (``<name>.json``, :mod:`belthaw.figure.sidecar`)
and the tables saved beside them, so the three formats cannot say different things.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BelthawError
from ..figure.sidecar import WORKBOOK, read_record, reference_text

#: The order of the story: what was released, how it adds up, what the US gave, how the
#: two line up, everything on one page, then where the sources disagree. A figure not
#: listed here (a chart added later) follows, by name.
STORY_ORDER: tuple[str, ...] = (
    "01-releases",
    "01-cumulative",
    "02-relief-steps",
    "03-exchanges",
    "04-overview",
    "05-claims",
    "05-totals",
)

#: Short section headings: the finding itself is printed on the figure (and on the
#: findings page), so the heading names the topic instead of repeating the title.
TOPICS: dict[str, str] = {
    "01-releases": "Releases",
    "01-cumulative": "Running total",
    "02-relief-steps": "US relief steps and European pressure",
    "03-exchanges": "Exchanges: US steps and releases",
    "04-overview": "Overview",
    "05-claims": "Where sources disagree: size of releases",
    "05-totals": "Where sources disagree: published totals",
}

TITLE = "Briefing pack: US–Belarus prisoner releases and sanctions relief"

#: How many publishers a source line names before pointing to the reference list.
MAX_NAMES = 6


@dataclass(frozen=True)
class TableSpec:
    """A CSV saved beside a figure that the pack prints as a real table."""

    file: str  # e.g. "03-exchanges-pairs.csv", beside the figures
    after: str  # figure it follows
    caption: str
    #: (column, header) in print order; a column the file lacks is left out.
    columns: tuple[tuple[str, str], ...]
    #: columns printed right-aligned (numbers)
    numeric: tuple[str, ...] = ()


#: The two tables analysts quote most.
TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "03-exchanges-pairs.csv",
        "03-exchanges",
        "Each recorded exchange: the US step, the release paired with it, and the days "
        "between them (negative: the release came first). Link: how firmly the sources "
        "tie the two (explicit, reported, or inferred by us).",
        (
            ("concession_date", "US step date"),
            ("concession_title", "US step"),
            ("release_date", "Release date"),
            ("release_title", "Release"),
            ("release_count", "People"),
            ("lag_days", "Days"),
            ("link", "Link"),
        ),
        numeric=("release_count", "lag_days"),
    ),
    TableSpec(
        "05-totals-table.csv",
        "05-totals",
        "Published totals against our release-by-release sum over the same window. "
        "Difference: our sum minus the published total.",
        (
            ("publisher", "Published by"),
            ("as_of", "As of"),
            ("since", "Since"),
            ("scope", "Counts"),
            ("value", "Published"),
            ("itemized", "Our sum"),
            ("difference", "Difference"),
            ("verdict", "Verdict"),
        ),
        numeric=("value", "itemized", "difference"),
    ),
)


@dataclass
class Table:
    number: int
    spec: TableSpec
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]

    @property
    def caption(self) -> str:
        return f"Table {self.number}. {self.spec.caption}"


@dataclass
class Figure:
    """One figure of the pack: its record, its number in the story, its reference numbers."""

    number: int
    record: dict[str, Any]
    folder: Path
    ref_numbers: list[int] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    #: file name -> what the pack calls it ("05-totals-table.csv" -> "Table 2")
    renames: dict[str, str] = field(default_factory=dict)

    def _pack_words(self, text: str) -> str:
        """Text with the tables' file names replaced by the pack's table numbers.

        A caption that sends the reader to "05-totals-table.csv beside this figure" is
        right beside the figure files, not in a briefing, where the table is printed.
        """
        for file, label in self.renames.items():
            text = re.sub(rf"{re.escape(file)}(?: beside this figure)?", label, text)
        return text

    @property
    def name(self) -> str:
        return str(self.record["name"])

    @property
    def title(self) -> str:
        return str(self.record["title"])

    @property
    def topic(self) -> str:
        return TOPICS.get(self.name, self.name)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.topic}"

    @property
    def label(self) -> str:
        return f"Figure {self.number}"

    @property
    def caption_text(self) -> str:
        """How to read it (the finding is on the figure itself)."""
        return self._pack_words(str(self.record["caption"]))

    @property
    def caption(self) -> str:
        """'Figure 3. How to read it'."""
        return f"{self.label}. {self.caption_text}".strip()

    @property
    def notes(self) -> list[str]:
        return [self._pack_words(str(n)) for n in self.record["notes"]]

    @property
    def alt(self) -> str:
        return str(self.record["alt"] or self.record["title"])

    @property
    def width_cm(self) -> float:
        return float(self.record["size"]["width_cm"])

    @property
    def height_cm(self) -> float:
        return float(self.record["size"]["height_cm"])

    @property
    def source_line(self) -> str:
        """The source line as the pack prints it: the rest is in the reference list, not a file."""
        names = list(self.record["publishers"])
        line = "; ".join(names[:MAX_NAMES])
        rest = len(names) - MAX_NAMES
        if rest > 0:
            line += f" and {rest} other{'s' if rest != 1 else ''} (see References)"
        return line

    @property
    def refs_line(self) -> str:
        """'References 1, 4-7, 12' (numbers in the pack's reference list)."""
        return _ranges(self.ref_numbers)

    @property
    def citation(self) -> str:
        return str(self.record["citation"])

    @property
    def provenance(self) -> str:
        r = self.record
        return (
            f"Data version {r['data_version']}, data as of {r['as_of']}; "
            f"notebook {r['notebook']}; size {r['size']['name']} "
            f"({r['size']['width_cm']:g} × {r['size']['height_cm']:g} cm)."
        )

    def file(self, ext: str) -> Path:
        return self.folder / f"{self.name}.{ext}"


@dataclass
class Reference:
    number: int
    ref: dict[str, str]
    figures: list[int]

    @property
    def text(self) -> str:
        return reference_text(self.ref)

    @property
    def cited_in(self) -> str:
        f = self.figures
        return ("Figure " if len(f) == 1 else "Figures ") + ", ".join(map(str, f))


@dataclass
class Pack:
    set_name: str
    folder: Path
    figures: list[Figure]
    tables: list[Table]
    references: list[Reference]
    data_version: str
    as_of: str
    licence: dict[str, str]

    @property
    def title(self) -> str:
        return TITLE

    @property
    def subtitle(self) -> str:
        n = len(self.figures)
        s = f"{n} figure{'s' if n != 1 else ''}"
        if self.tables:
            s += f", {len(self.tables)} table{'s' if len(self.tables) != 1 else ''}"
        s += f" and {len(self.references)} references"
        return (
            f"Data as of {self.as_of} · data version {self.data_version} · "
            f"parameter set '{self.set_name}' · {s}"
        )

    @property
    def licence_line(self) -> str:
        lic = self.licence
        if not lic.get("name"):
            return f"Figures and tables from the {WORKBOOK}."
        return (
            f"Figures and tables from the {WORKBOOK}; data licensed {lic['name']}"
            + (f" ({lic['url']})" if lic.get("url") else "")
            + ". Credit the workbook and the sources below; each source keeps its own rights."
        )

    @property
    def how_to_use(self) -> str:
        return (
            "Each figure is printed at the width it was drawn for (16 cm on A4); its title "
            "is the finding. Paste a figure with its numbered caption, and cite it with the "
            "line under it. Source lines name the publishers behind most of the drawn rows; "
            "the full list is in the References at the end."
        )


def _ranges(nums: list[int]) -> str:
    """'1–3, 5, 7–8' from [1, 2, 3, 5, 7, 8].

    >>> _ranges([1, 2, 3, 5, 7, 8])
    '1–3, 5, 7–8'
    """
    out: list[str] = []
    nums = sorted(set(nums))
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(out)


def _story_key(name: str) -> tuple[int, str]:
    return (STORY_ORDER.index(name) if name in STORY_ORDER else len(STORY_ORDER), name)


def records(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every figure record in ``folder``, in story order; errors say how to get them."""
    folder = Path(folder)
    mds = [p for p in folder.glob("*.md") if p.name.casefold() != "readme.md"]
    if not mds:
        raise BelthawError(
            f"no figures in {folder}: run `belthaw run` first (the pack is built from them)"
        )
    found = [(md.with_suffix(".json"), read_record(md.with_suffix(".json"))) for md in mds]
    return sorted(found, key=lambda pr: _story_key(str(pr[1]["name"])))


def _check_one_version(recs: list[dict[str, Any]], folder: Path) -> tuple[str, str]:
    """The data version (and date) every record shares; mixing versions is refused."""
    by_version: dict[str, list[str]] = {}
    for r in recs:
        by_version.setdefault(str(r["data_version"]), []).append(str(r["name"]))
    if len(by_version) > 1:
        listed = "; ".join(f"{v}: {', '.join(names)}" for v, names in sorted(by_version.items()))
        raise BelthawError(
            f"the figures in {folder} come from different data versions ({listed}); a pack "
            "must describe one version of the data: re-run the notebooks "
            "(`belthaw run --force`) so every figure is made from the current data"
        )
    as_ofs = sorted({str(r["as_of"]) for r in recs})
    return next(iter(by_version)), as_ofs[-1]


def _read_table(folder: Path, spec: TableSpec, number: int) -> Table | None:
    path = folder / spec.file
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cols = [(c, h) for c, h in spec.columns if rows and c in rows[0]]
    if not cols:
        return None
    return Table(
        number=number,
        spec=spec,
        header=[h for _, h in cols],
        rows=[[_cell(r[c], c in spec.numeric) for c, _ in cols] for r in rows],
        numeric=[c in spec.numeric for c, _ in cols],
    )


def _cell(value: str, numeric: bool) -> str:
    v = " ".join(str(value).split())
    if numeric and v.lstrip("-").isdigit():
        n = int(v)
        return f"{n:,}".replace("-", "−")  # a true minus sign: a hyphen reads as a dash
    if v in ("True", "False"):
        return "yes" if v == "True" else "no"
    return v.replace("_", " ")


def load_pack(folder: Path, set_name: str = "default") -> Pack:
    """The pack for the figures in ``folder``: numbered, ordered, with tables and references."""
    folder = Path(folder)
    recs = [r for _, r in records(folder)]
    version, as_of = _check_one_version(recs, folder)
    figures = [Figure(i, r, folder) for i, r in enumerate(recs, 1)]

    # One reference list for the whole pack, sorted by who wrote the piece, then date:
    # a reader looks up "AP, December 2025", not a figure's internal order.
    refs: dict[str, dict[str, str]] = {}
    cited: dict[str, list[int]] = {}
    for f in figures:
        for ref in f.record["references"]:
            sid = ref["source_id"]
            refs.setdefault(sid, ref)
            cited.setdefault(sid, [])
            if f.number not in cited[sid]:
                cited[sid].append(f.number)

    def key(ref: dict[str, str]) -> tuple:
        who = ref.get("original_publisher") or ref.get("publisher", "")
        return (who.casefold(), ref.get("published", ""), ref.get("title", "").casefold())

    ordered = sorted(refs.values(), key=lambda r: (*key(r), r["source_id"]))
    references = [Reference(i, r, cited[r["source_id"]]) for i, r in enumerate(ordered, 1)]
    number = {r.ref["source_id"]: r.number for r in references}
    for f in figures:
        f.ref_numbers = sorted(number[r["source_id"]] for r in f.record["references"])

    tables: list[Table] = []
    by_name = {f.name: f for f in figures}
    for spec in TABLE_SPECS:
        if spec.after not in by_name:
            continue
        t = _read_table(folder, spec, len(tables) + 1)
        if t is not None:
            tables.append(t)
            by_name[spec.after].tables.append(t)
    for f in figures:
        f.renames = {t.spec.file: f"Table {t.number}" for t in tables}

    licence = figures[0].record["licence"]
    return Pack(set_name, folder, figures, tables, references, version, as_of, dict(licence))


def inputs_digest(pack: Pack, formats: list[str]) -> str:
    """A digest of everything the pack is made from: records, figure files, tables, this code.

    Equal digests mean an identical pack, so ``belthaw brief`` can skip the build.
    """
    h = hashlib.sha256()
    h.update(json.dumps(formats).encode())
    code = sorted(Path(__file__).parent.glob("*.py"))
    for p in code:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    for f in pack.figures:
        for ext in ("json", *f.record["formats"]):
            p = f.file(ext)
            h.update(p.name.encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest() if p.exists() else b"-")
    for t in pack.tables:
        p = pack.folder / t.spec.file
        h.update(p.name.encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()
