"""The real data package grown to N events, for the scale benchmark; it passes ``belthaw validate``.

    python benchmarks/synth.py OUT_DIR --events 5000 [--seed 0]

The real data holds under a hundred events; the benchmark asks what happens at thousands,
the size the data can become. This copies ``data/`` (schema, sources with their origins,
claims with the link claims behind every exchange, and the other tables: all as audited)
and adds synthetic events up to N, each citing real first-hand sources, so only
``events.csv`` grows, as it would. The added releases have no count claim, which
``validate`` reports as a warning, not an error. Deterministic for a given (N, seed);
write it to a temp folder, never commit it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"
#: kind -> share of the added events; releases dominate so the monthly series has work to do.
KINDS = {"release": 0.55, "sanctions_relief": 0.1, "sanctions_tightening": 0.1,
         "diplomatic_contact": 0.1, "statement": 0.1, "other": 0.05}  # fmt: skip
JURISDICTIONS = np.array(["US", "EU", "LT", "PL", "BY", "UA", "VA", "other"])
DESTINATIONS = np.array(["Lithuania", "Poland", "home", "Lithuania;home", "Ukraine", ""])
FIRST_DAY, N_DAYS = np.datetime64("2020-01-01"), 2250  # up to early 2026: never after "today"


def synthetic_events(n: int, sources: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` events in the events.csv columns, citing one or two first-hand sources each."""
    firsthand = sources[sources["tier"].isin(["original", "official"])]
    sids = firsthand["source_id"].to_numpy(dtype=object)
    day = pd.Series(FIRST_DAY + rng.integers(0, N_DAYS, n).astype("timedelta64[D]"))
    kind = rng.choice(list(KINDS), n, p=list(KINDS.values()))
    release, sanctions = kind == "release", np.char.startswith(kind.astype(str), "sanctions")
    counted = np.isin(kind, ["release", "statement", "other"]) & (rng.random(n) < 0.95)
    count = rng.integers(1, 120, n)
    a = rng.integers(0, len(sids), n)
    b = (a + rng.integers(1, len(sids), n)) % len(sids)  # never a == b
    # a release of more than 50 people on one source is a warning: those get two
    two = (rng.random(n) < 0.6) | (counted & (count > 50))
    idx = np.arange(n).astype(str)
    return pd.DataFrame(
        {
            "event_id": "ev-" + day.dt.strftime("%Y%m%d") + "-synth-" + idx,
            "date": day.dt.strftime("%Y-%m-%d"),
            "date_precision": "day",
            "kind": kind,
            "jurisdiction": rng.choice(JURISDICTIONS, n),
            "actor": np.where(release, "Alexander Lukashenko", "Synthetic actor"),
            "title": "Synthetic event " + idx,
            "instrument": np.where(sanctions, "synthetic-measure", ""),
            "action_stage": np.where(sanctions, "effective", ""),
            "count": np.where(counted, count.astype(str), ""),
            "count_precision": np.where(counted, "exact", ""),
            "destination": np.where(release, rng.choice(DESTINATIONS, n), ""),
            "release_type": np.where(release, "pardon", ""),
            "source_ids": np.where(two, sids[a] + ";" + sids[b], sids[a]),
        }
    )


def make_package(out_dir: Path | str, n_events: int, seed: int = 0) -> Path:
    """Write the real package grown to ``n_events`` events into ``out_dir``; return the folder."""
    out = Path(out_dir)
    shutil.copytree(DATA, out, dirs_exist_ok=True)
    events = pd.read_csv(DATA / "events.csv", dtype=str, keep_default_na=False)
    if n_events < len(events):
        raise ValueError(f"n_events must be at least {len(events)}, the real events")
    sources = pd.read_csv(DATA / "sources.csv", dtype=str, keep_default_na=False)
    added = synthetic_events(n_events - len(events), sources, np.random.default_rng(seed))
    grown = pd.concat([events, added], ignore_index=True).fillna("")[events.columns]
    grown.to_csv(out / "events.csv", index=False, lineterminator="\n")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir", type=Path, help="folder to write (created; use a temp dir)")
    p.add_argument("--events", "-n", type=int, default=5000, help="number of events")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = p.parse_args(argv)
    print(make_package(args.out_dir, args.events, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
