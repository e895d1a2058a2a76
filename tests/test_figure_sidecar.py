"""belthaw.figure.sidecar: references, citation, the record, the .md, the folder index."""

from __future__ import annotations

import json

import pytest

from belthaw.charts.figtext import FigureText
from belthaw.errors import BelthawError
from belthaw.figure import sidecar

TEXT = FigureText(
    title="Releases rose | sharply",
    subtitle="scope words",
    caption="how to read it",
    alt="alt [words]",
    notes=("a note",),
    source_ids=("s1;s2", "s2"),
)
REFS = [{"source_id": "s1", "publisher": "AP", "title": "Freed?", "published": "2025-01-02", "url": "https://x"}]  # fmt: skip
LICENCE = {"name": "CC-BY-4.0", "title": "Attribution", "url": "https://cc"}


def make_record(text=TEXT, **over):
    kw = dict(text=text, publishers=["AP", "Viasna"], source="Source: AP; Viasna",
              params_json='{"start": "2024-07-01"}', data_version="v1", notebook="01_releases.ipynb",
              as_of="2026-01-20", size="a4-full", formats=["png", "svg"], notes=list(text.notes),
              refs=REFS, licence=LICENCE)  # fmt: skip
    kw.update(over)
    return sidecar.record("01-releases", **kw)


@pytest.mark.parametrize(
    ("ids", "expected"),
    [(["a;b", "b", " c "], ["a", "b", "c"]), (["x; y"], ["x", "y"]), ([";", ""], [])],
)
def test_split_ids(ids, expected):
    assert sidecar.split_ids(ids) == expected


def test_references_follow_the_ids_and_blank_missing_cells():
    rows = [{"source_id": "b", "publisher": "BBC", "title": float("nan")}, {"source_id": "a", "publisher": "AP"}]  # fmt: skip
    refs = sidecar.references(rows, ["b;a", "zz"])
    assert [r["source_id"] for r in refs] == ["b", "a"]
    assert refs[0]["title"] == "" and refs[1]["url"] == ""
    assert list(refs[0]) == list(sidecar.REFERENCE_FIELDS)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (
            {"publisher": "AP", "title": "Freed?", "published": "2025-01-02"},
            "AP. Freed? 2025-01-02.",
        ),
        (
            {"publisher": "Site X", "original_publisher": "AP", "title": "T"},
            "AP (read via Site X). T.",
        ),
        (
            {"publisher": "AP News", "original_publisher": "AP", "url": "https://u"},
            "AP News. https://u",
        ),
    ],
)
def test_reference_text(ref, expected):
    assert sidecar.reference_text(ref) == expected


@pytest.mark.parametrize(("licence", "tail"), [("CC-BY-4.0", ", CC-BY-4.0"), ("", "2026-01-20")])
def test_citation(licence, tail):
    assert sidecar.citation(" A\n title ", "v1", "2026-01-20", licence).endswith(tail)


def test_record_keeps_the_keys_the_briefing_reads_and_adds_the_new_ones():
    rec = make_record()
    for key in ("schema", "name", "title", "subtitle", "caption", "alt", "notes", "source_line",
                "publishers", "source_ids", "references", "parameters", "data_version", "as_of",
                "notebook", "size", "formats", "licence", "citation"):  # fmt: skip
        assert key in rec, key
    assert rec["source_ids"] == ["s1", "s2"]
    assert rec["parameters"] == {"start": "2024-07-01"}
    assert rec["size"]["png_px"] == [1890, 1260]
    assert (rec["edited"], rec["data_csv"], rec["files"]) == ([], None, {})


def test_md_carries_every_word_and_the_new_sections():
    text = TEXT.edit(title="Mine", caption="My reading")
    rec = make_record(text, data_csv="01-releases-data.csv")
    md = sidecar.render_md(rec, ["01-releases.png", "01-releases-data.csv", "01-releases.md"])
    assert md.startswith("# Mine\n\nscope words\n\n![alt (words)](01-releases.png)")
    for must in ("My reading", "alt [words]", "- a note", rec["citation"], "Data licence: CC-BY-4.0",
                 "On the figure: Source: AP; Viasna", "1. AP\n2. Viasna",
                 "1. AP. Freed? 2025-01-02. https://x (`s1`)", "| `start` | 2024-07-01 |",
                 "| data version | `v1` |", "16 x 10.7 cm", "- [01-releases-data.csv](01-releases-data.csv)"):  # fmt: skip
        assert must in md, must
    assert "## Edited by hand\n\nWritten in the notebook, not generated from the data: title, caption." in md  # fmt: skip
    assert "## Data\n\nThe rows drawn: [01-releases-data.csv](01-releases-data.csv)." in md


def test_md_without_edits_or_data_has_neither_section():
    md = sidecar.render_md(make_record(), ["01-releases.png"])
    assert "Edited by hand" not in md and "## Data\n" not in md


def test_read_record_refuses_what_is_not_one(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"schema": "other"}))
    (tmp_path / "b.json").write_text("{")
    for name, match in (("a", "not a figure record of layout"), ("b", "invalid JSON"), ("c", "no figure record")):  # fmt: skip
        with pytest.raises(BelthawError, match=match):
            sidecar.read_record(tmp_path / f"{name}.json")


def test_write_index_lists_the_records_of_its_folder_only(tmp_path):
    for name, formats, folder in (("b-second", ["png", "svg"], tmp_path), ("a-first", ["svg"], tmp_path),
                                  ("talk", ["png"], tmp_path / "set")):  # fmt: skip
        folder.mkdir(exist_ok=True)
        rec = make_record(formats=formats)
        rec["name"] = name
        (folder / f"{name}.json").write_text(sidecar.render_json(rec))
    (tmp_path / "datapackage.json").write_text("{}")  # not a record: left out
    index = sidecar.write_index(tmp_path)
    rows = [ln for ln in index.read_text().splitlines() if ln.startswith("| ") and "---" not in ln][
        1:
    ]
    assert len(rows) == 2 and "a-first" in rows[0] and "b-second" in rows[1]
    assert "[![" not in rows[0] and "[svg](a-first.svg) [md](a-first.md)" in rows[0]
    assert "`01_releases.ipynb`" in rows[1] and "`set`" not in index.read_text()
    assert "(talk.png)" in sidecar.write_index(tmp_path / "set").read_text()
    before = index.read_bytes()
    assert sidecar.write_index(tmp_path).read_bytes() == before


def test_write_index_of_an_empty_folder(tmp_path):
    assert "(no figures yet)" in sidecar.write_index(tmp_path / "none").read_text()
