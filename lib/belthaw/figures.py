"""The workbook's figures, one function per figure, as the notebooks call them.

Each ``build_*`` function takes the loaded data and the notebook's checked
parameters and returns a :class:`Built`: the finished figure (title = the
finding, subtitle = the scope, source line from the rows drawn, data date), or
- when the parameters leave nothing to draw - the reason, in words. Notebooks
then call :func:`show` and :func:`save`; they hold no logic of their own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths
from .errors import EmptySelectionError
from .figtext import FigureText
from .freshness import AS_OF_NOTE, STALE_AFTER_DAYS, age_days, stale_warning


class NotebookParams(dict):
    """A notebook's parameters after checking, with the notebook's name attached."""

    notebook: str = ""


@dataclass
class Built:
    """One figure ready to show and save, or the reason there is nothing to draw."""

    name: str
    size: str
    fig: Any = None
    text: FigureText | None = None
    message: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.fig is None


def check_params(notebook: str, namespace: Mapping[str, Any]) -> NotebookParams:
    """Read the notebook's declared parameters from ``namespace`` and check them.

    The same checks as ``belthaw run`` does before a kernel starts (types, choices,
    dates, end after start), so a value typed by hand in JupyterLab gets the same
    clear message, naming the parameter and what is allowed.

    >>> params = check_params("01_releases", globals())      # doctest: +SKIP
    """
    from .params import coerce_and_check, notebook_params

    specs = notebook_params(paths.NOTEBOOKS_DIR / f"{notebook}.ipynb")
    values = {name: namespace[name] for name in specs if name in namespace}
    out = NotebookParams(coerce_and_check(notebook, specs, values))
    out.notebook = notebook
    return out


def as_of_note(data, stale_after_days: int = STALE_AFTER_DAYS, today=None) -> str:
    """Words to put beside "Data as of" when the data is old; "" when it is fresh."""
    return AS_OF_NOTE if age_days(data.as_of, today) > stale_after_days else ""


def staleness_warning(data, stale_after_days: int = STALE_AFTER_DAYS, today=None) -> str:
    """A one-line warning when the newest event is older than ``stale_after_days``."""
    return stale_warning(data.as_of, stale_after_days, today)


def _finished(name: str, size: str, data, params, draw: Callable[[], tuple[Any, FigureText]]):
    """Draw under the house style at the named size; turn an empty selection into words."""
    import matplotlib.pyplot as plt

    from .save import finish_figure, source_line
    from .style import get_size, house_style

    s = get_size(size)
    with house_style(size):
        try:
            fig, text = draw()
        except EmptySelectionError as exc:
            plt.close("all")
            return Built(name, size, message=str(exc))
        fig.set_size_inches(s.width, s.height)
        line = source_line(data.publishers_in_order(text.source_ids), sidecar_name=name)
        note = as_of_note(data, params.get("stale_after_days", STALE_AFTER_DAYS))
        finish_figure(fig, text, source_line=line, as_of=f"{data.as_of:%Y-%m-%d}", as_of_note=note)
    return Built(name, size, fig=fig, text=text)


def _new_fig(size: str, nrows: int = 1, **kw):
    import matplotlib.pyplot as plt

    from .style import get_size

    s = get_size(size)
    return plt.subplots(nrows, 1, figsize=(s.width, s.height), **kw)


def _series(data, params, **over):
    from .timeline import release_series

    kw = dict(
        start=(params.get("start") or None),
        end=(params.get("end") or None),
        granularity=params.get("granularity", "event"),
        include_foreign_nationals=params.get("include_foreign_nationals", True),
        include_released_home=params.get("include_released_home", True),
        count_basis=params.get("count_basis", "best"),
    )
    kw.update(over)
    return release_series(data.events, data.claims, **kw)


def build_releases(data, params: Mapping[str, Any]) -> Built:
    """Releases (one bar per release or period) above the stock of political prisoners held."""
    from .plots import plot_releases, plot_stock
    from .text import releases_text
    from .timeline import stock_series

    size = params.get("size", "a4-full")

    def draw():
        series = _series(data, params)
        stock = stock_series(
            data.prisoner_counts,
            start=(params.get("start") or None),
            end=(params.get("end") or None),
        )
        # The stock moves slowly; the releases panel needs the height for its labels.
        fig, (top, bottom) = _new_fig(size, 2, sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
        plot_releases(series, annotate_min=params.get("annotate_min"), ax=top)
        top.set_xlabel("")
        # Short axis labels: the long ones are taller than a panel and run into each other.
        top.set_ylabel("People freed")
        if len(stock):
            plot_stock(stock, ax=bottom)
            bottom.set_ylabel("Still held")
        else:
            bottom.set_axis_off()
        fig.align_ylabels([top, bottom])
        return fig, releases_text(series, stock, None, params)

    return _finished("01-releases", size, data, params, draw)


def build_cumulative(data, params: Mapping[str, Any]) -> Built:
    """Running itemized total of people freed against every published cumulative total."""
    from .claims import itemized_vs_totals
    from .plots import plot_cumulative
    from .text import cumulative_text

    size = params.get("size", "a4-full")

    def draw():
        # The running total always counts event by event: a monthly step would hide
        # which release a published total should be compared with.
        series = _series(data, params, granularity="event")
        cmp = itemized_vs_totals(
            data, include_foreign_nationals=params.get("include_foreign_nationals", True)
        )
        from .timeline import between

        cmp = cmp[between(cmp["as_of"], (params.get("start") or None), (params.get("end") or None))]
        fig, ax = _new_fig(size)
        plot_cumulative(series, cmp, ax=ax)
        return fig, cumulative_text(series, cmp, params)

    return _finished("01-cumulative", size, data, params, draw)


def build_relief_steps(data, params: Mapping[str, Any]) -> Built:
    """US relief steps per instrument, each action's dates joined; EU/LT/PL measures beside them."""
    from .plots import plot_relief_steps
    from .sanctions import measures
    from .text import relief_text

    size = params.get("size", "a4-full")

    def draw():
        m = measures(
            data.events,
            jurisdictions=tuple(params.get("jurisdictions", ("US", "EU", "LT", "PL"))),
            show_tightening=params.get("show_tightening", True),
            start=(params.get("start") or None),
            end=(params.get("end") or None),
        )
        fig, ax = _new_fig(size)
        plot_relief_steps(m, ax=ax)
        return fig, relief_text(m, params)

    return _finished("02-relief-steps", size, data, params, draw)


def exchange_table(data, params: Mapping[str, Any]) -> pd.DataFrame:
    """The pairs shown in the exchanges figure, with their evidence, as a table for briefings."""
    from .exchanges import exchange_pairs, infer_links

    pairs = exchange_pairs(data, link_strengths=tuple(params.get("link_strengths", ())))
    window = int(params.get("infer_window_days", 0) or 0)
    if window > 0:
        pairs = pd.concat([pairs, infer_links(data, window_days=window)], ignore_index=True)
    cols = [
        "exchange_id", "concession_date", "concession_title", "release_date", "release_title",
        "release_count", "lag_days", "link", "evidence", "rationale",
    ]  # fmt: skip
    out = pairs[cols].sort_values(["release_date", "concession_date"]).reset_index(drop=True)
    out["concession_date"] = out["concession_date"].dt.strftime("%Y-%m-%d")
    out["release_date"] = out["release_date"].dt.strftime("%Y-%m-%d")
    return out


def build_exchanges(data, params: Mapping[str, Any]) -> Built:
    """Each US step paired with the release it answered; lag in days, link as line style."""
    from .exchanges import exchange_pairs, infer_links
    from .plots import plot_exchanges
    from .text import exchanges_text

    size = params.get("size", "a4-full")
    built_table = {}

    def draw():
        pairs = exchange_pairs(data, link_strengths=tuple(params.get("link_strengths", ())))
        window = int(params.get("infer_window_days", 0) or 0)
        candidates = infer_links(data, window_days=window) if window > 0 else None
        if not len(pairs):
            raise EmptySelectionError(
                "no exchanges with link strength "
                f"{', '.join(params.get('link_strengths', ())) or '(none chosen)'}; "
                "choose from explicit, reported, inferred"
            )
        fig, ax = _new_fig(size)
        plot_exchanges(pairs, candidates=candidates, ax=ax)
        built_table["pairs"] = exchange_table(data, params)
        return fig, exchanges_text(pairs, candidates, params)

    built = _finished("03-exchanges", size, data, params, draw)
    built.tables.update(built_table)
    return built


def build_overview(data, params: Mapping[str, Any]) -> Built:
    """One page: releases, measures and exchanges on one shared time axis."""
    from .exchanges import exchange_pairs
    from .plots import overview_figure
    from .sanctions import measures
    from .text import overview_text
    from .timeline import between

    size = params.get("size", "a4-page")

    def draw():
        start, end = (params.get("start") or None), (params.get("end") or None)
        fig = overview_figure(data, start=start, end=end, size=size)
        series = _series(data, params)
        m = measures(data.events, start=start, end=end)
        pairs = exchange_pairs(data)
        pairs = pairs[between(pairs["release_date"], start, end)]
        return fig, overview_text(series, m, pairs, params)

    return _finished("04-overview", size, data, params, draw)


#: Scopes of the published totals drawn in ``05-totals``: totals of every release. Totals
#: of narrower scope (US-mediated, expelled) depend on how each release is classified;
#: they stay in the figure's CSV table.
TOTALS_SCOPES = ("all_releases", "political_prisoners", "decree_pardons")


def build_claims(data, params: Mapping[str, Any]) -> Built:
    """Releases whose sources disagree on the count: each figure claimed, widest gap first."""
    from .claims import claim_ranges, claims_long
    from .plots import disputed_claims, plot_claim_ranges
    from .text import claims_text

    size = params.get("size", "a4-full")
    max_events = int(params.get("max_events") or 0) or None

    def draw():
        releases = disputed_claims(claims_long(data, kinds=("release",)))
        n_disputed = releases["event_id"].nunique()
        shown = disputed_claims(claims_long(data, kinds=("release",)), max_events)
        # Disputed figures about anything else (trucks held at the border) are named, not drawn.
        others = claim_ranges(data)
        kinds = others["event_id"].map(data.events.set_index("event_id")["kind"].astype(str))
        others = others[(kinds != "release") & (others["n_values"] >= 2)]
        if shown.empty:
            raise EmptySelectionError(
                "nothing to draw: no release has sources that give different counts"
            )
        fig, ax = _new_fig(size)
        plot_claim_ranges(shown, max_events=max_events, ax=ax)
        return fig, claims_text(shown, n_disputed, left_out=list(others["date"]), params=params)

    return _finished("05-claims", size, data, params, draw)


def totals_table(cmp: pd.DataFrame, shown_ids) -> pd.DataFrame:
    """Every published total with our itemized sum and the verdict, for the figure's CSV."""
    cols = [
        "total_id", "as_of", "since", "scope", "publisher", "value", "precision", "wording",
        "itemized", "itemized_is_lower_bound", "difference", "verdict", "explanation",
        "source_id",
    ]  # fmt: skip
    out = cmp[cols].sort_values(["as_of", "total_id"]).reset_index(drop=True)
    out.insert(len(out.columns) - 2, "on_figure", out["total_id"].isin(list(shown_ids)))
    out["as_of"] = out["as_of"].dt.strftime("%Y-%m-%d")
    out["since"] = out["since"].dt.strftime("%Y-%m-%d")
    out["scope"] = out["scope"].astype(str)
    out["precision"] = out["precision"].astype(str)
    return out


def build_totals(data, params: Mapping[str, Any]) -> Built:
    """Each published cumulative total against the sum of our itemized releases; CSV of all."""
    from .claims import itemized_vs_totals
    from .plots import plot_totals_vs_itemized
    from .text import totals_text

    size = params.get("size", "a4-full")
    name = "05-totals"
    built_table = {}

    def draw():
        cmp = itemized_vs_totals(data)
        shown = cmp[cmp["scope"].astype(str).isin(TOTALS_SCOPES)]
        if shown.empty:
            raise EmptySelectionError(
                "nothing to draw: no published total counts "
                + ", ".join(TOTALS_SCOPES)
                + f"; the data has {len(cmp)} totals of other scopes"
            )
        fig, ax = _new_fig(size)
        plot_totals_vs_itemized(shown, scopes=TOTALS_SCOPES, ax=ax)
        built_table["table"] = totals_table(cmp, shown["total_id"])
        return fig, totals_text(shown, cmp, table_name=f"{name}-table.csv", params=params)

    built = _finished(name, size, data, params, draw)
    built.tables.update(built_table)
    return built


def build_sources(data, params: Mapping[str, Any]) -> Built:
    """Old name, kept for callers: the claims figure (see also :func:`build_totals`)."""
    return build_claims(data, params)


def show(built: Built) -> None:
    """Display the figure in the notebook, or say in words why there is none."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    if built.empty:
        display(Markdown(f"**Nothing to draw for `{built.name}`:** {built.message}"))
        return
    display(built.fig)
    plt.close(built.fig)  # shown once; the inline backend would otherwise show it again


def save(built: Built, data, params: NotebookParams) -> list[Path]:
    """Write the figure in every requested format (+ sidecar) into the parameter set's folder.

    Figures go to ``figures/`` for the default set, ``figures/<set>/`` for a named
    set, ``figures/adhoc/`` for one-off values (JupyterLab, ``-p``), never over the
    committed figures. Nothing is written for an empty selection.
    """
    from . import save as _save
    from .runner import record_outputs

    if built.empty:
        print(f"{built.name}: not saved - {built.message}")
        return []
    out_dir = paths.figure_dir(params.get("output_set", "adhoc"))
    recorded = {k: v for k, v in params.items() if k != "output_set"}
    written = _save.save(
        built.fig,
        built.name,
        out_dir=out_dir,
        text=built.text,
        publishers=data.publishers_in_order(built.text.source_ids),
        params=recorded,
        data_version=data.version,
        notebook=f"{params.notebook}.ipynb",
        as_of=f"{data.as_of:%Y-%m-%d}",
        formats=params.get("formats", _save.FORMATS),
        size=built.size,
    )
    for key, table in built.tables.items():
        path = out_dir / f"{built.name}-{key}.csv"
        _save.atomic_write_text(path, table.to_csv(index=False, lineterminator="\n"))
        written.append(path)
    record_outputs(written)
    if not os.environ.get("BELTHAW_OUTPUTS_FILE"):
        # Interactive use: keep the folder's index current (belthaw run writes it once at the end).
        _save.write_index(out_dir, params.get("output_set", "adhoc"))
    print("saved: " + ", ".join(p.name for p in written))
    return written
