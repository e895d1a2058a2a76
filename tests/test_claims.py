"""Claim ranges, long claims and the itemized-vs-published verdicts."""

import pytest

from belthaw.transforms.claims import claim_ranges, claims_long, itemized_vs_totals
from synth import make_dataset


def test_claim_ranges(ds):
    r = claim_ranges(ds).set_index("event_id")
    assert list(r.index) == ["ev-20250911-release", "ev-20251213-release"]  # c7 alone: out
    row = r.loc["ev-20250911-release"]
    assert (row["best"], row["low"], row["high"]) == (52, 50, 60)
    assert row["n_sources"] == 3 and row["n_claims"] == 3 and row["disputed"]
    assert ("Reuters", "more than 50", "at_least") in row["values"]
    assert not r.loc["ev-20251213-release", "disputed"]


def test_claims_long(ds):
    cl = claims_long(ds, ["ev-20250911-release"])
    assert cl["publisher"].tolist() == ["Reuters", "AP", "Viasna"]
    assert cl["value_num"].tolist() == [50, 52, 60]
    assert (cl["best"] == 52).all()
    assert len(claims_long(ds)) == 6  # the destination claim has no number


@pytest.mark.parametrize(
    ("total_id", "itemized", "lower_bound", "verdict"),
    [
        ("t-all", 213, True, "consistent"),  # more than 200, we have >= 213
        ("t-us", 192, True, "consistent"),  # 190 exact, within 2 %
        ("t-pardon", 18, False, "consistent"),  # home only, to end of 2024
        ("t-expelled", 195, True, "differs"),  # about 250 vs 195
        ("t-close", 195, True, "close"),  # 190 vs 195: 2.6 %
    ],
)
def test_itemized_vs_totals(ds, total_id, itemized, lower_bound, verdict):
    c = itemized_vs_totals(ds).set_index("total_id")
    row = c.loc[total_id]
    assert row["itemized"] == itemized
    assert bool(row["itemized_is_lower_bound"]) is lower_bound
    assert row["difference"] == itemized - row["value"]
    assert row["verdict"] == verdict
    assert row["publisher"] in row["explanation"]


@pytest.mark.parametrize(
    ("total_id", "itemized", "verdict"),
    [("t-all", 194, "close"), ("t-us", 174, "differs"), ("t-pardon", 18, "consistent")],
)
def test_itemized_without_foreign_nationals(ds, total_id, itemized, verdict):
    c = itemized_vs_totals(ds, include_foreign_nationals=False).set_index("total_id")
    assert (c.loc[total_id, "itemized"], c.loc[total_id, "verdict"]) == (itemized, verdict)


def test_since_defaults_and_explanation(ds):
    c = itemized_vs_totals(ds).set_index("total_id")
    assert str(c.loc["t-all", "since"].date()) == "2024-07-01"
    assert c.loc["t-all", "explanation"] == (
        "AP gives more than 200 (people freed, 1 Jul 2024 to 31 Dec 2025); our itemized "
        "releases add up to at least 213, which meets the 'more than' figure."
    )


def test_kinds_filter_and_n_values():
    from synth import CLAIMS, EVENTS

    truck = dict(EVENTS[0], event_id="ev-trucks", kind="other", count=5000, title="trucks")
    extra = [
        dict(CLAIMS[0], claim_id="t1", event_id="ev-trucks", value="over 1,000", value_num=1000),
        dict(CLAIMS[0], claim_id="t2", event_id="ev-trucks", value="5,000", value_num=5000),
    ]
    ds = make_dataset(events=[*EVENTS, truck], claims=[*CLAIMS, *extra])
    assert "ev-trucks" in set(claim_ranges(ds)["event_id"])
    r = claim_ranges(ds, kinds=("release",)).set_index("event_id")
    assert "ev-trucks" not in r.index
    assert r.loc["ev-20250911-release", "n_values"] == 3
    assert set(claims_long(ds, kinds="release")["event_id"]) <= set(
        ds.events.loc[ds.events["kind"] == "release", "event_id"]
    )
