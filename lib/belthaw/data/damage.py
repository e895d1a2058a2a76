"""What a spreadsheet round trip does to text, found cell by cell.

A CSV opened in LibreOffice or Excel as "Western (Windows-1252)" and saved back holds
mojibake (``Notícias`` -> ``NotÃ­cias``); text that looks like a date becomes one
(``15 Aug`` -> ``08/15/26``); a copy-paste leaves invisible control characters. None
of these breaks the schema, so each is checked here, on every text cell.
"""

from __future__ import annotations

import re

import ftfy  # ~50 ms to import, once per process; it knows the mojibake patterns
import numpy as np
import pandas as pd

from .problems import Where, emit

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
GARBLED = (
    ": a spreadsheet read the UTF-8 file as Windows-1252; restore the text (e.g. with git) and "
)
GARBLED += RESAVE


def text_damage(df: pd.DataFrame, fields: list[dict], where: Where) -> list:
    """Edge spaces, control characters and mojibake in any cell; dates a spreadsheet made
    of free text (a string column with neither enum nor pattern).

    All cells of the table are checked at once (a few hundred rows cost a few pandas
    operations), then reported column by column.
    """
    cells = pd.Series(df.to_numpy(dtype=object).ravel(), dtype=object)
    grid = lambda mask: np.asarray(mask, dtype=bool).reshape(df.shape)  # noqa: E731
    spaces = grid(cells != cells.str.strip())
    control = grid(cells.str.contains(CONTROL, regex=True))
    garbled = grid([not v.isascii() and ftfy.fix_encoding(v) != v for v in cells]) & ~control
    dates = grid(cells.str.fullmatch(SPREADSHEET_DATE))
    out: list = []
    for j, f in enumerate(fields):
        s = df[f["name"]]

        def flag(mask, message, values=s, severity="error", col=f["name"], j=j):
            emit(out, where, col, mask[:, j], message, values=values, severity=severity)

        flag(spaces, "value {v!r} has leading or trailing whitespace")
        if control[:, j].any():
            msg = "holds an invisible control character ({v}); delete it (it usually comes "
            flag(control, msg + "from a copy-paste or a wrong encoding)", s.map(_control))
        flag(garbled, lambda v: f"{v[:60]!r} looks mis-decoded (probably {ftfy.fix_encoding(v)[:60]!r}){GARBLED}")  # fmt: skip
        if f.get("type", "string") == "string" and not {"enum", "pattern"} & set(f.get("constraints", {})):  # fmt: skip
            msg = "{v!r} looks like a date a spreadsheet made of text (e.g. '15 Aug' becomes "
            msg += "'08/15/26'); check it against the source and " + RESAVE
            flag(dates, msg, severity="warning")
    return out


def _control(v: str) -> str:
    m = re.search(CONTROL, v)
    return f"U+{ord(m.group()):04X} at character {m.start() + 1}" if m else ""
