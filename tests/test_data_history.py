"""belthaw.data.history: the data compared with its last committed version (a warning)."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest

from belthaw.data import validate
from belthaw.data.history import summary
from belthaw.data.problems import Where
from minidata import TABLES, write


def commit(repo):
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)


@pytest.fixture
def repo(tmp_path):
    data = write(tmp_path / "repo" / "data")
    commit(tmp_path / "repo")
    return data


def changed(report):
    return [p for p in report.warnings if "since the last commit" in p.message]


def test_nothing_is_said_when_nothing_changed(repo):
    report = validate(repo)
    assert report.ok and not report.warnings, str(report)


def test_an_edit_and_the_spreadsheet_rewrites_are_summarised_per_file_and_column(repo):
    text = TABLES["claims"].replace("more than 50", "50").replace(",14 foreigners,", ",14,")
    text = text.replace("count,52,52,exact", "count,52,52.0,exact")
    text += "cl-5,ev-20251230-pardon,,ngo-1,count,about 20,20,approx,\n"
    (repo / "claims.csv").write_text(text, encoding="utf-8")
    report = validate(repo)
    [p] = changed(report)
    assert (p.file, p.line, p.column, p.severity) == ("claims.csv", None, None, "warning")
    assert "1 row added" in p.message
    assert "2 cells of 'value' changed (e.g. line 3: 'more than 50' -> '50')" in p.message
    assert "1 cell of 'value_num' changed (e.g. line 2: '52' -> '52.0')" in p.message
    assert all(q.file == "claims.csv" for q in changed(report))


def test_rows_are_matched_by_their_key_so_a_sort_changes_nothing(repo):
    lines = TABLES["events"].splitlines(keepends=True)
    (repo / "events.csv").write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    assert not changed(validate(repo))


def test_a_removed_row_is_named(repo):
    head, *rows = TABLES["prisoner_counts"].splitlines()
    (repo / "prisoner_counts.csv").write_text(head + "\n" + rows[0] + "\n", encoding="utf-8")
    [p] = changed(validate(repo))
    assert "1 row removed" in p.message  # a table without a one-column key: by position


@pytest.mark.parametrize("where", ["no repository", "git missing", "file never committed"])
def test_silent_and_harmless_without_history(tmp_path, monkeypatch, repo, where):
    d = repo
    if where == "no repository":
        d = write(tmp_path / "plain", claims=TABLES["claims"].replace("more than 50", "50"))
    elif where == "git missing":
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        (repo / "claims.csv").write_text(TABLES["claims"].replace("more than 50", "50"))
    else:
        subprocess.run(["git", "-C", str(repo), "rm", "-q", "--cached", "claims.csv"], check=True)
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e",
                        "commit", "-qm", "untrack"], check=True)  # fmt: skip
        (repo / "claims.csv").write_text(TABLES["claims"].replace("more than 50", "50"))
    report = validate(d)
    assert report.ok and not changed(report), str(report)


def test_summary_names_a_few_columns_and_counts_the_rest():
    old = pd.DataFrame({"k": ["a", "b"], **{c: ["1", "2"] for c in "pqrstu"}})
    new = old.copy()
    for c in "pqrstu":
        new[c] = ["1", "3"]
    said = summary(old, new, "k", Where("x.csv"))
    assert said.count("changed (e.g. line 3: '2' -> '3')") == 4
    assert said.endswith("and cells of 2 more columns")
    assert summary(old, old.copy(), "k", Where("x.csv")) == ""
