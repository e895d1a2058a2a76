"""Finding-titles: numbers come from the frames; sources ordered by citations."""

import re

import pytest

from belthaw.charts.base import FigureText
from belthaw.charts.claims import claims_text, disputed_claims
from belthaw.charts.overview import overview_text
from belthaw.charts.releases import releases_text
from belthaw.charts.totals import totals_text
from belthaw.transforms.claims import itemized_vs_totals
from belthaw.transforms.exchanges import exchange_pairs
from belthaw.transforms.sanctions import measures
from belthaw.transforms.timeline import release_series, stock_series
from synth import make_dataset, release


def test_releases_text(ds):
    s = release_series(ds.events, ds.claims)
    ft = releases_text(s, stock_series(ds.prisoner_counts), itemized_vs_totals(ds))
    assert isinstance(ft, FigureText)
    assert ft.title == (
        "At least 213 people freed in 7 releases since July 2024, yet some 1,110 are still held"
    )
    assert "July 2024 to January 2026" in ft.subtitle
    assert "213" in ft.alt and "123" in ft.alt
    assert any("lower bound" in n for n in ft.notes)
    assert ft.source_ids[0] == "viasna-1"  # cited most often (releases + stock)
    assert set(ft.source_ids) == {"viasna-1", "ap-1", "reuters-1"}


@pytest.mark.parametrize(
    ("rows", "title_start"),
    [
        (
            [
                release("ev-20250101-a", "2025-01-01", 1000),
                release("ev-20250201-b", "2025-02-01", 140),
            ],
            "1,140 people freed in 2 releases since January 2025",
        ),
        (
            [release("ev-20250101-a", "2025-01-01", 5, "at_least")],
            "At least 5 people freed in 1 release since January 2025",
        ),
    ],
)
def test_releases_title_numbers_come_from_data(rows, title_start):
    ds = make_dataset(events=rows, claims=[], exchanges=[])
    ft = releases_text(release_series(ds.events), None, None)
    assert ft.title == title_start


def test_counting_rules_in_subtitle(ds):
    params = {"include_foreign_nationals": False, "count_basis": "lower"}
    s = release_series(ds.events, ds.claims, **params)
    ft = releases_text(s, None, None)
    assert "foreign nationals left out" in ft.subtitle
    assert "lowest figure any source gives" in ft.subtitle


def test_claims_text(ds):
    from belthaw.transforms.claims import claims_long

    shown = disputed_claims(claims_long(ds, kinds=("release",)))
    ft = claims_text(shown, 1, left_out=["2025-10-31"])
    assert ft.title == (
        "Sources disagree on the size of 1 release, on 11 Sep 2025: more than 50 against about 60"
    )
    # Publishers are named in the caption (the chart shows none), per figure.
    assert "more than 50: Reuters" in ft.caption and "about 60: Viasna" in ft.caption
    assert len(ft.notes) <= 2 and "31 Oct 2025" in ft.notes[0]
    assert set(ft.source_ids) == set(shown["source_id"])


def test_claims_text_says_when_rows_are_cut(ds):
    from belthaw.transforms.claims import claims_long

    ft = claims_text(disputed_claims(claims_long(ds)), 4)
    assert ft.title.startswith("Sources disagree on the size of 4 releases, most widely on")
    assert "the 1 widest of 4 shown" in ft.subtitle
    assert any("3 more disputed releases" in n for n in ft.notes)


def test_totals_text(ds):
    cmp = itemized_vs_totals(ds)
    shown = cmp[cmp["scope"].astype(str) != "us_mediated"]
    ft = totals_text(shown, cmp, table_name="05-totals-table.csv")
    n_ok = int((shown["verdict"] == "consistent").sum())
    assert ft.title.startswith(f"{n_ok} of {len(shown)} published totals agree")
    left = len(cmp) - len(shown)
    assert f"{left} total" in ft.notes[0] and "05-totals-table.csv" in ft.notes[0]
    assert "05-totals-table.csv" in ft.caption and len(ft.notes) <= 2


def test_overview_text(ds):
    s = release_series(ds.events)
    ft = overview_text(s, measures(ds.events), exchange_pairs(ds))
    assert ft.title == "At least 213 people freed in 7 releases as the US took 2 relief actions"
    assert ft.source_ids[:2] == ("ap-1", "reuters-1")


def test_no_hard_coded_numbers_in_titles(ds):
    """Every number in each title appears in the frames it was computed from."""
    s = release_series(ds.events, start="2025-06-01")
    ft = releases_text(s, None, None, start="2025-06-01")
    nums = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", ft.title)}
    assert nums == {int(s["count"].sum()), len(s), 2025}
