"""find_person: any spelling, a surname alone, and a clear message when several match."""

import pandas as pd
import pytest

from belthaw.data import load
from belthaw.data.names import find_person, fold
from belthaw.errors import BelthawError

PEOPLE = pd.DataFrame(
    {
        "person_id": ["maria-kalesnikava", "viktar-babaryka", "ales-bialiatski", "a-m", "s-m"],
        "name": [
            "Maria Kalesnikava",
            "Viktar Babaryka",
            "Ales Bialiatski",
            "Alena Maushuk",
            "Siarhei Maushuk",
        ],
        "variants": [
            "Maria Kolesnikova;Maryja Kalesnikawa",
            "Viktor Babariko",
            "Aleś Bialacki;Ales Bialiatsky",
            "Olena Movshuk",
            "Siarhei Movshuk",
        ],
    }
)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("Maria Kolesnikova", "Maria Kalesnikava"),
        ("maria   KALESNIKAVA", "Maria Kalesnikava"),
        ("Kalesnikava", "Maria Kalesnikava"),  # surname alone
        ("kolesnikova", "Maria Kalesnikava"),  # a token of a variant
        ("Kolesnikova Maria", "Maria Kalesnikava"),  # word order
        ("Babariko", "Viktar Babaryka"),
        ("Bialacki", "Ales Bialiatski"),  # diacritic dropped from Aleś Bialacki
        ("Aleś Bialiatski", "Ales Bialiatski"),
        ("Alena Maushuk", "Alena Maushuk"),
        ("viktar-babaryka", "Viktar Babaryka"),  # the id works too
    ],
)
def test_any_spelling_or_surname_finds_the_person(query, expected):
    assert find_person(PEOPLE, query)["name"] == expected


def test_several_matches_name_every_person():
    with pytest.raises(BelthawError) as err:
        find_person(PEOPLE, "Maushuk")
    msg = str(err.value)
    assert "matches 2 people" in msg
    assert "Alena Maushuk (a-m)" in msg and "Siarhei Maushuk (s-m)" in msg


def test_unknown_name_suggests_close_spellings():
    with pytest.raises(BelthawError, match="did you mean: .*Viktor Babariko"):
        find_person(PEOPLE, "Viktor Babarika")


def test_empty_query_is_refused():
    with pytest.raises(BelthawError, match="needs a name"):
        find_person(PEOPLE, "  ")


@pytest.mark.parametrize(
    "query,name",
    [
        ("Kalesnikava", "Maria Kalesnikava"),
        ("Lukashenka", "Alexander Lukashenko"),
        ("Babariko", "Viktar Babaryka"),
        ("Łukašenka", "Alexander Lukashenko"),
    ],
)
def test_surnames_find_people_in_the_shipped_data(query, name):
    assert find_person(load().people, query)["name"] == name


@pytest.mark.parametrize("a,b", [("Łukašenka", "lukasenka"), ("Ales' Bjaljacki", "Ales Bjaljacki")])
def test_fold(a, b):
    assert fold(a) == fold(b)
