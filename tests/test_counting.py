"""counting.py: the counting rule as one value, its allowed values and its words."""

import pytest

from belthaw.counting import CONFIDENCE, COUNT_BASES, COUNT_WHAT, CountingRule
from belthaw.parameters import NOTEBOOKS


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, CountingRule()),
        ({"count_what": "political"}, CountingRule(what="political")),
        ({"count_basis": "upper", "min_confidence": "high"}, CountingRule(basis="upper", min_confidence="high")),
        ({"include_released_home": False, "start": "2025-01-01", "size": "slide"}, CountingRule(include_released_home=False)),
    ],
)  # fmt: skip
def test_from_params_reads_only_counting_parameters(params, expected):
    assert CountingRule.from_params(params) == expected


@pytest.mark.parametrize(
    ("rule", "has", "lacks"),
    [
        (CountingRule(), ["people freed, each person once", "best-supported"], ["left out: foreign"]),
        (CountingRule(what="pardoned"), ["pardons, a person pardoned twice counts twice"], ["each person once"]),
        (CountingRule(include_foreign_nationals=False), ["foreign nationals left out"], []),
        (CountingRule(include_released_home=False), ["people who stayed in Belarus left out"], []),
        (CountingRule(min_confidence="medium"), ["only releases resting on one original outlet"], []),
        (CountingRule(basis="lower"), ["lowest figure any source gives"], ["best-supported"]),
    ],
)  # fmt: skip
def test_words_say_what_is_counted(rule, has, lacks):
    words = rule.words()
    assert all(h in words for h in has), words
    assert not any(x in words for x in lacks), words


@pytest.mark.parametrize("field", ["what", "basis", "min_confidence"])
def test_unknown_value_is_refused(field):
    with pytest.raises(ValueError, match=field):
        CountingRule(**{field: "nonsense"})


@pytest.mark.parametrize(
    ("parameter", "table"),
    [("count_what", COUNT_WHAT), ("count_basis", COUNT_BASES), ("min_confidence", CONFIDENCE)],
)
def test_parameter_choices_come_from_the_one_declaration(parameter, table):
    for params in NOTEBOOKS.values():
        for p in params:
            if p.name == parameter:
                assert tuple(p.choices) == tuple(table)
