"""Find a person by any spelling: Kolesnikova, Kalesnikava and Kalesnikawa are one person.

Belarusian names reach English through Russian, Belarusian and Polish
transliterations. The data keeps one canonical spelling per person and every
variant seen in sources; lookups ignore case, diacritics and punctuation.
"""

from __future__ import annotations

import difflib
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


def _several(people: pd.DataFrame, ids, query: str) -> BelthawError:
    rows = people[people["person_id"].isin(ids)]
    who = "; ".join(f"{n} ({i})" for n, i in zip(rows["name"], rows["person_id"], strict=True))
    return BelthawError(
        f"'{query}' matches {len(rows)} people in people.csv: {who}; "
        "add a first name or use the person_id"
    )


def find_person(people: pd.DataFrame, query: str) -> pd.Series:
    """Return the people row whose name or a variant matches ``query``.

    A full spelling matches first ("Maria Kolesnikova"); otherwise every word of the
    query must be a word of some spelling of the person, so a surname alone finds them
    ("Kalesnikava", "Lukashenka", "Babariko"). Case, diacritics and punctuation are
    ignored; a ``person_id`` works too. Raises :class:`BelthawError` naming every match
    when several people match, and close spellings when nobody does.

    >>> find_person(data.people, "Kolesnikova")["name"]     # doctest: +SKIP
    'Maria Kalesnikava'
    """
    table = spellings(people)
    q = fold(str(query))
    if not q:
        raise BelthawError("find_person needs a name, e.g. 'Kalesnikava'")
    by_id = people.loc[people["person_id"].astype(str) == str(query).strip()]
    if len(by_id) == 1:
        return by_id.iloc[0]
    ids = table.loc[table["folded"] == q, "person_id"].unique()
    if len(ids) == 1:
        return people.loc[people["person_id"] == ids[0]].iloc[0]
    if len(ids) > 1:
        raise _several(people, ids, query)
    words = set(q.split())
    tokens = table.assign(word=table["folded"].str.split()).explode("word")
    per_person = tokens.groupby("person_id", sort=False)["word"].agg(set)
    ids = [pid for pid, have in per_person.items() if words <= have]
    if len(ids) == 1:
        return people.loc[people["person_id"] == ids[0]].iloc[0]
    if len(ids) > 1:
        raise _several(people, ids, query)
    candidates = sorted(set(table["folded"]) | set(tokens["word"].dropna()))
    close = difflib.get_close_matches(q, candidates, n=3, cutoff=0.7)
    near = tokens.loc[tokens["folded"].isin(close) | tokens["word"].isin(close), "spelling"]
    hint = list(dict.fromkeys(near))[:5]
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
