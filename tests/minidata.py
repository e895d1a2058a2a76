# ruff: noqa: E501  (CSV rows are kept whole, as they appear in the files)
"""A small, valid data package written to a temporary folder, for loader and validation tests.

It uses the project's real ``data/datapackage.json`` so schema changes are exercised,
and tiny hand-made tables whose every value is known.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from belthaw import paths

TABLES = {
    "sources": """source_id,publisher,origin,title,author,published,published_basis,url,source_type,language,corpus,tier,original_publisher,original_title,original_published,notes
ap-1,AP,AP,Headline one,,2025-09-11,page,https://example.org/a,news,en,dossier,original,,,,
ngo-1,Viasna,Viasna,Report,,2025-12,page,https://example.org/b,ngo,en,dossier,original,,,,
seed-1,Example Analysis,Example Analysis,Seed piece,A. Author,2025-12-15,page,,analysis,en,seed,original,,,,
""",
    "events": """event_id,date,date_end,date_precision,kind,jurisdiction,actor,counterpart,title,instrument,action_id,action_stage,count,count_precision,destination,n_home,n_foreign,n_pardoned,n_political,political_by,release_type,short_label,source_ids,notes
ev-20250911-visit,2025-09-11,,day,diplomatic_contact,US,US envoy,Belarus,Envoy visits Minsk,,,,,,,,,,,,,Envoy visit to Minsk,ap-1,
ev-20250911-release,2025-09-11,,day,release,BY,Belarus,,Fifty-two freed to Lithuania,,,,52,exact,Lithuania,0,14,,,,us_deal,52 freed to Lithuania,ap-1;seed-1,
ev-20250911-gl11,2025-09-11,,day,sanctions_relief,US,OFAC,Belavia,Licence for the airline,belavia,us-belavia,licence_issued,,,,,,,,,,Airline licence,ap-1,
ev-20251104-delist,2025-11-04,,day,sanctions_relief,US,OFAC,Belavia,Airline taken off the list,belavia,us-belavia,list_updated,,,,,,,,,,Airline delisted,ap-1,
ev-20251212-talks,2025-12-12,2025-12-13,range,diplomatic_contact,US,US envoy,Belarus,Two days of talks,,,,,,,,,,,,,Two-day talks,seed-1,
ev-20251230-pardon,2025-12-30,,day,release,BY,Belarus,,New Year pardon,,,,22,exact,home,22,,,,,pardon,"22 pardoned, stayed home",ngo-1,
""",
    "claims": """claim_id,event_id,exchange_id,source_id,field,value,value_num,precision,note
cl-1,ev-20250911-release,,ap-1,count,52,52,exact,
cl-2,ev-20250911-release,,seed-1,count,more than 50,50,at_least,
cl-3,ev-20251230-pardon,,ngo-1,count,22,22,exact,
cl-4,ev-20250911-release,,ap-1,n_foreign,14 foreigners,14,exact,
cl-5,ev-20250911-release,x-1,ap-1,link,reported_together,,exact,the two reported together
""",
    "exchanges": """exchange_id,concession_event_id,release_event_id,link,source_ids,rationale
x-1,ev-20250911-gl11,ev-20250911-release,reported,ap-1,Reported together on the same day.
""",
    "people": """person_id,name,variants,role,nationality,release_event_id,outcome,other_event_ids,source_ids,notes
maria-kalesnikava,Maria Kalesnikava,Maria Kolesnikova;Maryja Kalesnikawa,Opposition figure,Belarus,ev-20250911-release,released_abroad,,ap-1,
""",
    "prisoner_counts": """date,count,precision,counted_by,source_id,notes
2025-09-30,1201,exact,Viasna,ngo-1,
2025-12-23,1135,exact,Viasna,ngo-1,
""",
    "totals": """total_id,as_of,since,value,precision,scope,wording,source_id,excludes,notes
t-1,2025-12-12,2024-07-01,430,at_least,all_releases,more than 430 since July 2024,ap-1,,
""",
}


def write(target: Path, **replace: str) -> Path:
    """Write the mini package into ``target``; ``replace`` swaps whole table texts.

    A column the real schema has and a fixture table lacks (one added to the data since)
    is added, empty, so the fixture follows the schema without being rewritten.
    """
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.ROOT / "data" / "datapackage.json", target / "datapackage.json")
    for name, text in {**TABLES, **replace}.items():
        if name not in replace:
            text = with_schema_columns(name, text)
        (target / f"{name}.csv").write_text(text, encoding="utf-8")
    return target


def with_schema_columns(name: str, text: str) -> str:
    """``text`` with every column of the real schema, in schema order (new ones empty)."""
    pkg = json.loads((paths.ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == name)
    names = [f["name"] for f in res["schema"]["fields"]]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if rows[0] == names:
        return text
    have = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(names)
    out.writerows([[r.get(n, "") for n in names] for r in have])
    return buf.getvalue()


def edit(table: str, old: str, new: str) -> dict[str, str]:
    """``{table: text}`` with the first ``old`` replaced by ``new`` (for ``write``)."""
    text = with_schema_columns(table, TABLES[table])
    assert old in text, f"fixture has no {old!r} in {table}"
    return {table: text.replace(old, new, 1)}
