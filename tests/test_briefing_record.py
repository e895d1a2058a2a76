"""belthaw.briefing.record: what the pack says, gathered from the figures' records."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from belthaw.briefing.record import MAX_NAMES, Figure, cell, key_findings, load_pack
from belthaw.errors import BelthawError
from briefing_figures import STORY, record, ref, shared_figures, write_figure


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return shared_figures(tmp_path_factory)


@pytest.fixture
def copy(figures, tmp_path):
    shutil.copytree(figures, tmp_path / "f")
    return tmp_path / "f"


def test_figures_in_story_order_numbered_with_one_reference_list(figures):
    pack = load_pack(figures)
    assert [f.name for f in pack.figures] == STORY
    assert [f.number for f in pack.figures] == [1, 2, 3, 4]
    ids = [r.ref["source_id"] for r in pack.references]
    assert len(ids) == len(set(ids)) == 20
    first = next(r for r in pack.references if r.ref["source_id"] == "src-001")
    assert first.figures == [1, 2, 3, 4] and first.cited_in == "Figures 1, 2, 3, 4"
    # Sorted by who wrote the piece: a wire story relayed by an outlet files under the wire.
    whos = [r.ref["original_publisher"] or r.ref["publisher"] for r in pack.references]
    assert whos == sorted(whos, key=str.casefold)


def test_a_figure_outside_the_story_follows_by_name(copy):
    write_figure(copy, record("00-extra", "An extra chart", [ref(1, "X")]))
    assert [f.name for f in load_pack(copy).figures][-1] == "00-extra"


def test_tables_are_numbered_and_captions_point_to_them(figures):
    pack = load_pack(figures)
    assert [(t.number, t.file) for t in pack.tables] == [(1, "03-exchanges-pairs.csv"),
                                                         (2, "05-totals-table.csv")]  # fmt: skip
    assert pack.tables[0].header[4:6] == ["People", "Days"]
    assert pack.tables[0].rows[0][5] == "−4"  # a true minus sign
    totals = pack.figures[3]
    assert totals.tables == [pack.tables[1]]
    assert totals.caption_text == "How to read it; all rows are in Table 2."


@given(st.integers(-(10**9), 10**9))
def test_numbers_in_tables_read_back_as_the_same_number(n):
    assert int(cell(str(n), numeric=True).replace(",", "").replace("−", "-")) == n


def test_source_line_names_a_few_publishers_and_no_reference_numbers(figures):
    f = load_pack(figures).figures[0]
    pubs = f.record["publishers"]
    assert len(pubs) > MAX_NAMES
    assert f.source_line.startswith("; ".join(pubs[:MAX_NAMES]))
    assert f"and {len(pubs) - MAX_NAMES} more" in f.source_line
    assert not re.search(r"\d", re.sub(r"Outlet \d|and \d+ more", "", f.source_line))


FINDINGS = [
    # (titles in story order, expected findings as (text, figure numbers))
    (["866 people freed in 26 releases", "866 people freed by March; 7 of 7 totals agree"],
     [("866 people freed in 26 releases", [1, 2]), ("7 of 7 totals agree", [2])]),
    (["1,140 still held", "At least 1140 still held"], [("1,140 still held", [1, 2])]),
    (["866 people freed in 26 releases", "866 people freed in 26 releases as the US acted"],
     [("866 people freed in 26 releases", [1, 2])]),
    (["Sources disagree", "Sources disagree"], [("Sources disagree", [1]), ("Sources disagree", [2])]),
    (["5 of 9 exchanges; in 2 the release came first", "5 releases differ"],
     [("5 of 9 exchanges; in 2 the release came first", [1]), ("5 releases differ", [2])]),
    (["12 people freed", "9 releases; 12 people freed"], [("12 people freed", [1, 2]), ("9 releases", [2])]),
]  # fmt: skip


@pytest.mark.parametrize(("titles", "expected"), FINDINGS)
def test_key_findings_state_each_headline_number_once(titles, expected, tmp_path):
    figs = [Figure(i, {"name": f"f{i}", "title": t}, tmp_path) for i, t in enumerate(titles, 1)]
    assert [(k.text, k.figures) for k in key_findings(figs)] == expected


def test_a_finding_left_after_a_repeat_starts_with_a_capital(tmp_path):
    figs = [Figure(i, {"name": "x", "title": t}, tmp_path)
            for i, t in enumerate(["3 freed", "3 freed; two more"], 1)]  # fmt: skip
    assert key_findings(figs)[1].text == "Two more"


def test_fact_check_rows_from_the_data_csv_else_the_source_ids(figures):
    checks = load_pack(figures).checks
    rows = checks[0].rows
    assert rows is not None and rows.file == "01-releases-data.csv"
    assert rows.header == ["date", "release", "people", "confidence", "source ids"]
    assert [r[2] for r in rows.rows] == ["10", "20", "30", "40", "50"]
    assert rows.numeric == [False, False, True, False, False]
    assert checks[2].rows is None and checks[2].source_ids == "src-001, src-002, src-003"
    # 20 sources, 6 of them relaying Wire A: the origin, counted, named first.
    assert checks[0].origins.startswith("Wire A (6), ")
    assert "and " in checks[0].source_ids and "(all in 01-releases.md)" in checks[0].source_ids


def test_records_with_the_new_keys_and_without_them_both_load(copy):
    rec = json.loads((copy / "03-exchanges.json").read_text())
    rec["files"] = list(rec["files"])  # older records list names only
    rec["edited"] = ["title", "caption"]
    (copy / "03-exchanges.json").write_text(json.dumps(rec))
    f = load_pack(copy).figures[2]
    assert f.provenance.endswith("Edited by the analyst: title, caption.")
    assert "Edited" not in load_pack(copy).figures[0].provenance


def test_a_figure_file_changed_after_its_record_is_refused(copy):
    (copy / "03-exchanges.png").write_bytes(b"not the drawn figure")
    with pytest.raises(
        BelthawError, match=r"03-exchanges.png does not match its record .*belthaw run --force"
    ):
        load_pack(copy)


def test_figures_of_two_data_versions_are_refused(copy):
    rec = json.loads((copy / "03-exchanges.json").read_text())
    rec["data_version"] = "0.9.0+old"
    (copy / "03-exchanges.json").write_text(json.dumps(rec))
    with pytest.raises(BelthawError, match=r"different data versions \(0.9.0\+old: 03-exchanges; "):
        load_pack(copy)


def test_missing_record_and_empty_folder_say_what_to_run(copy, tmp_path):
    (copy / "05-totals.json").unlink()
    with pytest.raises(BelthawError, match="05-totals.md has no figure record beside it"):
        load_pack(copy)
    with pytest.raises(BelthawError, match="no figures in .*run `belthaw run` first"):
        load_pack(tmp_path / "empty")


def test_a_table_changed_after_its_figure_was_saved_is_refused(copy):
    rec = json.loads((copy / "03-exchanges.json").read_text())
    rec["files"]["03-exchanges-pairs.csv"] = "0" * 64
    (copy / "03-exchanges.json").write_text(json.dumps(rec))
    with pytest.raises(BelthawError, match=r"03-exchanges-pairs.csv does not match its record"):
        load_pack(copy)


def test_since_adds_table_1_after_figure_1_and_the_other_tables_follow_it(figures):
    pack = load_pack(figures, since="2025-12-15")
    assert [(t.number, t.caption[:9]) for t in pack.tables] == [
        (1, "Table 1. "), (2, "Table 2. "), (3, "Table 3. ")]  # fmt: skip
    since = pack.tables[0]
    assert since.caption.startswith("Table 1. Since our last briefing. What the sources published "
                                    "after 2025-12-15 changed")  # fmt: skip
    assert (since.header[0], since.header[2]) == ("What changed", "Now") and since.rows
    assert pack.figures[0].tables == [since] and pack.figures[2].tables == [pack.tables[1]]
    assert pack.figures[3].caption_text == "How to read it; all rows are in Table 3."
