"""Finding-titles: the words for each figure, computed from the frames that are drawn.

Every number in a title comes from the data; nothing is hard-coded. ``params`` is the
notebook's parameters as a mapping or an object with attributes (``start``, ``end``,
``granularity``, ``count_basis``, ``include_foreign_nationals``,
``include_released_home``, ``window_days``); missing keys fall back to the frames'
own ``attrs`` and then to the defaults.
"""

from __future__ import annotations

import pandas as pd

from .figtext import FigureText
from .timeline import ids_by_frequency

BASIS_WORDS = {
    "best": "best-supported count per release",
    "lower": "lowest count any source gives",
    "upper": "highest count any source gives",
}


def _p(params, name: str, frame: pd.DataFrame | None = None, default=None):
    if isinstance(params, dict) and name in params:
        return params[name]
    if params is not None and not isinstance(params, dict) and hasattr(params, name):
        return getattr(params, name)
    if frame is not None and frame.attrs.get(name) is not None:
        return frame.attrs[name]
    return default


def _n(x) -> str:
    """1,140 style; rounded to an integer."""
    return f"{int(round(float(x))):,}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _month(ts) -> str:
    return pd.Timestamp(ts).strftime("%B %Y")


def _day(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %B %Y")


def _period(dates: pd.Series, params=None, frame=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = _p(params, "start", frame) or dates.min()
    end = _p(params, "end", frame) or dates.max()
    return pd.Timestamp(start), pd.Timestamp(end)


def _rules(series: pd.DataFrame, params) -> str:
    basis = _p(params, "count_basis", series, "best")
    parts = [BASIS_WORDS.get(basis, basis)]
    if not _p(params, "include_foreign_nationals", series, True):
        parts.append("foreign nationals left out")
    if not _p(params, "include_released_home", series, True):
        parts.append("people left at home in Belarus left out")
    return "; ".join(parts)


#: At most this many notes go on a figure; the rest of the explanation goes in the caption.
MAX_NOTES = 2


def _disagreements(cmp: pd.DataFrame) -> tuple[str, str]:
    """(short note for the figure, full explanations for the caption) for totals off our sum."""
    if cmp is None or not len(cmp):
        return "", ""
    off = cmp[cmp["verdict"] != "consistent"]
    if not len(off):
        return "", ""
    n = len(off)
    note = (
        f"{_plural(n, 'published total')} {'does' if n == 1 else 'do'} not match our sum; "
        "the caption says why for each."
    )
    return note, " ".join(str(e) for e in off["explanation"])


def _totals_key(cmp: pd.DataFrame) -> str:
    """Caption text naming who published each labelled total (the figure shows values only)."""
    from .plots import total_label

    parts = [
        f"{total_label(r.value, r.precision)}: {r.publisher}, {_day(r.as_of)}"
        for r in cmp.sort_values(["as_of", "value"]).itertuples(index=False)
    ]
    return "Published totals, as labelled: " + "; ".join(parts) + "."


def _latest_stock(stock: pd.DataFrame | None):
    if stock is None or stock.empty:
        return None
    viasna = stock[stock["counted_by"].astype(str).str.lower().str.contains("viasna")]
    pick = (viasna if len(viasna) else stock).sort_values("date").iloc[-1]
    return pick


def releases_text(series, stock=None, totals_cmp=None, params=None) -> FigureText:
    """Words for the releases chart (bars per release, running total, stock still held).

    >>> releases_text(release_series(ds.events), stock_series(ds.prisoner_counts)).title
    ... # doctest: +SKIP
    'At least 213 people freed in 7 releases since July 2024, yet some 1,110 are still held'
    """
    total = int(series["count"].fillna(0).sum())
    n_rel = int(series["n_events"].sum())
    lower = bool(series["is_lower_bound"].any())
    start, end = _period(series["period"], params, series)
    freed = f"{'At least ' if lower else ''}{_n(total)} people freed"
    title = f"{freed} in {_plural(n_rel, 'release')} since {_month(start)}"
    held = _latest_stock(stock)
    if held is not None:
        some = "at least" if str(held["precision"]) == "at_least" else "some"
        title += f", yet {some} {_n(held['count'])} are still held"
    gran = _p(params, "granularity", series, "event")
    unit = {"event": "each bar one release", "month": "per month", "quarter": "per quarter"}
    subtitle = (
        f"Releases from Belarusian prisons, {_month(start)} to {_month(end)} "
        f"({unit.get(gran, gran)}); counting rule: {_rules(series, params)}"
    )
    codes = _dest_codes(series)
    caption = (
        "Bar height is the number of people freed. Hatched, lighter bars are lower bounds "
        "(a source said 'more than', or the size was not reported). The marker under each "
        "bar says where people went: filled = sent abroad, hollow = stayed in Belarus, "
        "half-filled = both, cross = not reported. Labelled bars also give the count and "
        "destination" + (f" ({codes})" if codes else "") + "."
    )
    if stock is not None and len(stock):
        caption += (
            " Lower panel: political prisoners still held; marker shape is how precise the "
            "count is (circle exact, triangle 'at least', diamond 'about'); hollow markers "
            "are other counters than Viasna."
        )
    n_lb = int(series.loc[series["is_lower_bound"], "n_events"].sum())
    biggest = series.loc[series["count"].fillna(0).idxmax()]
    alt = (
        f"Bar chart of {_plural(n_rel, 'release')} from {_month(start)} to {_month(end)}, "
        f"adding up to {'at least ' if lower else ''}{_n(total)} people. The largest is "
        f"{_n(biggest['count'])} on {_day(biggest['period'])}. "
        f"{_plural(n_lb, 'bar')} {'is a lower bound' if n_lb == 1 else 'are lower bounds'}."
    )
    if held is not None:
        alt += (
            f" {held['counted_by']} counted {_n(held['count'])} still held on {_day(held['date'])}."
        )
    notes = []
    if n_lb:
        notes.append(
            f"{_plural(n_lb, 'release')} only have a lower bound, so the total of {_n(total)} "
            "is itself a lower bound."
        )
    if bool(series.get("may_include_foreign", pd.Series(False)).any()):
        notes.append("Some releases do not say how many foreign nationals were among them.")
    note, why = _disagreements(totals_cmp)
    if note:
        notes.append(note)
        caption += " " + why
    notes = notes[:MAX_NOTES]
    stock_ids = [] if held is None else list(stock["source_id"].astype(str))
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes),
        source_ids=ids_by_frequency(series["source_ids"].astype(str), stock_ids),
    )


def _dest_codes(series: pd.DataFrame) -> str:
    """'LT Lithuania, UA Ukraine, home = stayed in Belarus' for the codes drawn."""
    from .plots import destination_code

    if "destination" not in series:
        return ""
    names = {}
    for d in series["destination"].astype(str):
        for tok in d.split(";"):
            tok = tok.strip()
            if not tok or tok.lower() == "unknown":
                continue
            code = destination_code(tok)
            if code == "home":
                names[code] = "home = stayed in Belarus"
            else:
                names.setdefault(code, f"{code} {tok.title() if tok.islower() else tok}")
    if "?" in {destination_code(d) for d in series["destination"].astype(str)}:
        names["?"] = "? = not reported"
    ordered = sorted(names, key=lambda c: (c == "home", c == "?", c))
    return ", ".join(names[c] for c in ordered)


def relief_text(measures_df, params=None) -> FigureText:
    """Words for the sanctions-steps lanes.

    >>> relief_text(measures(ds.events)).title  # doctest: +SKIP
    'The US took 3 relief steps on Belavia and potash while neighbours tightened 2 times'
    """
    direction = measures_df["direction"].astype(str)
    us = measures_df["jurisdiction"].astype(str) == "US"
    relief = measures_df[us & (direction == "relief")]
    tight = measures_df[direction == "tightening"]
    easing = measures_df[direction == "easing"]
    start, end = _period(measures_df["date"], params, measures_df)
    fronts = list(dict.fromkeys(relief["lane"].str.split(" · ").str[-1]))
    front_words = " and ".join([", ".join(fronts[:-1]), fronts[-1]] if len(fronts) > 1 else fronts)
    title = f"The US took {_plural(len(relief), 'relief step')}"
    if front_words:
        title += f" on {front_words}"
    if len(tight):
        who = sorted(set(tight["jurisdiction"].astype(str)))
        if "US" in who and len(relief):
            # "the US took relief steps while ... the US tightened" reads as a contradiction.
            who = [c for c in who if c != "US"] + ["US itself"]
        title += f" while {_who(who)} tightened {_plural(len(tight), 'time')}"
    subtitle = (
        f"Sanctions and border measures, {_month(start)} to {_month(end)}; "
        "one row per jurisdiction and target"
    )
    caption = (
        "Each marker is one dated step. Filled circles: US relief; filled squares: "
        "tightening; hollow circles: a border or transit reopening. A line joins the stages "
        "of one action (announced, licence, list updated)."
    )
    actions = measures_df.groupby("action_id").size()
    alt = (
        f"Lane chart with {_plural(measures_df['lane'].nunique(), 'lane')}: "
        f"{_plural(len(relief), 'US relief step')}, {_plural(len(tight), 'tightening step')} "
        f"and {_plural(len(easing), 'easing step')} from {_month(start)} to {_month(end)}; "
        f"{_plural(int((actions > 1).sum()), 'action')} with more than one stage."
    )
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=(),
        source_ids=ids_by_frequency(measures_df["source_ids"].astype(str)),
    )


def _who(codes: list[str]) -> str:
    names = {
        "EU": "the EU",
        "LT": "Lithuania",
        "PL": "Poland",
        "US": "the US",
        "US itself": "the US itself",
    }
    words = [names.get(c, c) for c in codes]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def exchanges_text(pairs, candidates=None, params=None) -> FigureText:
    """Words for the exchanges chart (US step -> release pairs and candidate links).

    >>> exchanges_text(exchange_pairs(ds), infer_links(ds)).title  # doctest: +SKIP
    '4 releases came within 1 day of a US step; 2 were openly described as a trade'
    """
    n = len(pairs)
    lag = pairs["lag_days"].astype(float)
    max_abs = int(lag.abs().max()) if n else 0
    n_explicit = int((pairs["link"].astype(str) == "explicit").sum())
    # One release can answer several US steps (a visit, a licence, a call): the finding
    # counts releases, each by its closest US step.
    closest = pairs.assign(_abs=lag.abs()).groupby("release_event_id")["_abs"].min()
    n_rel = len(closest)
    n_near = int((closest <= 1).sum())
    n_trade = pairs.loc[pairs["link"].astype(str) == "explicit", "release_event_id"].nunique()
    share = f"All {n_rel:,}" if n_near == n_rel > 1 else f"{n_near:,} of {n_rel:,}"
    title = (
        f"{share} {'release' if n_rel == 1 else 'releases'} linked to a US step came within a day "
        f"of it; {n_trade:,} {'was' if n_trade == 1 else 'were'} openly described as a trade"
    )
    dates = pd.concat([pairs["concession_date"], pairs["release_date"]])
    start, end = _period(dates, params, pairs)
    window = _p(params, "window_days", candidates, 7)
    subtitle = (
        f"US steps (relief, visits, calls, appointments) and releases, {_month(start)} to "
        f"{_month(end)}; lag = release date minus US step date"
    )
    caption = (
        "Upper row: US steps; lower row: releases. A line joins each pair: solid thick when a "
        "source calls it a trade, dashed when sources report them together, dotted when it is "
        "our inference. Numbers on the lines are the lag in days (+ = release came after). "
        "Circles are sanctions relief, diamonds visits, calls and appointments; markers on "
        "the same or nearby days are stacked."
    )
    n_cand = 0 if candidates is None else len(candidates)
    if n_cand:
        caption += (
            f" Thin sky-blue dotted lines are candidate pairs within ±{window} days that "
            "are not recorded as exchanges."
        )
    med = 0 if not n else int(round(float(lag.median())))
    alt = (
        f"Two-row timeline with {_plural(n, 'recorded pair')} ({n_explicit} explicit) "
        f"linking {_plural(n_rel, 'release')} to US steps; median "
        f"lag {_plural(med, 'day')}, longest {_plural(max_abs, 'day')}"
        + (f"; {_plural(n_cand, 'candidate pair')} also drawn." if n_cand else ".")
    )
    notes = []
    n_inf = int((pairs["link"].astype(str) == "inferred").sum())
    if n_inf:
        verb = "rests" if n_inf == 1 else "rest"
        notes.append(f"{_plural(n_inf, 'pair')} {verb} on our own reading, not a source's word.")
    if n_cand:
        notes.append(
            f"{_plural(n_cand, 'candidate pair')} fall within ±{window} days but are timing only."
        )
    ids = [pairs["source_ids"].astype(str)]
    if n_cand:
        ids.append(candidates["source_ids"].astype(str))
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes),
        source_ids=ids_by_frequency(*ids),
    )


def sources_text(ranges, totals_cmp) -> FigureText:
    """Words for the source-disagreement charts (claim ranges, totals vs itemized).

    >>> sources_text(claim_ranges(ds), itemized_vs_totals(ds)).title  # doctest: +SKIP
    'Sources disagree on 1 of 2 release counts; 3 of 5 published totals match our sum'
    """
    n_ev = len(ranges)
    n_dis = int(ranges["disputed"].sum()) if n_ev else 0
    n_tot = len(totals_cmp)
    n_ok = int((totals_cmp["verdict"] == "consistent").sum())
    title = (
        f"Sources disagree on {n_dis:,} of {_plural(n_ev, 'release count')}; "
        f"{n_ok:,} of {_plural(n_tot, 'published total')} match our itemized sum"
    )
    subtitle = "Releases reported by two or more sources, and cumulative totals as published"
    caption = (
        "Top: for each disputed release, the grey bar spans the lowest to the highest figure; "
        "markers are each source's figure (triangle pointing right = 'more than'), the black "
        "tick our count. Bottom: each published total (black) against the sum of our "
        "itemized releases over the same dates (blue; hollow = lower bound)."
    )
    widest = ranges.assign(w=ranges["high"] - ranges["low"]).sort_values("w").iloc[-1:]
    alt = f"{_plural(n_dis, 'release')} with disagreeing counts"
    for r in widest.itertuples(index=False):
        if r.w > 0:
            alt += f"; the widest, {_day(r.date)}, runs from {_n(r.low)} to {_n(r.high)}"
    alt += f". {n_ok:,} of {_plural(n_tot, 'published total')} are consistent with our sum."
    note, why = _disagreements(totals_cmp)
    if why:
        caption += " " + why
    notes = (note,) if note else ()
    disputed = ranges[ranges["disputed"]] if n_ev else ranges
    claim_ids = disputed["source_ids"].astype(str) if "source_ids" in disputed else []
    ids = ids_by_frequency(claim_ids, totals_cmp["source_id"].astype(str))
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt, notes=notes, source_ids=ids
    )


def overview_text(series, measures_df, pairs, params=None) -> FigureText:
    """Words for the one-page overview (releases, measures, exchanges on one time axis).

    >>> overview_text(release_series(ds.events), measures(ds.events), exchange_pairs(ds))
    ... # doctest: +SKIP
    """
    total = int(series["count"].fillna(0).sum())
    lower = bool(series["is_lower_bound"].any())
    n_rel = int(series["n_events"].sum())
    us_relief = int(
        (
            (measures_df["jurisdiction"].astype(str) == "US")
            & (measures_df["direction"].astype(str) == "relief")
        ).sum()
    )
    start, end = _period(series["period"], params, series)
    title = (
        f"{'At least ' if lower else ''}{_n(total)} people freed in "
        f"{_plural(n_rel, 'release')} as the US took {_plural(us_relief, 'relief step')}"
    )
    near = int((pairs["lag_days"].abs() <= 1).sum()) if len(pairs) else 0
    subtitle = f"{_month(start)} to {_month(end)}; counting rule: {_rules(series, params)}"
    caption = (
        "Top: people freed per release (hatched = lower bound). Middle: sanctions and border "
        "steps by jurisdiction. Bottom: recorded US step -> release pairs, line style = how "
        "firmly sources link them."
    )
    alt = (
        f"Three stacked panels sharing a time axis from {_month(start)} to {_month(end)}: "
        f"{_plural(n_rel, 'release')} totalling {'at least ' if lower else ''}{_n(total)}; "
        f"{_plural(len(measures_df), 'sanctions or border step')}; "
        f"{_plural(len(pairs), 'recorded pair')}, {near:,} within a day."
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


__all__ = ["releases_text", "relief_text", "exchanges_text", "sources_text", "overview_text"]


def cumulative_text(series, totals_cmp=None, params=None) -> FigureText:
    """Words for the running total of releases against the totals sources published.

    >>> cumulative_text(release_series(ds.events), itemized_vs_totals(ds)).title  # doctest: +SKIP
    """
    last = series.iloc[-1]
    total = int(last["cumulative"]) if pd.notna(last["cumulative"]) else 0
    lower = bool(last["cumulative_is_lower_bound"])
    start, end = _period(series["period"], params, series)
    cmp = totals_cmp if totals_cmp is not None else pd.DataFrame(columns=["verdict"])
    cmp = cmp[cmp["scope"].isin(["all_releases", "political_prisoners"])] if len(cmp) else cmp
    n_ok = int((cmp["verdict"] == "consistent").sum()) if len(cmp) else 0
    title = (
        f"Our release-by-release count reaches {'at least ' if lower else ''}{_n(total)} by "
        f"{_month(end)}; {n_ok:,} of {_plural(len(cmp), 'published total')} agree with it"
    )
    subtitle = (
        f"Running total of people freed, {_month(start)} to {_month(end)}; counting rule: "
        f"{_rules(series, params)}"
    )
    caption = (
        "The blue step line adds up each release as it happened (dashed once a release "
        "with only a lower bound is included). Black markers are totals that outlets and "
        "rights groups published: triangle = 'more than', circle = exact, diamond = 'about'."
    )
    alt = (
        f"Step line rising from {_month(start)} to {'at least ' if lower else ''}{_n(total)} "
        f"people by {_month(end)}, with {_plural(len(cmp), 'published total')} marked as points."
    )
    if len(cmp):
        caption += " " + _totals_key(cmp)
    note, why = _disagreements(cmp)
    if why:
        caption += " " + why
    notes = tuple(
        n
        for n in (
            "The running total includes lower-bound releases, so it is a minimum." if lower else "",
            note,
        )
        if n
    )[:MAX_NOTES]
    ids = ids_by_frequency(
        series["source_ids"].astype(str),
        cmp["source_id"].astype(str) if len(cmp) else [],
    )
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt, notes=notes, source_ids=ids
    )


__all__ += ["cumulative_text"]


def _short_day(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %b %Y")


def _claim_words(value, precision: str) -> str:
    said = {"at_least": "more than ", "approx": "about "}.get(str(precision), "")
    return f"{said}{_n(value)}"


def claims_text(claims, n_disputed: int | None = None, left_out=None, params=None) -> FigureText:
    """Words for the claims figure: releases whose sources disagree on how many were freed.

    ``claims`` is :func:`belthaw.plots.disputed_claims` output (the rows drawn, one per
    claim, ``rank`` 0 = widest). ``n_disputed``: how many releases are disputed in all
    (more than drawn when ``max_events`` cut the list). ``left_out``: dates of disputed
    events that are not releases (their claims are not drawn). The caption names, per
    release, which publisher gave which figure: the chart itself shows no names.

    >>> claims_text(disputed_claims(claims_long(ds, kinds=("release",)))).title
    ... # doctest: +SKIP
    'Sources disagree on the size of 5 releases, most widely on 13 Dec 2025: more than 100 ...'
    """
    from .plots import claim_groups

    events = claims.drop_duplicates("event_id").sort_values("rank")
    n = len(events)
    n_all = max(n, int(n_disputed or 0))
    top = events.iloc[0]

    def end(value) -> str:  # "more than 100" when the lowest figure was worded so
        said = claims[(claims["event_id"] == top["event_id"]) & (claims["value_num"] == value)]
        precs = set(said["precision"].astype(str))
        return _claim_words(value, precs.pop()) if len(precs) == 1 else _n(value)

    day = _short_day(top["date"])
    gap = f"{end(top['low'])} against {end(top['high'])}"
    if n_all == 1:
        title = f"Sources disagree on the size of 1 release, on {day}: {gap}"
    else:
        title = f"Sources disagree on the size of {n_all:,} releases, most widely on {day}: {gap}"
    subtitle = "Releases whose sources gave two or more different counts, widest disagreement first"
    if n < n_all:
        subtitle += f"; the {n:,} widest of {n_all:,} shown"
    caption = (
        "Each row is one release. The grey band runs from the lowest to the highest figure "
        "given for it (our own count included); each marker is one figure that sources "
        "gave, with the number of sources that gave it (×2 = two sources). Marker shape "
        "says how the figure was worded: a triangle pointing right is 'more than' (the "
        "true number lies to the right), a circle an exact number, a diamond 'about'. "
        "The black tick is the count we use. Who said what:"
    )
    groups = claim_groups(claims)
    parts = []
    for ev in events.itertuples(index=False):
        g = groups[groups["event_id"] == ev.event_id].sort_values("value_num", ascending=False)
        said = "; ".join(
            f"{_claim_words(r.value_num, r.precision)}: {', '.join(dict.fromkeys(r.publishers))}"
            for r in g.itertuples(index=False)
        )
        ours = f", our count {_n(ev.best)}" if pd.notna(ev.best) else ""
        parts.append(f"{_short_day(ev.date)}{ours} - {said}.")
    caption += " " + " ".join(parts)
    alt = (
        f"Dot plot of {_plural(n, 'release')} with disputed counts, one row each. The widest "
        f"gap is on {day}: sources give {gap}."
    )
    notes = []
    left = [pd.Timestamp(d) for d in (left_out or [])]
    if left:
        dates = ", ".join(_short_day(d) for d in sorted(left))
        notes.append(
            f"Left out: disputed figures about {_plural(len(left), 'event')} that "
            f"{'is' if len(left) == 1 else 'are'} not a release ({dates})."
        )
    if n < n_all:
        notes.append(f"{n_all - n:,} more disputed releases are not drawn (max_events = {n}).")
    col = "source_id" if "source_id" in claims else None
    ids = ids_by_frequency(claims[col].astype(str)) if col else ()
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes[:MAX_NOTES]),
        source_ids=ids,
    )


def totals_text(shown, all_totals=None, table_name: str = "", params=None) -> FigureText:
    """Words for the totals figure: each published total against our itemized sum.

    ``shown`` is the :func:`belthaw.claims.itemized_vs_totals` rows drawn; ``all_totals``
    all of them (the caption says which are left out and that ``table_name`` has all).

    >>> totals_text(cmp[cmp["scope"] == "all_releases"], cmp).title  # doctest: +SKIP
    """
    from .claims import SCOPE_WORDS

    all_totals = shown if all_totals is None else all_totals
    n = len(shown)
    ok = shown[shown["verdict"] == "consistent"]
    off = shown[shown["verdict"] == "differs"]
    close = shown[shown["verdict"] == "close"]
    title = f"{len(ok):,} of {_plural(n, 'published total')} agree with our release-by-release sum"
    if len(off):
        d = off["difference"].astype("float64")
        big = _n(d.abs().max())
        if (d > 0).all():
            title += f"; {len(off):,} fall{'s' if len(off) == 1 else ''} short of it by up to {big}"
        elif (d < 0).all():
            title += f"; {len(off):,} exceed{'s' if len(off) == 1 else ''} it by up to {big}"
        else:
            title += f"; {len(off):,} differ, by up to {big}"
    subtitle = (
        "Cumulative totals as published, grouped by what they count, against our sum of "
        "single releases over the same dates"
    )
    caption = (
        "Each row is one published total, labelled with who published it and the date it "
        "counts up to, grouped by what it counts. The black marker is the published figure "
        "(triangle pointing right = 'more than', circle = exact, diamond = 'about'); the "
        "blue circle is the sum of the releases in our data over the same dates (hollow "
        "when that sum is only a lower bound). At the right: 'agrees' (within 2 %, or a "
        "'more than' figure that our sum meets), 'close' (within 5 %) or how far our sum "
        "is above (+) or below (-) the published figure."
    )
    hidden = all_totals[~all_totals["total_id"].isin(shown["total_id"])]
    notes = []
    if len(hidden):
        kinds = ", ".join(SCOPE_WORDS.get(s, s) for s in dict.fromkeys(hidden["scope"].astype(str)))
        where = f" in {table_name}" if table_name else ""
        caption += (
            f" Left out of the chart: {_plural(len(hidden), 'total')} that count only some "
            f"releases ({kinds}): they depend on how each release is classified. All "
            f"{len(all_totals):,} totals, with our sum and verdict, are listed{where} beside "
            "this figure."
        )
        notes.append(
            f"{_plural(len(hidden), 'total')} of narrower scope ({kinds}) not drawn; "
            f"all {len(all_totals):,} are{where}."
        )
    why = " ".join(str(e) for e in pd.concat([off, close])["explanation"])
    if why:
        caption += " Where they do not agree: " + why
    alt = (
        f"Dumbbell chart of {_plural(n, 'published total')}: {len(ok):,} agree with our sum, "
        f"{len(close):,} {'is' if len(close) == 1 else 'are'} close and {len(off):,} differ."
    )
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes[:MAX_NOTES]),
        source_ids=ids_by_frequency(shown["source_id"].astype(str)),
    )


__all__ += ["claims_text", "totals_text"]
