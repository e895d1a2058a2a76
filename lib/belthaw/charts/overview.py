"""One page: releases, sanctions steps and exchanges on one shared time axis.

Each panel is drawn by its own chart module's plot function, at the page's size.
"""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import pandas as pd

from ..errors import EmptySelectionError
from ..style import COLORS, get_size
from ..transforms.common import between, ids_by_frequency
from .axes import date_axis, pad_x, require_rows, small_font
from .figtext import Built, FigureText
from .wording import fmt_month, fmt_n, period_span, plural
from .exchanges import exchange_rows, plot_exchanges
from .releases import plot_releases
from .relief_steps import plot_relief_steps

#: How the exchanges panel names its rows at each size (see ``exchanges.LAYOUTS``).
EXCHANGE_LAYOUT = {"a4-page": "inline", "slide": "strip", "a4-full": "strip", "a4-half": "strip"}


def overview_figure(
    dataset,
    *,
    start=None,
    end=None,
    size: str = "a4-full",
    annotate_min=20,
    count_what: str = "freed",
    min_confidence: str = "low",
):
    """One page, three stacked panels on a shared time axis: releases, measures, exchanges.

    Returns the Figure (not shown, not saved). Raises EmptySelectionError when no release
    falls in ``start``..``end``; an empty lower panel says so in words instead.

    >>> fig = overview_figure(belthaw.load(), start="2025-01-01")  # doctest: +SKIP
    """
    from ..transforms.exchanges import exchange_pairs
    from ..transforms.sanctions import measures
    from ..transforms.timeline import release_series

    s = get_size(size)
    series = release_series(
        dataset.events,
        dataset.claims,
        start=start,
        end=end,
        count_what=count_what,
        sources=dataset.sources,
        min_confidence=min_confidence,
    )
    require_rows(series, "releases")
    fig, axes = plt.subplots(
        3,
        1,
        sharex=True,
        figsize=(s.width, s.height * 1.6),
        # A named exchanges panel needs two lines a row; an unnamed strip needs little.
        gridspec_kw={"height_ratios": [3, 2, 3.8 if EXCHANGE_LAYOUT[size] == "inline" else 1.3]},
        layout="constrained",
    )
    # Labels only on the larger releases: on one page every bar labelled is a wall of digits.
    plot_releases(series, annotate_min=annotate_min, ax=axes[0])
    axes[0].set_ylabel("People freed")
    meas = measures(dataset.events, start=start, end=end)
    pairs = exchange_pairs(dataset)
    pairs = pairs[between(pairs["release_date"], start, end)]
    # The same rows as 03-exchanges, their words inside the panel so the three panels
    # keep one full-width time axis; a panel too short for two lines a row goes unnamed.
    rows = exchange_rows(pairs, dataset.events)
    draw_exchanges = partial(plot_exchanges, fit=(40, 1), layout=EXCHANGE_LAYOUT[size])
    for ax, frame, fn in ((axes[1], meas, plot_relief_steps), (axes[2], rows, draw_exchanges)):
        try:
            fn(frame, ax=ax)
        except EmptySelectionError as err:
            ax.text(
                0.5,
                0.5,
                str(err),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=small_font(),
                color=COLORS["neutral"],
                wrap=True,
                gid="empty-note",
            )
            ax.set_yticks([])
    for ax in axes[:-1]:
        ax.set_xlabel("")
    dates = pd.concat(
        [series["period"], meas["date"], pairs["concession_date"], pairs["release_date"]]
    )
    dates = dates[between(dates, start, end)]
    pad_x(axes[0], dates, 20)
    date_axis(axes[-1], dates)
    return fig


def overview_text(series, measures_df, pairs, *, start=None, end=None) -> FigureText:
    """Words for the one-page overview (releases, measures, exchanges on one time axis).

    >>> overview_text(release_series(ds.events), measures(ds.events), exchange_pairs(ds))
    ... # doctest: +SKIP
    """
    from ..transforms.headline import headline
    from ..transforms.sanctions import count_actions

    h = headline(series)
    total, lower, n_rel = h.value, h.lower_bound, h.n_releases
    us = measures_df["jurisdiction"].astype(str) == "US"
    us_relief = count_actions(measures_df[us & (measures_df["direction"].astype(str) == "relief")])
    start, end = period_span(series["period"], start, end)
    title = (
        f"{h.phrase()} in {plural(n_rel, 'release')} as the US took "
        f"{plural(us_relief, 'relief action')}"
    )
    near = int((pairs["lag_days"].abs() <= 1).sum()) if len(pairs) else 0
    subtitle = f"{fmt_month(start)} to {fmt_month(end)}; counting rule: {_rules(series)}"
    caption = (
        "Top: people freed per release (hatched = lower bound). Middle: sanctions and border "
        "steps by jurisdiction. Bottom: recorded US step -> release pairs, line style = how "
        "firmly sources link them."
    )
    alt = (
        f"Three stacked panels sharing a time axis from {fmt_month(start)} to {fmt_month(end)}: "
        f"{plural(n_rel, 'release')} totalling {'at least ' if lower else ''}{fmt_n(total)}; "
        f"{plural(len(measures_df), 'sanctions or border step')}; "
        f"{plural(len(pairs), 'recorded pair')}, {near:,} within a day."
    )
    notes = ()
    if lower:
        notes = ("Totals with a lower-bound release are themselves lower bounds.",)
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=notes,
        source_ids=ids_by_frequency(
            series["source_ids"].astype(str),
            measures_df["source_ids"].astype(str),
            pairs["source_ids"].astype(str),
        ),
    )


def build(data, p) -> Built:
    """One page: releases, measures and exchanges on one shared time axis."""
    from ..transforms.exchanges import exchange_pairs
    from ..transforms.sanctions import measures
    from ..transforms.timeline import release_series

    def draw():
        start, end = p.start or None, p.end or None
        fig = overview_figure(
            data,
            start=start,
            end=end,
            size=p.size,
            count_what=p.count_what,
            min_confidence=p.min_confidence,
        )
        series = release_series(
            data.events,
            data.claims,
            start=start,
            end=end,
            count_what=p.count_what,
            sources=data.sources,
            min_confidence=p.min_confidence,
        )
        m = measures(data.events, start=start, end=end)
        pairs = exchange_pairs(data)
        pairs = pairs[between(pairs["release_date"], start, end)]
        return fig, overview_text(series, m, pairs, start=start, end=end)

    return drawn(Built("04-overview", p.size), draw)
