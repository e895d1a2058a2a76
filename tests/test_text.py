"""Finding-titles: numbers come from the frames; sources ordered by citations."""

import re

import pytest

from belthaw.charts.base import FigureText
from belthaw.charts.overview import overview_text
from belthaw.charts.releases import releases_text
from belthaw.charts.relief_steps import relief_text
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


def test_relief_text(ds):
    ft = relief_text(measures(ds.events))
    assert ft.title == (
        "The US took 2 relief actions on Belavia and potash while the EU and Lithuania "
        "tightened 2 times"
    )
    assert ft.source_ids[0] == "state-1"


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
