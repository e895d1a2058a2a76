"""belthaw.charts.figtext: FigureText and its edit()."""

from __future__ import annotations

import pytest

from belthaw.charts.figtext import FigureText
from belthaw.errors import BelthawError

TEXT = FigureText("Generated title", "scope", "how to read it", "alt text", ("a note",), ("s1",))


@pytest.mark.parametrize(
    ("changes", "edited"),
    [
        ({"title": "Mine"}, ("title",)),
        ({"title": "Mine", "caption": "Read it so"}, ("title", "caption")),
        ({"notes": "One note"}, ("notes",)),
        ({"title": TEXT.title}, ()),  # the same words are not an edit
    ],
)
def test_edit_replaces_and_lists_the_fields(changes, edited):
    t = TEXT.edit(**changes)
    assert t.edited == edited
    for k, v in changes.items():
        assert getattr(t, k) == ((v,) if k == "notes" else v)
    assert t.source_ids == TEXT.source_ids and TEXT.edited == ()


def test_edits_accumulate_without_repeats():
    t = TEXT.edit(title="A").edit(alt="B").edit(title="C")
    assert (t.title, t.alt, t.edited) == ("C", "B", ("title", "alt"))


@pytest.mark.parametrize("field", ["source_ids", "edited", "titel"])
def test_edit_refuses_what_is_not_words(field):
    with pytest.raises(BelthawError, match=f"no field '{field}'.*title, subtitle"):
        TEXT.edit(**{field: "x"})
