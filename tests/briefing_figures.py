"""A small folder of figures as the notebooks save them, for the briefing tests.

Each figure has its JSON record, a PNG and a one-page vector PDF (drawn by matplotlib
with a marker text, so a test can tell the figure's own text on the pack's pages), an
SVG, and the exchanges and totals tables. Every value is made up here.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

VERSION, AS_OF = "1.0.0+abc", "2026-03-19"
LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "url": "https://creativecommons.org/licenses/by/4.0/"}  # fmt: skip
STORY = ["01-releases", "01-cumulative", "03-exchanges", "05-totals"]
TITLES = {
    "01-releases": "120 people freed in 9 releases; at least 900 are still held",
    "01-cumulative": "120 people freed by March 2026; 3 of 3 published totals agree",
    "03-exchanges": "In 4 of 6 exchanges the release came the same day",
    "05-totals": "5 of 7 published totals agree with our sum",
}


def ref(i: int, publisher: str, original: str = "", **extra: str) -> dict[str, str]:
    return {"source_id": f"src-{i:03d}", "publisher": publisher, "title": f"Report number {i}",
            "author": "", "published": f"2025-{1 + i % 12:02d}-01", "url": f"https://example.org/{i}",
            "tier": "original", "original_publisher": original, "original_title": "",
            "original_published": "", **extra}  # fmt: skip


def record(name: str, title: str, refs: list[dict], **extra) -> dict:
    pubs = list(dict.fromkeys(r["original_publisher"] or r["publisher"] for r in refs))
    rec = {
        "schema": "belthaw-figure-record/1", "name": name, "title": title,
        "subtitle": "made up", "caption": f"How to read {name}.", "alt": f"Chart {name}.",
        "notes": [], "publishers": pubs, "source_ids": [r["source_id"] for r in refs],
        "references": refs, "data_version": VERSION, "as_of": AS_OF,
        "notebook": f"{name[:2]}_x.ipynb", "formats": ["png", "svg", "pdf"],
        "size": {"name": "a4-full", "width_cm": 16.0, "height_cm": 9.0},
        "licence": LICENCE,
        "citation": f'Workbook, Figure "{title}", data version {VERSION}, CC-BY-4.0',
    }  # fmt: skip
    return {**rec, **extra}


def draw(folder: Path, name: str, marker: str) -> None:
    fig = Figure(figsize=(16 / 2.54, 9 / 2.54))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [0, 2, 1])
    ax.set_title(marker)
    fig.savefig(folder / f"{name}.pdf", metadata={"CreationDate": None})
    fig.savefig(folder / f"{name}.png", dpi=40)
    (folder / f"{name}.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def write_figure(folder: Path, rec: dict) -> None:
    """A record with its files; ``files`` given as name -> sha256 when the record has none."""
    name = rec["name"]
    if not (folder / f"{name}.pdf").exists():
        draw(folder, name, f"MARK-{name}")
    (folder / f"{name}.md").write_text(f"# {rec['title']}\n", encoding="utf-8")
    if "files" not in rec:
        names = [f"{name}.{e}" for e in rec["formats"]] + [rec.get("data_csv") or ""]
        rec = {**rec, "files": {n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
                                for n in names if n}}  # fmt: skip
    (folder / f"{name}.json").write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")


def make_figures(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    many = [ref(i, f"Outlet {i % 9}", "Wire A" if i % 3 == 0 else "") for i in range(1, 21)]
    write_csv(folder / "01-releases-data.csv", [
        {"date": f"2025-0{k}-10", "release": f"Release {k}", "people": str(10 * k),
         "confidence": "high", "source_ids": f"src-00{k}"} for k in range(1, 6)])  # fmt: skip
    write_csv(folder / "03-exchanges-pairs.csv", [
        {"concession_date": "2025-02-12", "concession_title": "A visit " * 30, "release_date": "2025-02-12",
         "release_title": "Three freed after a long night " * 8, "release_count": "3", "lag_days": "-4", "link": "reported"}])  # fmt: skip
    write_csv(folder / "05-totals-table.csv", [
        {"publisher": "Wire A", "as_of": "2025-09-15", "since": "2024-07-01", "scope": "all_releases",
         "value": "1200", "itemized": "1190", "difference": "-10", "verdict": "consistent"}])  # fmt: skip
    for name in STORY:
        extra = {"data_csv": "01-releases-data.csv"} if name == "01-releases" else {}
        refs = many if name.startswith("01") else many[:3]
        caption = "How to read it; all rows are in 05-totals-table.csv beside this figure."
        rec = record(name, TITLES[name], refs, **extra)
        if name == "05-totals":
            rec["caption"] = caption
        write_figure(folder, rec)
    return folder


def shared_figures(tmp_path_factory) -> Path:
    """One folder of these figures per test session (and xdist worker); tests never change it."""
    folder = tmp_path_factory.getbasetemp() / "briefing-figures"
    if not (folder / "done").exists():
        make_figures(folder)
        (folder / "done").write_text("")
    return folder
