"""belthaw.figure.files: atomic writes, the manifest check, temp sweeping, the outputs protocol."""

from __future__ import annotations

import errno
import json
import os
import time

import pytest

from belthaw.errors import BelthawError
from belthaw.figure import files


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(files.TMP_PREFIX))


def write_figure(folder, name="fig", **contents):
    """A figure's files and its record, written the way save() writes them (record last)."""
    payload = {
        f"{name}.{ext}": data for ext, data in (contents or {"png": b"P", "md": b"M"}).items()
    }
    rec = {"name": name, "files": {n: files.sha256(d) for n, d in payload.items()}}
    payload[f"{name}.json"] = json.dumps(rec).encode()
    return files.commit_files({folder / n: d for n, d in payload.items()})


def test_commit_files_writes_in_order_and_leaves_no_temp(tmp_path):
    targets = [tmp_path / "sub" / n for n in ("a.png", "b.md", "c.json")]
    written = files.commit_files({t: t.name.encode() for t in targets})
    assert written == targets
    assert [t.read_bytes() for t in targets] == [b"a.png", b"b.md", b"c.json"]
    assert leftovers(tmp_path / "sub") == []


def test_commit_files_replaces_whole(tmp_path):
    p = tmp_path / "note.md"
    assert files.commit_files({p: b"one\n"}) == [p]
    files.commit_files({p: b"two\nlines\n"})
    assert p.read_bytes() == b"two\nlines\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "free some disk space"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permissions"),
        (errno.EPERM, "permissions"),
        (errno.EIO, "check the folder and the disk"),
    ],
)
@pytest.mark.parametrize("where", ["write", "replace"])
def test_an_os_error_is_one_sentence_and_keeps_the_old_files(
    tmp_path, monkeypatch, code, advice, where
):
    old = {tmp_path / n: b"old " + n.encode() for n in ("a.png", "b.json")}
    files.commit_files(old)

    def fail(*a, **k):
        raise OSError(code, os.strerror(code))

    if where == "write":
        real = type(tmp_path).write_bytes
        calls = []

        def write_bytes(self, data):
            calls.append(self)
            return fail() if len(calls) == 2 else real(self, data)

        monkeypatch.setattr(type(tmp_path), "write_bytes", write_bytes)
    else:
        monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(BelthawError) as e:
        files.commit_files({p: b"new" for p in old})
    monkeypatch.undo()
    msg = str(e.value)
    assert str(tmp_path) in msg and advice in msg and os.strerror(code) in msg
    assert "\n" not in msg
    assert {p: p.read_bytes() for p in old} == old
    assert leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_created_is_named(tmp_path, monkeypatch):
    def mkdir(self, *a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(type(tmp_path), "mkdir", mkdir)
    with pytest.raises(BelthawError, match=r"could not write to .*/deep: Permission denied"):
        files.commit_files({tmp_path / "deep" / "x.md": b"x"})


def test_a_whole_figure_has_no_problems(tmp_path):
    write_figure(tmp_path)
    assert files.figure_problems(tmp_path, "fig") == []


def _truncate(p):
    p.write_bytes(p.read_bytes()[:-1])


def _delete(p):
    p.unlink()


def _replace_with_other_bytes(p):
    p.write_bytes(b"another save's bytes")


@pytest.mark.parametrize(
    ("damage", "file", "expected"),
    [
        (_truncate, "fig.png", "fig.png does not match fig.json"),
        (_delete, "fig.md", "fig.md is missing"),
        (_replace_with_other_bytes, "fig.png", "fig.png does not match fig.json"),
        (_delete, "fig.json", "fig.json is missing"),
        (_truncate, "fig.json", "fig.json is not a complete figure record"),
        (lambda p: p.write_text('{"name": "fig"}'), "fig.json", "not a complete figure record"),
    ],
)
def test_damaged_or_interrupted_files_are_named(tmp_path, damage, file, expected):
    write_figure(tmp_path)
    damage(tmp_path / file)
    problems = files.figure_problems(tmp_path, "fig")
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_save_interrupted_before_its_record_is_found(tmp_path, monkeypatch):
    """New picture in place, old record still there: the record names the new picture."""
    write_figure(tmp_path, png=b"old picture", md=b"old words")
    real = files.os.replace

    def replace(src, dst):
        if str(dst).endswith(".json"):
            raise KeyboardInterrupt  # killed between the last file and the record
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        write_figure(tmp_path, png=b"new picture", md=b"new words")
    monkeypatch.undo()
    problems = files.figure_problems(tmp_path, "fig")
    assert [p.split("/")[-1] for p in problems] == [
        "fig.png does not match fig.json (truncated or changed)",
        "fig.md does not match fig.json (truncated or changed)",
    ]


@pytest.mark.parametrize("name", ["01-releases", "a", "x.y_z-2", "A" * 100])
def test_plain_names_pass(name):
    assert files.check_name(name) == name


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", "a\\b", ".hidden", "x..y", "a b", "é", "A" * 101, None])  # fmt: skip
def test_other_names_are_refused(bad):
    with pytest.raises(BelthawError, match="not a plain file name"):
        files.check_name(bad)


def test_sweep_removes_only_old_temp_files(tmp_path):
    old, new, other = (tmp_path / n for n in (f"{files.TMP_PREFIX}a", f"{files.TMP_PREFIX}b", "fig.png"))  # fmt: skip
    for p in (old, new, other):
        p.write_bytes(b"x")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert files.sweep_temp_files(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([new.name, other.name])
    assert files.sweep_temp_files(tmp_path, max_age_s=-1) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_record_outputs_appends_absolute_paths_once(tmp_path, monkeypatch):
    monkeypatch.delenv(files.OUTPUTS_ENV, raising=False)
    files.record_outputs([tmp_path / "x.png"])  # no runner: nothing written anywhere
    assert list(tmp_path.iterdir()) == []
    target = tmp_path / "o" / "out.json"
    monkeypatch.setenv(files.OUTPUTS_ENV, str(target))
    files.record_outputs([tmp_path / "a.png"])
    files.record_outputs([tmp_path / "b.png", tmp_path / "a.png"])
    assert json.loads(target.read_text()) == [str(tmp_path / "a.png"), str(tmp_path / "b.png")]
    assert files.OUTPUTS_ENV == "BELTHAW_OUTPUTS_FILE"
