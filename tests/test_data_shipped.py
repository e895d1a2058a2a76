"""The data that ships: it validates, and facts from the core articles are where they should be."""

from __future__ import annotations

import pandas as pd
import pytest

import belthaw
from belthaw.data.names import find_person


@pytest.fixture(scope="module")
def data():
    return belthaw.load()


def test_shipped_data_validates_without_errors():
    report = belthaw.validate()
    assert report.ok, str(report)


def release(data, day: str) -> pd.Series:
    ev = data.events
    rows = ev[(ev["kind"] == "release") & (ev["date"] == pd.Timestamp(day))]
    assert len(rows) == 1, f"expected one release on {day}, found {len(rows)}"
    return rows.iloc[0]


def claims_for(data, event_id: str) -> pd.DataFrame:
    c = data.claims
    return c[(c["event_id"] == event_id) & (c["field"] == "count")]


@pytest.mark.parametrize(
    "day,count,also_claimed",
    [
        # 52 pardoned (most sources), 51 actually left: Statkevich refused and was taken back.
        ("2025-09-11", 51, {(50.0, "at_least"), (52.0, "exact")}),
        # Caliber.az said "more than a hundred"; the others 123.
        ("2025-12-13", 123, {(100.0, "at_least")}),
        ("2025-06-21", 14, set()),
        ("2026-03-19", 250, set()),
    ],
)
def test_release_counts_and_every_claim_survive(data, day, count, also_claimed):
    ev = release(data, day)
    assert ev["count"] == count and ev["count_precision"] == "exact"
    claims = claims_for(data, ev["event_id"])
    have = set(zip(claims["value_num"], claims["precision"].astype(str), strict=True))
    assert (float(count), "exact") in have
    assert also_claimed <= have, f"missing claims {also_claimed - have}"


def test_the_13_december_release_went_to_ukraine_and_lithuania(data):
    ev = release(data, "2025-12-13")
    assert set(ev["destination"].split(";")) == {"Ukraine", "Lithuania"}
    assert ev["n_home"] == 0


def test_the_19_march_release_mostly_stayed_home(data):
    ev = release(data, "2026-03-19")
    assert ev["n_home"] == 235 and "Lithuania" in ev["destination"]


@pytest.mark.parametrize(
    "action,stages",
    [
        ("us-belavia-partial", {"announced", "licence_issued"}),
        ("us-belavia-delisting", {"list_updated", "published"}),
        ("us-potash-2025", {"announced", "licence_issued"}),
    ],
)
def test_each_sanctions_action_keeps_all_its_dates(data, action, stages):
    ev = data.events
    rows = ev[ev["action_id"] == action]
    assert set(rows["action_stage"].astype(str)) == stages
    assert (rows["jurisdiction"] == "US").all()


def test_potash_announced_13_december_licensed_15_december(data):
    ev = data.events.set_index("action_stage")[lambda d: d["action_id"] == "us-potash-2025"]
    assert ev.loc["announced", "date"] == pd.Timestamp("2025-12-13")
    assert ev.loc["licence_issued", "date"] == pd.Timestamp("2025-12-15")


def test_the_august_call_and_the_envoy_appointment_are_there(data):
    ev = data.events
    call = ev[(ev["date"] == "2025-08-15") & (ev["kind"] == "diplomatic_contact")]
    envoy = ev[(ev["date"] == "2025-11-09") & (ev["kind"] == "appointment")]
    assert len(call) == 1 and len(envoy) == 1


@pytest.mark.parametrize(
    "variant,name",
    [
        ("Lukashenka", None),  # surname alone is not a full variant; checked below
        ("Maria Kolesnikova", "Maria Kalesnikava"),
        ("Viktor Babariko", "Viktar Babaryka"),
        ("Sergei Tikhanovsky", "Siarhei Tsikhanouski"),
    ],
)
def test_transliteration_variants_resolve(data, variant, name):
    if name is None:
        row = data.people[data.people["name"].str.contains("Lukashenko")]
        assert len(row) == 1 and "Lukashenka" in row.iloc[0]["variants"]
        return
    assert find_person(data.people, variant)["name"] == name


def test_statkevich_refused_exile_then_went_home(data):
    p = data.people.set_index("person_id").loc["mikola-statkevich"]
    assert p["outcome"] == "released_home"
    ev = data.events.set_index("event_id")
    assert ev.loc[p["release_event_id"], "date"] == pd.Timestamp("2026-02-19")
    assert any(
        ev.loc[e, "date"] == pd.Timestamp("2025-09-11") for e in p["other_event_ids"].split(";")
    )


def test_published_totals_keep_each_sources_claim(data):
    t = data.totals
    assert {(430, "at_least"), (569, "exact")} <= set(
        zip(t["value"], t["precision"].astype(str), strict=True)
    )


def test_every_release_rests_on_at_least_one_claim_or_source(data):
    ev = data.events[data.events["kind"] == "release"]
    claimed = ev["event_id"].isin(data.claims["event_id"])
    assert claimed.all(), list(ev.loc[~claimed, "event_id"])


def test_the_headline_recomputes_by_hand_from_events_csv(data):
    """The README's rule, applied with the csv module alone, gives every output's headline."""
    import csv

    from belthaw import paths
    from belthaw.transforms.headline import default_headlines

    with open(paths.DATA_DIR / "events.csv", encoding="utf-8", newline="") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["kind"] == "release"
            and r["release_type"] in ("pardon", "us_deal", "transfer")  # the swap left out
            and r["date"] >= "2024-07-01"
        ]
    by_hand = sum(int(r["count"]) for r in rows if r["count"])
    freed = default_headlines(data)[0]
    assert (freed.value, freed.n_releases, freed.what) == (by_hand, len(rows), "people freed")
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert f"**{freed.phrase()}** in {freed.n_releases} releases since July 2024" in readme


def test_statkevich_is_counted_once(data):
    people = data.people.set_index("person_id")
    statkevich = people.loc[[i for i in people.index if "statkevich" in i][0]]
    freed_in = data.events.set_index("event_id").loc[statkevich["release_event_id"]]
    assert freed_in["date"] == pd.Timestamp("2026-02-19")
    sep = release(data, "2025-09-11")
    assert sep["event_id"] in statkevich["other_event_ids"].split(";")
    assert int(sep["n_pardoned"]) - int(sep["count"]) == 1
