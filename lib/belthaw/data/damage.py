"""What a spreadsheet round trip does to text, found cell by cell.

A CSV opened in LibreOffice or Excel as "Western (Windows-1252)" and saved back holds
mojibake (``Notícias`` -> ``NotÃ­cias``); text that looks like a date becomes one
(``15 Aug`` -> ``08/15/26``); a copy-paste leaves invisible control characters. None
of these breaks the schema, so each is checked here, on every text cell.
"""

from __future__ import annotations

import re

import ftfy  # ~50 ms to import, once per process; it knows the mojibake patterns
import pandas as pd

from .problems import Where, flagger

#: How a spreadsheet writes a day it has recognised: 9/11/2025, 11.09.25, 11-Sep-25,
#: 2025/09/11, or an ISO day with a time appended.
SPREADSHEET_DATE = (
    r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}-[A-Za-z]{3}-\d{2,4}|\d{4}/\d{1,2}/\d{1,2}"
    r"|\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?"
)
#: C0 controls except tab, line feed and carriage return (a cell may span lines), DEL, C1.
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
RESAVE = (
    "open the CSV as UTF-8 with every column as text (see the README, "
    "'Editing the data in a spreadsheet')"
)


def _control(v: str) -> str:
    m = re.search(CONTROL, v)
    return f"U+{ord(m.group()):04X} at character {m.start() + 1}"


def _garbled(v: str) -> str:
    return (
        f"{v[:60]!r} looks mis-decoded (probably {ftfy.fix_encoding(v)[:60]!r}): a spreadsheet "
        f"read the UTF-8 file as Windows-1252; restore the text (e.g. with git) and {RESAVE}"
    )


def text_damage(df: pd.DataFrame, fields: list[dict], where: Where) -> list:
    """Edge spaces, control characters and mojibake in any cell; dates a spreadsheet made
    of free text (a string column with neither enum nor pattern)."""
    out: list = []
    flag = flagger(out, where)
    for f in fields:
        col, s = f["name"], df[f["name"]]
        flag(col, s != s.str.strip(), "value {v!r} has leading or trailing whitespace", values=s)
        control = s.str.contains(CONTROL)
        msg = "holds an invisible control character ({v}); delete it (it usually comes "
        flag(
            col,
            control,
            msg + "from a copy-paste or a wrong encoding)",
            values=s[control].map(_control),
        )
        garbled = s.map(lambda v: not v.isascii() and ftfy.fix_encoding(v) != v) & ~control
        flag(col, garbled, _garbled, values=s)
        if f.get("type", "string") == "string" and not {"enum", "pattern"} & set(
            f.get("constraints", {})
        ):
            msg = "{v!r} looks like a date a spreadsheet made of text (e.g. '15 Aug' becomes "
            msg += "'08/15/26'); check it against the source and " + RESAVE
            flag(col, s.str.fullmatch(SPREADSHEET_DATE), msg, values=s, severity="warning")
    return out
