"""04-overview: one page with releases, sanctions steps and exchanges on one shared time axis,
each panel drawn by its own chart's plot function (``draw``, ``overview_text``)."""

from __future__ import annotations

import pandas as pd

from ..counting import CountingRule
from ..errors import EmptySelectionError
from ..style import COLORS, house_style
from ..transforms.common import ids_by_frequency
from ..transforms.headline import headline
from ..transforms.sanctions import relief_finding
from .axes import (
    date_axis,
    is_narrow_size,
    is_short_size,
    new_figure,
    pad_x,
    require_rows,
    small_font,
)
from .exchanges import plot_exchanges
from .figtext import FigureText
from .releases import plot_releases
from .relief_steps import plot_relief_steps
from .wording import fmt_month, fmt_n, period_span, plural

NAME = "04-overview"


def draw(
    series: pd.DataFrame, measures_df: pd.DataFrame, exchange_rows_df: pd.DataFrame, *,
    size: str = "a4-page", annotate_min: int | None = 20,
):  # fmt: skip
    """Three stacked panels on a shared time axis: releases, measures, exchanges.

    ``exchange_rows_df`` is what 03-exchanges draws (:func:`belthaw.transforms.exchanges.exchange_rows`).
    An empty lower panel says so in words instead of drawing a blank box.
    """
    require_rows(series, "releases")
    # On the full page the exchanges panel names its rows (two lines a row); elsewhere it
    # is an unnamed strip, given a little more off the page, where the date ticks under
    # it are a large part of what it is given.
    page = size == "a4-page"
    ratios = [3, 2, 3.8 if page else 1.8]
    # A half page or an 8 cm column leaves the three panels a few lines: no legends at
    # all (the caption points to 01, 02 and 03 for the marks), two lanes of steps.
    short = is_short_size(size) or is_narrow_size(size)
    fig, axes = new_figure(size, 3, sharex=True, layout="constrained",
                           gridspec_kw={"height_ratios": [1.4, 1.2, 1.2] if short else ratios})  # fmt: skip
    with house_style(size):
        # Labels only on the larger releases: on one page every bar labelled is a wall of digits.
        plot_releases(series, annotate_min=annotate_min, legend=not short, ax=axes[0])
        axes[0].set_ylabel("Freed" if short else "People freed")
        # Off the full page the lower panels drop their legends (the caption points to 02
        # and 03 for their marks) and the steps take one lane per jurisdiction.
        steps = {} if page else {"legend": False, "lanes": "side" if short else "jurisdiction"}
        layout = "inline" if page else "strip"
        pairs = {"fit": (28, 1), "layout": layout, "legend": page}
        for ax, frame, fn, kw in (
            (axes[1], measures_df, plot_relief_steps, steps),
            (axes[2], exchange_rows_df, plot_exchanges, pairs),
        ):
            try:
                fn(frame, ax=ax, **kw)
            except EmptySelectionError as err:
                ax.text(0.5, 0.5, str(err), transform=ax.transAxes, ha="center", va="center",
                        fontsize=small_font(), color=COLORS["neutral"], wrap=True, gid="empty-note")  # fmt: skip
                ax.set_yticks([])
        for ax in axes[:-1]:
            ax.set_xlabel("")
        dates = [series["period"], series["period_end"]]
        dates += [measures_df["date"]] if len(measures_df) else []
        dates += [exchange_rows_df[c] for c in ("concession_date", "release_date")
                  if c in exchange_rows_df and len(exchange_rows_df)]  # fmt: skip
        pad_x(axes[0], pd.concat(dates), 20)
        date_axis(axes[-1], pd.concat(dates))
    return fig


def overview_text(
    series: pd.DataFrame, measures_df: pd.DataFrame, pairs: pd.DataFrame, rule: CountingRule, *,
    us_track: pd.DataFrame | None = None, start=None, end=None,
) -> FigureText:  # fmt: skip
    """The words of 04-overview.

    ``us_track`` is the release series restricted to releases on the US track (release
    type ``us_deal``): the title puts releases beside US steps, so it keeps the domestic
    pardons, which no source ties to a US step, apart from the US-track releases.
    """
    require_rows(series, "releases")
    h = headline(series, rule, start=start)
    relief = relief_finding(measures_df)
    start, end = period_span(series["period"], start, end)
    title = f"{h.phrase()} in {plural(h.n_releases, 'release')} since {fmt_month(start)}"
    if us_track is not None and len(us_track):
        u = headline(us_track, rule, start=start)
        # Only the US-track releases are set beside the US steps; an announced step is
        # not counted as a licence issued.
        title += (
            f"; {'at least ' if u.lower_bound else ''}{fmt_n(u.value)} of the {fmt_n(h.value)} came in "
            f"{plural(u.n_releases, 'release')} on the US track, while the US issued "
            f"{plural(relief['issued'], 'relief action')}"
        )
        if relief["announced"]:
            title += f" and announced {relief['announced']:,} more"
    near = int((pairs["lag_days"].abs() <= 1).sum()) if len(pairs) else 0
    subtitle = f"{fmt_month(start)} to {fmt_month(end)}; counting rule: {h.rule}"
    caption = (
        "Top: people freed per release, marked as in 01-releases. Middle: sanctions steps by "
        "jurisdiction, marked as in 02-relief-steps. Bottom: each US step paired with a "
        "release, line style = how firmly sources link them, as in 03-exchanges."
    )
    alt = (
        f"Three stacked panels sharing a time axis from {fmt_month(start)} to {fmt_month(end)}: "
        f"{plural(h.n_releases, 'release')} totalling {'at least ' if h.lower_bound else ''}{fmt_n(h.value)}; "
        f"{plural(len(measures_df), 'sanctions step')}; "
        f"{plural(len(pairs), 'US step and release pair')}, {near:,} of them within a day."
    )
    lower = "Totals with a lower-bound release are themselves lower bounds."
    notes = (lower,) if h.lower_bound else ()
    ids = ids_by_frequency(series["source_ids"].astype(str), measures_df["source_ids"].astype(str),
                           pairs["source_ids"].astype(str) if len(pairs) else [])  # fmt: skip
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt, notes=notes, source_ids=ids
    )
