"""Find a person by any spelling: Kolesnikova, Kalesnikava and Kalesnikawa are one person.

Belarusian names reach English through Russian, Belarusian and Polish
transliterations. The data keeps one canonical spelling per person and every
variant seen in sources; lookups ignore case, diacritics and punctuation.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from ..errors import BelthawError

# Letters NFKD does not decompose into base + accent.
_FOLD = str.maketrans(
    {"ł": "l", "Ł": "l", "đ": "d", "ø": "o", "ß": "ss", "ʼ": "", "’": "", "'": ""}
)


def fold(name: str) -> str:
    """Normalise a name for comparison: lower case, no diacritics, single spaces.

    >>> fold("Aleś  Bialacki")
    'ales bialacki'
    >>> fold("Łukašenka") == fold("Lukasenka")
    True
    """
    text = unicodedata.normalize("NFKD", name.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return " ".join(text.split())


def spellings(people: pd.DataFrame) -> pd.DataFrame:
    """One row per (person_id, spelling, folded) over canonical names and variants."""
    variants = people["variants"].str.split(";").explode()
    both = pd.concat(
        [
            pd.DataFrame({"person_id": people["person_id"], "spelling": people["name"]}),
            pd.DataFrame(
                {"person_id": people.loc[variants.index, "person_id"], "spelling": variants}
            ),
        ],
        ignore_index=True,
    )
    both = both[both["spelling"].str.strip() != ""]
    both["folded"] = both["spelling"].map(fold)
    return both.drop_duplicates(["person_id", "folded"]).reset_index(drop=True)


def find_person(people: pd.DataFrame, query: str) -> pd.Series:
    """Return the people row whose name or a variant matches ``query``.

    Matches ignore case and diacritics. Raises BelthawError naming close
    spellings when nothing or more than one person matches.

    >>> find_person(data.people, "Maria Kolesnikova")["name"]     # doctest: +SKIP
    'Maria Kalesnikava'
    """
    table = spellings(people)
    q = fold(query)
    ids = table.loc[table["folded"] == q, "person_id"].unique()
    if len(ids) == 1:
        return people.loc[people["person_id"] == ids[0]].iloc[0]
    if len(ids) > 1:
        raise BelthawError(f"'{query}' matches several people: {', '.join(ids)}")
    import difflib

    close = difflib.get_close_matches(q, table["folded"].tolist(), n=3, cutoff=0.6)
    hint = table.loc[table["folded"].isin(close), "spelling"].tolist()
    raise BelthawError(
        f"no person called '{query}' in people.csv"
        + (f"; did you mean: {', '.join(hint)}?" if hint else "")
    )


def canonical(people: pd.DataFrame, query: str) -> str:
    """Canonical spelling for any variant.

    >>> canonical(data.people, "Babariko")      # doctest: +SKIP
    'Viktar Babaryka'
    """
    return str(find_person(people, query)["name"])
