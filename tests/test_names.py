import pandas as pd
import pytest

from belthaw.data.names import canonical, find_person, fold
from belthaw.errors import BelthawError

PEOPLE = pd.DataFrame(
    {
        "person_id": ["maria-kalesnikava", "viktar-babaryka", "ales-bialiatski"],
        "name": ["Maria Kalesnikava", "Viktar Babaryka", "Ales Bialiatski"],
        "variants": [
            "Maria Kolesnikova;Maryja Kalesnikawa",
            "Viktor Babariko",
            "Aleś Bialacki;Ales Bialiatsky",
        ],
    }
)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("Maria Kolesnikova", "Maria Kalesnikava"),
        ("maria   KALESNIKAVA", "Maria Kalesnikava"),
        ("Maryja Kalesnikawa", "Maria Kalesnikava"),
        ("Viktor Babariko", "Viktar Babaryka"),
        ("Ales Bialacki", "Ales Bialiatski"),  # diacritic dropped from Aleś Bialacki
        ("Aleś Bialiatski", "Ales Bialiatski"),
    ],
)
def test_any_variant_finds_the_canonical_name(query, expected):
    assert canonical(PEOPLE, query) == expected


def test_unknown_name_suggests_close_spellings():
    with pytest.raises(BelthawError, match="did you mean: .*Viktor Babariko"):
        find_person(PEOPLE, "Viktor Babarika")


@pytest.mark.parametrize("a,b", [("Łukašenka", "lukasenka"), ("Ales' Bjaljacki", "Ales Bjaljacki")])
def test_fold(a, b):
    assert fold(a) == fold(b)
