"""transforms/claims.py: when sources disagree on a release, and how a published total is
compared with our itemized sum. Each semantic case is one row of a table."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from belthaw.counting import CountingRule
from belthaw.transforms.claims import (
    agreement,
    checked_span,
    claim_bounds,
    claim_groups,
    claim_ranges,
    claims_long,
    comparable_with_line,
    counters,
    disputed_claims,
    distinct_figures,
    itemized_vs_totals,
    totals_on_chart,
    totals_table,
)
from synth import CLAIMS, EVENTS, make_dataset, release

EV = "ev-20250911-release"  # our count 52 (at least)


def _claims(*figures, event_id=EV):
    """Claims rows from (source_id, value_num, precision)."""
    return [
        dict(claim_id=f"k{i}", event_id=event_id, source_id=src, field="count",
             value=str(v), value_num=v, precision=prec)
        for i, (src, v, prec) in enumerate(figures)
    ]  # fmt: skip


# -- a disagreement only when the ranges the wordings allow do not overlap ----------------

DISAGREEMENT = [
    # (case, figures, disputed, gap)
    ("'more than 50' against an exact 52 is compatible",
     [("ap-1", 52, "exact"), ("reuters-1", 50, "at_least")], False, 0),
    ("'more than N' is read inclusively: it fits an exact N",
     [("ap-1", 50, "exact"), ("reuters-1", 50, "at_least")], False, 0),
    ("two exact figures that differ by one cannot both be true",
     [("ap-1", 51, "exact"), ("reuters-1", 52, "exact")], True, 1),
    ("'about 50' fits 52 (give or take 5 %)",
     [("ap-1", 52, "exact"), ("viasna-1", 50, "approx")], False, 0),
    ("'about 60' does not fit 52",
     [("ap-1", 52, "exact"), ("viasna-1", 60, "approx")], True, 57 - 52),
    ("a 'more than' figure above an exact one is a disagreement",
     [("ap-1", 5, "exact"), ("viasna-1", 8, "at_least")], True, 3),
    ("'more than 100' against 123 is compatible",
     [("ap-1", 123, "exact"), ("reuters-1", 100, "at_least")], False, 0),
    ("the same figure from two sources is no disagreement",
     [("ap-1", 52, "exact"), ("reuters-1", 52, "exact")], False, 0),
    ("our own count does not make a disagreement: only the sources' figures do",
     [("ap-1", 60, "exact"), ("reuters-1", 60, "exact")], False, 0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "figures", "disputed", "gap"), DISAGREEMENT, ids=[r[0] for r in DISAGREEMENT]
)
def test_disagreement_semantics(case, figures, disputed, gap):
    ds = make_dataset(claims=_claims(*figures))
    r = claim_ranges(claims_long(ds)).set_index("event_id").loc[EV]
    assert bool(r["disputed"]) is disputed, case
    assert r["gap"] == pytest.approx(gap)
    drawn = disputed_claims(claims_long(ds))
    assert set(drawn["event_id"]) == ({EV} if disputed else set())


def test_ranges_band_includes_our_count_and_widest_first():
    figures = _claims(("ap-1", 60, "exact"), ("reuters-1", 58, "exact"))
    figures += _claims(
        ("ap-1", 10, "exact"), ("viasna-1", 14, "exact"), event_id="ev-20250621-release"
    )
    for i, c in enumerate(figures):
        c["claim_id"] = f"c{i}"
    r = claim_ranges(claims_long(make_dataset(claims=figures)))
    assert list(r["event_id"]) == ["ev-20250621-release", EV]  # gap 4 before gap 2
    assert list(r["rank"]) == [0, 1]
    row = r.set_index("event_id").loc[EV]
    assert (row["band_low"], row["band_high"]) == (52, 60)  # our 52 widens the band


def test_claims_long_kinds_window_and_single_claims(ds):
    assert len(claims_long(ds)) == 6  # the destination claim has no number
    assert claims_long(ds, start="2025-10-01")["event_id"].unique().tolist() == [
        "ev-20251213-release"
    ]
    truck = dict(EVENTS[0], event_id="ev-trucks", kind="other", count=5000, title="trucks")
    extra = _claims(("ap-1", 1000, "at_least"), ("reuters-1", 5000, "exact"), event_id="ev-trucks")
    ds2 = make_dataset(events=[*EVENTS, truck], claims=[*CLAIMS, *extra])
    assert "ev-trucks" in set(claim_ranges(claims_long(ds2))["event_id"])
    assert "ev-trucks" not in set(claim_ranges(claims_long(ds2, kinds=("release",)))["event_id"])
    # An event with one claim has nothing to disagree with.
    assert "ev-20250621-release" not in set(claim_ranges(claims_long(ds))["event_id"])


@given(
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["exact", "at_least", "approx", "unknown"])),
             min_size=1, max_size=30)
)  # fmt: skip
def test_claim_bounds_hold_the_figure(figures):
    v = pd.Series([f[0] for f in figures], dtype="float64")
    p = pd.Series([f[1] for f in figures])
    low, high = claim_bounds(v, p)
    assert (low <= v).all() and (v <= high).all()
    assert np.isinf(high[p == "at_least"]).all()


# -- counters, not relays --------------------------------------------------------------


def test_counters_origin_over_copies_over_publisher(ds):
    assert counters(ds)["ap-1"] == "AP"  # no origin column: the publisher
    src = ds.sources.assign(
        tier=[
            "republication",
            "original",
            "original",
            "official",
            "official",
            "original",
            "aggregator",
        ],
        original_publisher=["The Associated Press", "", "", "", "", "", ""],
    )
    assert counters(replace(ds, sources=src))["ap-1"] == "The Associated Press"
    src = src.assign(origin=["", "Belarusian president's office", "", "", "", "", ""])
    who = counters(replace(ds, sources=src))
    assert (who["ap-1"], who["reuters-1"], who["viasna-1"]) == (
        "The Associated Press",
        "Belarusian president's office",
        "Viasna",
    )


def test_one_story_relayed_by_two_sites_is_one_counter(ds):
    src = ds.sources.assign(origin=["Reuters", "Reuters", "", "", "", "", ""])
    ds2 = replace(
        make_dataset(claims=_claims(("ap-1", 50, "at_least"), ("reuters-1", 50, "at_least"))),
        sources=src,
    )
    g = claim_groups(claims_long(ds2))
    assert g[["n", "counters"]].values.tolist() == [[1, ["Reuters"]]]


# -- published totals against our sum ------------------------------------------------

RELEASES = [
    release("ev-r1", "2025-01-10", 10, destination="home"),  # pardon
    release("ev-r2", "2025-02-10", 20, destination="Lithuania"),  # US track
    release("ev-r3", "2025-03-10", 30, destination="unknown"),  # pardon, destination unknown
    release("ev-r4", "2025-04-10", 40, destination="Lithuania;home", n_home=15),  # US track
]


def _total(total_id="t", as_of="2025-12-31", since="2025-01-01", value=100, precision="exact",
           scope="all_releases", source_id="ap-1"):  # fmt: skip
    return dict(total_id=total_id, as_of=as_of, since=since, value=value, precision=precision,
                scope=scope, wording="w", source_id=source_id)  # fmt: skip


WINDOWS = [
    # (case, total, itemized, n_releases, first, last, verdict)
    ("a total up to D counts only releases up to D",
     _total(as_of="2025-02-28", value=30), 30, 2, "2025-01-10", "2025-02-10", "consistent"),
    ("both ends of the window are included",
     _total(since="2025-01-10", as_of="2025-02-10", value=30), 30, 2, "2025-01-10", "2025-02-10", "consistent"),
    ("a total from S leaves out releases before S",
     _total(since="2025-02-01", value=90), 90, 3, "2025-02-10", "2025-04-10", "consistent"),
    ("sent abroad: people who stayed and unknown destinations are not counted",
     _total(scope="expelled", value=45), 45, 2, "2025-02-10", "2025-04-10", "consistent"),
    ("decree pardons are the domestic pardons only",
     _total(scope="decree_pardons", value=40), 40, 2, "2025-01-10", "2025-03-10", "consistent"),
    ("the US track is the us_deal releases only",
     _total(scope="us_mediated", value=60), 60, 2, "2025-02-10", "2025-04-10", "consistent"),
    ("'more than N' is met by any sum of N or more",
     _total(precision="at_least", value=90), 100, 4, "2025-01-10", "2025-04-10", "consistent"),
    ("'more than N' with a sum 9 % under N differs",
     _total(precision="at_least", value=110), 100, 4, "2025-01-10", "2025-04-10", "differs"),
    ("an exact total within 2 % agrees",
     _total(value=102), 100, 4, "2025-01-10", "2025-04-10", "consistent"),
    ("within 5 % is close",
     _total(value=104), 100, 4, "2025-01-10", "2025-04-10", "close"),
    ("further off differs",
     _total(value=120), 100, 4, "2025-01-10", "2025-04-10", "differs"),
    ("a political-prisoner total without our split is not comparable",
     _total(scope="political_prisoners", value=60), 0, 4, "2025-01-10", "2025-04-10", "not comparable"),
    ("a window with no release sums to nothing and says so",
     _total(since="2025-05-01", value=5), 0, 0, None, None, "differs"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "total", "itemized", "n", "first", "last", "verdict"), WINDOWS,
                         ids=[w[0] for w in WINDOWS])  # fmt: skip
def test_total_window_semantics(case, total, itemized, n, first, last, verdict):
    ds = make_dataset(events=RELEASES, claims=[], exchanges=[], totals=[total])
    row = itemized_vs_totals(ds).iloc[0]
    assert (row["itemized"], row["n_releases"], row["verdict"]) == (itemized, n, verdict), case
    for col, day in (("first_release", first), ("last_release", last)):
        assert (pd.isna(row[col]) and day is None) or row[col] == pd.Timestamp(day)
    assert (
        pd.isna(row["last_release"])
        or row["since"] <= row["first_release"] <= row["last_release"] <= row["as_of"]
    )
    assert row["counter"] in row["explanation"]
    if n and verdict != "not comparable":  # the explanation says which releases were summed
        assert f"{row['last_release']:%-d %b %Y}" in row["explanation"]


def test_unknown_destination_is_named_not_counted():
    ds = make_dataset(
        events=RELEASES, claims=[], exchanges=[], totals=[_total(scope="expelled", value=45)]
    )
    row = itemized_vs_totals(ds).iloc[0]
    assert (
        row["unknown_destination"] == 30
        and "30 whose destination was not reported" in row["explanation"]
    )


def test_releases_the_total_leaves_out_are_left_out_of_our_sum():
    """A "differs" must not come from a release the published figure says it does not count."""
    ds = make_dataset(
        events=RELEASES, claims=[], exchanges=[], totals=[_total(scope="us_mediated", value=20)]
    )
    assert itemized_vs_totals(ds).iloc[0]["verdict"] == "differs"  # 60 against 20
    ds = replace(ds, totals=ds.totals.assign(excludes="ev-r4"))
    row = itemized_vs_totals(ds).iloc[0]
    assert (row["itemized"], row["excluded"], row["verdict"]) == (20, 40, "consistent")
    assert "40 people its figure does not count" in row["explanation"]


def test_rule_carries_over_foreign_nationals(ds):
    everyone = itemized_vs_totals(ds).set_index("total_id")
    belarusians = itemized_vs_totals(ds, CountingRule(include_foreign_nationals=False)).set_index(
        "total_id"
    )
    foreign = ds.events.loc[ds.events["event_id"] != "ev-20251213-release", "n_foreign"].fillna(0)
    # the 2024 home pardon has no foreign nationals; every other window loses some
    assert belarusians.loc["t-pardon", "itemized"] == everyone.loc["t-pardon", "itemized"]
    assert belarusians.loc["t-all", "itemized"] == everyone.loc["t-all", "itemized"] - int(
        foreign.sum()
    )


# -- one published figure is one agreement ----------------------------------------------

FIGURES = [
    # (case, totals (source_id, value, as_of), extra columns, distinct figures)
    ("one figure relayed twice is one figure",
     [("ap-1", 100, "2025-12-31"), ("ap-1", 100, "2025-12-31")], {}, 1),
    ("the same counter on two dates gives two figures",
     [("ap-1", 100, "2025-12-31"), ("ap-1", 100, "2025-11-30")], {}, 2),
    ("two counters with one value are two figures",
     [("ap-1", 100, "2025-12-31"), ("reuters-1", 100, "2025-12-31")], {}, 2),
    ("two outlets relaying one office's figure are one figure",
     [("ap-1", 100, "2025-12-31"), ("reuters-1", 100, "2025-12-31")],
     {"origin": ["Presidential office", "Presidential office", "", "", "", "", ""]}, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "rows", "extra", "n_figures"), FIGURES, ids=[f[0] for f in FIGURES]
)
def test_agreement_counts_distinct_figures(case, rows, extra, n_figures):
    totals = [
        _total(total_id=f"t{i}", source_id=s, value=v, as_of=d) for i, (s, v, d) in enumerate(rows)
    ]
    ds = make_dataset(events=RELEASES, claims=[], exchanges=[], totals=totals)
    if "origin" in extra:
        ds = replace(ds, sources=ds.sources.assign(origin=extra["origin"]))
    cmp = itemized_vs_totals(ds)
    assert agreement(cmp) == (n_figures, n_figures), case
    shown = totals_on_chart(cmp)
    assert len(shown) == n_figures and shown["n_reports"].sum() == len(rows)
    if n_figures == 1:
        assert cmp["repeat_of"].tolist() == ["", "t0"]
        assert set(shown.iloc[0]["source_ids"].split(";")) == {r[0] for r in rows}


def test_totals_on_chart_window_scope_and_comparability(ds):
    cmp = itemized_vs_totals(ds)
    assert set(totals_on_chart(cmp)["total_id"]) == set(cmp["total_id"])
    assert set(totals_on_chart(cmp, end="2025-06-30")["total_id"]) == {"t-pardon"}
    assert set(totals_on_chart(cmp, scopes=("expelled",))["total_id"]) == {"t-expelled", "t-close"}
    political = make_dataset(totals=[_total(scope="political_prisoners")])
    assert totals_on_chart(itemized_vs_totals(political)).empty


def test_totals_table_lists_every_total(ds):
    cmp = itemized_vs_totals(ds)
    shown = totals_on_chart(cmp, scopes=("expelled",))
    table = totals_table(cmp, shown)
    assert len(table) == len(cmp) and table["on_figure"].sum() == len(shown)
    assert table.loc[table["on_figure"], "scope"].eq("expelled").all()
    assert table["as_of"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert {"counter", "publisher", "repeat_of", "explanation", "first_release"} <= set(
        table.columns
    )


def test_checked_span_and_comparable_with_line(ds):
    cmp = itemized_vs_totals(ds)
    first, last = checked_span(cmp)
    released = ds.events[ds.events["kind"] == "release"]
    assert first == released["date"].min()
    assert last == released.loc[released["date"] <= cmp["as_of"].max(), "date"].max()
    line = comparable_with_line(cmp, "freed", None)
    assert (
        set(line["scope"]) == {"all_releases"}
        and (line["since"] == pd.Timestamp("2024-07-01")).all()
    )
    assert checked_span(cmp.iloc[0:0]) is None


def test_a_relay_alone_still_counts_as_the_figure():
    totals = [_total(total_id="t0", value=100), _total(total_id="t1", value=100)]
    cmp = itemized_vs_totals(make_dataset(events=RELEASES, claims=[], exchanges=[], totals=totals))
    assert cmp["repeat_of"].tolist() == ["", "t0"]
    only_relay = cmp[cmp["total_id"] == "t1"]
    assert agreement(only_relay) == (1, 1)
    assert distinct_figures(only_relay)["total_id"].tolist() == ["t1"]


@given(
    st.lists(
        st.tuples(st.sampled_from(["AP", "Viasna"]), st.integers(1, 3), st.integers(1, 3),
                  st.sampled_from(["consistent", "differs", "not comparable"])),
        min_size=1, max_size=12,
    ),
    st.data(),
)  # fmt: skip
def test_relaying_a_figure_again_never_changes_agreement(rows, data):
    def frame(rs):
        return pd.DataFrame(
            {
                "total_id": [f"t{i}" for i in range(len(rs))],
                "source_id": [f"s{i}" for i in range(len(rs))],
                "counter": [r[0] for r in rs],
                "value": [r[1] for r in rs],
                "as_of": [pd.Timestamp(2025, 1, r[2]) for r in rs],
                "verdict": [r[3] for r in rs],
            }
        )

    # a figure's verdict follows from the figure, so a relay repeats it
    first = {}
    rows = [(*r[:3], first.setdefault(r[:3], r[3])) for r in rows]
    again = data.draw(st.sampled_from(rows))
    ok, n = agreement(frame(rows))
    assert agreement(frame([*rows, again])) == (ok, n)
    assert n == len({r[:3] for r in rows if r[3] != "not comparable"})
