"""Synthetic data package for the scale benchmark: N events that pass ``belthaw validate``.

    python benchmarks/synth.py OUT_DIR --events 5000 [--seed 0]

Writes a copy of ``data/datapackage.json`` and the seven tables. The real data holds
under a hundred events; the benchmark asks what happens at thousands, the size the
data can become. Only ``events.csv`` scales with N; the other tables stay the size the
real ones are. Every row follows the audited schema and the cross-table rules (sources
name their origin; every exchange has link claims that support its ``link``), so the
package loads without errors; it does warn (most releases have no count claim).
Deterministic for a given (N, seed); write it to a temp folder, never commit it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "data" / "datapackage.json"

KINDS = np.array(
    [
        "release",
        "sanctions_relief",
        "sanctions_tightening",
        "diplomatic_contact",
        "appointment",
        "statement",
        "other",
    ]
)
#: Share of each kind; releases dominate so the monthly series has real work to do.
KIND_P = np.array([0.55, 0.10, 0.10, 0.08, 0.05, 0.07, 0.05])
WITH_COUNT = {"release", "statement", "other"}
JURISDICTIONS = np.array(["US", "EU", "LT", "PL", "BY", "UA", "VA", "other"])
PRECISIONS = np.array(["exact", "at_least", "approx", "unknown"])
DESTINATIONS = np.array(["Lithuania", "Poland", "home", "Lithuania;home", "Ukraine", ""])
FIRST_DAY = np.datetime64("2020-01-01")
N_DAYS = 2250  # 2020-01-01 .. 2026-02-28: never after "today" (that would be a warning)
N_SOURCES = 40
ORIGIN_UNKNOWN = "unknown"  # belthaw.data.origins.ORIGIN_UNKNOWN: counts as no evidence
#: The claim value that supports each link strength (belthaw.data.origins.LINK_FROM_CLAIM).
LINK_CLAIM = {
    "explicit": "stated_trade",
    "reported": "reported_together",
    "inferred": "reported_together",
}


def _sources(rng: np.random.Generator) -> pd.DataFrame:
    i = np.arange(N_SOURCES)
    pub = np.array(["AP", "Reuters", "Viasna", "RFE/RL", "Belsat", "Nasha Niva", "OFAC", "EEAS"])
    return pd.DataFrame(
        {
            "source_id": [f"synth-src-{k:03d}" for k in i],
            "publisher": np.where(i == N_SOURCES - 1, "Synthetic aggregator", pub[i % len(pub)]),
            # each outlet reported its own story; the last source relays an untraced one
            "origin": np.where(i == N_SOURCES - 1, ORIGIN_UNKNOWN, pub[i % len(pub)]),
            "title": [f"Synthetic source {k}" for k in i],
            "author": "",
            "published": [f"2025-{1 + k % 12:02d}-{1 + k % 28:02d}" for k in i],
            "published_basis": "page",
            "url": [f"https://example.org/synth/{k}" for k in i],
            "source_type": np.array(["news", "analysis", "official", "ngo"])[i % 4],
            "language": np.array(["en", "ru", "be", "lt"])[i % 4],
            "corpus": np.where(i < 5, "seed", "dossier"),
            "tier": np.where(i == N_SOURCES - 1, "aggregator", "original"),
            "original_publisher": "",
            "original_title": "",
            "original_published": "",
            "notes": "",
        }
    )


def _events(n: int, rng: np.random.Generator, source_ids: np.ndarray) -> pd.DataFrame:
    i = np.arange(n)
    day = FIRST_DAY + rng.integers(0, N_DAYS, n).astype("timedelta64[D]")
    day_s = pd.Series(day).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    compact = pd.Series(day).dt.strftime("%Y%m%d").to_numpy(dtype=object)
    kind = rng.choice(KINDS, n, p=KIND_P)
    counted = np.isin(kind, list(WITH_COUNT))
    prec_choice = rng.choice(np.array(["day", "month", "range"]), n, p=[0.85, 0.1, 0.05])
    is_range = prec_choice == "range"
    end = day + rng.integers(1, 5, n).astype("timedelta64[D]")
    end_s = np.where(is_range, pd.Series(end).dt.strftime("%Y-%m-%d").to_numpy(dtype=object), "")
    count = rng.integers(1, 120, n)  # a release frees someone: people.csv may name one of them
    has_count = counted & (rng.random(n) < 0.95)
    count_s = np.where(has_count, count.astype(str), "")
    cprec = np.where(has_count, rng.choice(PRECISIONS, n, p=[0.7, 0.15, 0.1, 0.05]), "")
    release = kind == "release"
    dest = np.where(release, rng.choice(DESTINATIONS, n), "")
    k = len(source_ids) - 1  # events cite traced sources only, never the aggregator (the last)
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k  # never a == b
    # big releases get two sources (one source for > 50 people is a validation warning)
    two = (rng.random(n) < 0.6) | (has_count & (count > 50))
    src = np.where(two, source_ids[a] + ";" + source_ids[b], source_ids[a])
    sanctions = np.isin(kind, ["sanctions_relief", "sanctions_tightening"])
    instrument = np.where(sanctions, rng.choice(np.array(["potash", "belavia", "sdn-list"]), n), "")
    idx = i.astype(str)
    return pd.DataFrame(
        {
            "event_id": "ev-" + compact + "-s" + idx,
            "date": day_s,
            "date_end": end_s,
            "date_precision": prec_choice,
            "kind": kind,
            "jurisdiction": rng.choice(JURISDICTIONS, n),
            "actor": np.where(release, "Alexander Lukashenko", "Synthetic actor"),
            "counterpart": "",
            "title": "Synthetic event " + idx,
            "instrument": instrument,
            "action_id": "",
            "action_stage": np.where(sanctions, "effective", ""),
            "count": count_s,
            "count_precision": cprec,
            "destination": dest,
            # Left empty: a split of a count needs its own claim row (a cross-table rule).
            "n_home": "",
            "n_foreign": "",
            "n_pardoned": "",
            "n_political": "",
            "political_by": "",
            "release_type": np.where(release, "pardon", ""),
            "short_label": "",
            "source_ids": src,
            "notes": "",
        }
    )


def make_package(out_dir: Path | str, n_events: int, seed: int = 0) -> Path:
    """Write a valid data package with ``n_events`` events to ``out_dir``; return the folder."""
    if n_events < 50:
        raise ValueError("n_events must be at least 50 (the small tables point at events)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    shutil.copyfile(SCHEMA, out / "datapackage.json")
    sources = _sources(rng)
    sids = sources["source_id"].to_numpy(dtype=object)
    events = _events(n_events, rng, sids)

    releases = events.index[events["kind"] == "release"].to_numpy()
    others = events.index[
        events["kind"].isin(["sanctions_relief", "diplomatic_contact"])
    ].to_numpy()
    rel_counted = events.index[(events["kind"] == "release") & (events["count"] != "")].to_numpy()
    # claims: up to 200, for releases with a count (a second figure, sometimes higher)
    pick = rel_counted[: min(200, len(rel_counted))]
    base = events.loc[pick, "count"].astype(int).to_numpy()
    claim_val = base + rng.integers(0, 5, len(pick))
    claims = pd.DataFrame(
        {
            "claim_id": [f"cl-s{k:05d}" for k in range(len(pick))],
            "event_id": events.loc[pick, "event_id"].to_numpy(),
            "exchange_id": "",
            "source_id": sids[rng.integers(0, len(sids) - 1, len(pick))],
            "field": "count",
            "value": [f"{v} freed" for v in claim_val],
            "value_num": claim_val.astype(str),
            "precision": rng.choice(np.array(["exact", "at_least", "approx"]), len(pick)),
            "note": "",
        }
    )
    n_x = min(12, len(releases), len(others))
    link = np.array(["explicit", "reported", "inferred"])[np.arange(n_x) % 3]
    # An inferred pairing's claim comes from the aggregator of unknown origin: it is
    # recorded but supports nothing, so the link stays inferred.
    x_src = np.where(link == "inferred", sids[-1], sids[np.arange(n_x) % (len(sids) - 1)])
    exchanges = pd.DataFrame(
        {
            "exchange_id": [f"x-s{k:02d}" for k in range(n_x)],
            "concession_event_id": events.loc[others[:n_x], "event_id"].to_numpy(),
            "release_event_id": events.loc[releases[:n_x], "event_id"].to_numpy(),
            "link": link,
            "source_ids": x_src,
            "rationale": "Synthetic pairing",
        }
    )
    links = pd.DataFrame(
        {
            "claim_id": [f"cl-x{k:02d}" for k in range(n_x)],
            "event_id": exchanges["release_event_id"],
            "exchange_id": exchanges["exchange_id"],
            "source_id": x_src,
            "field": "link",
            "value": [LINK_CLAIM[v] for v in link],
            "value_num": "",
            "precision": "exact",
            "note": "",
        }
    )
    claims = pd.concat([claims, links], ignore_index=True)
    n_p = min(12, len(releases))
    people = pd.DataFrame(
        {
            "person_id": [f"person-s{k:02d}" for k in range(n_p)],
            "name": [f"Person {chr(65 + k)} Synthetic" for k in range(n_p)],
            "variants": "",
            "role": "Political prisoner",
            "nationality": "Belarusian",
            "release_event_id": events.loc[releases[:n_p], "event_id"].to_numpy(),
            "outcome": "released_abroad",
            "other_event_ids": "",
            "source_ids": sids[np.arange(n_p) % len(sids)],
            "notes": "",
        }
    )
    n_pc = 24
    pc_days = FIRST_DAY + (np.arange(n_pc) * 90).astype("timedelta64[D]")
    prisoner_counts = pd.DataFrame(
        {
            "date": pd.Series(pc_days).dt.strftime("%Y-%m-%d"),
            "count": (1400 - 10 * np.arange(n_pc)).astype(str),
            "precision": "exact",
            "counted_by": "Viasna",
            "source_id": sids[np.arange(n_pc) % len(sids)],
            "notes": "",
        }
    )
    n_t = 6
    totals = pd.DataFrame(
        {
            "total_id": [f"t-s{k:02d}" for k in range(n_t)],
            "as_of": [f"2025-{2 * k + 1:02d}-15" for k in range(n_t)],
            "since": "2024-07-01",
            "value": (100 * (np.arange(n_t) + 1)).astype(str),
            "precision": "at_least",
            "scope": "all_releases",
            "wording": "Synthetic total",
            "source_id": sids[np.arange(n_t) % len(sids)],
            "notes": "",
        }
    )
    for name, frame in (
        ("sources", sources),
        ("events", events),
        ("claims", claims),
        ("exchanges", exchanges),
        ("people", people),
        ("prisoner_counts", prisoner_counts),
        ("totals", totals),
    ):
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Write a synthetic belthaw data package (N events) for the scale benchmark."
    )
    p.add_argument("out_dir", type=Path, help="folder to write (created; use a temp dir)")
    p.add_argument("--events", "-n", type=int, default=10_000, help="number of events")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = p.parse_args(argv)
    make_package(args.out_dir, args.events, args.seed)
    print(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
