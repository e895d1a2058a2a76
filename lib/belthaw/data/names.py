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
    """A name for comparison: lower case, no diacritics or punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", name.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def find_person(people: pd.DataFrame, query: str) -> pd.Series:
    """Return the people row whose name or a variant matches ``query``.

    A full spelling matches first ("Maria Kolesnikova"); otherwise every word of the
    query must be a word of some spelling of the person, so a surname alone finds them
    ("Kalesnikava", "Lukashenka", "Babariko"). Case, diacritics and punctuation are
    ignored; a ``person_id`` works too. Raises :class:`BelthawError` naming every match
    when several people match, and close spellings when nobody does.
    """
    q = fold(str(query))
    if not q:
        raise BelthawError("find_person needs a name, e.g. 'Kalesnikava'")
    by_id = people.loc[people["person_id"].astype(str) == str(query).strip()]
    if len(by_id) == 1:
        return by_id.iloc[0]
    variants = people.assign(spelling=people["variants"].str.split(";")).explode("spelling")
    table = pd.concat([people.assign(spelling=people["name"]), variants], ignore_index=True)
    table = table.loc[table["spelling"].str.strip() != "", ["person_id", "spelling"]]
    table["folded"] = table["spelling"].map(fold)
    tokens = table.assign(word=table["folded"].str.split()).explode("word")
    have = tokens.groupby("person_id", sort=False)["word"].agg(set)
    exact = list(table.loc[table["folded"] == q, "person_id"].unique())
    for ids in (exact, [pid for pid, words in have.items() if set(q.split()) <= words]):
        rows = people[people["person_id"].isin(ids)]
        if len(ids) == 1:
            return rows.iloc[0]
        if ids:
            who = "; ".join(f"{r.name} ({r.person_id})" for r in rows.itertuples())
            msg = f"'{query}' matches {len(rows)} people in people.csv: {who}; "
            raise BelthawError(msg + "add a first name or use the person_id")
    candidates = sorted(set(tokens["folded"]) | set(tokens["word"].dropna()))
    close = difflib.get_close_matches(q, candidates, n=3, cutoff=0.7)
    near = tokens.loc[tokens["folded"].isin(close) | tokens["word"].isin(close), "spelling"]
    hint = list(dict.fromkeys(near))[:5]
    said = f"; did you mean: {', '.join(hint)}?" if hint else ""
    raise BelthawError(f"no person called '{query}' in people.csv{said}")
