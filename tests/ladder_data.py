"""A small exchanges dataset for the 03 tests: a release answering three US steps (two the
same day, one two days later), a release 44 days before the call thanking for it, and an
envoy named 13 days before a release, which is only our inference; a phone talk close to a
release but in no exchange (a candidate when asked for)."""

from synth import _rel, _step, make_dataset


def events(short_labels: bool = True) -> list[dict]:
    """The event rows; with ``short_labels=False`` every ``short_label`` is blank."""
    rows = [
        _step(
            "ev-20250911-visit",
            "2025-09-11",
            "diplomatic_contact",
            "US",
            "Coale delegation meets Lukashenko in Minsk",
            "ap-1",
        ),  # fmt: skip
        _step(
            "ev-20250911-gl11",
            "2025-09-11",
            "sanctions_relief",
            "US",
            "OFAC General License 11 authorizes dealings with Belavia",
            "ap-1",
        ),  # fmt: skip
        _step(
            "ev-20250913-more",
            "2025-09-13",
            "sanctions_relief",
            "US",
            "Further easing announced for the airline",
            "ap-1",
        ),  # fmt: skip
        _rel(
            "ev-20250911-release",
            "2025-09-11",
            52,
            "exact",
            "Lithuania",
            0,
            14,
            "ap-1",
            title="52 freed and taken to Lithuania",
        ),  # fmt: skip
        _rel("ev-20250702-release", "2025-07-02", 16, "exact", "home", 16, 0, "ap-1"),
        _step(
            "ev-20250815-call",
            "2025-08-15",
            "diplomatic_contact",
            "US",
            "First Trump-Lukashenko phone call",
            "ap-1",
        ),  # fmt: skip
        _step(
            "ev-20251109-envoy",
            "2025-11-09",
            "appointment",
            "US",
            "Trump names John Coale special envoy to Belarus",
            "ap-1",
        ),  # fmt: skip
        _rel("ev-20251122-release", "2025-11-22", 31, "exact", "Ukraine", 0, 31, "ap-1"),
        # close in time to a release but in no exchange: a candidate when asked for
        _step(
            "ev-20251120-talk",
            "2025-11-20",
            "diplomatic_contact",
            "US",
            "Phone talk with Minsk officials",
            "ap-1",
        ),  # fmt: skip
    ]
    labels = {
        "ev-20250911-visit": "Coale visit",
        "ev-20250911-gl11": "Belavia partial relief (OFAC GL 11)",
        "ev-20250913-more": "More airline relief",
        "ev-20250911-release": "52 freed to Lithuania",
        "ev-20250702-release": "16 pardoned",
        "ev-20250815-call": "Trump-Lukashenko call",
        "ev-20251109-envoy": "Coale named envoy",
        "ev-20251122-release": "31 freed to Ukraine",
        "ev-20251120-talk": "Phone talk",
    }
    for r in rows:
        r["short_label"] = labels[r["event_id"]] if short_labels else ""
    return rows


EXCHANGES = [
    dict(
        exchange_id="x-1",
        concession_event_id="ev-20250911-visit",
        release_event_id="ev-20250911-release",
        link="reported",
        source_ids="ap-1",
        rationale="Together.",
    ),  # fmt: skip
    dict(
        exchange_id="x-2",
        concession_event_id="ev-20250911-gl11",
        release_event_id="ev-20250911-release",
        link="explicit",
        source_ids="ap-1",
        rationale="Stated.",
    ),  # fmt: skip
    dict(
        exchange_id="x-3",
        concession_event_id="ev-20250913-more",
        release_event_id="ev-20250911-release",
        link="reported",
        source_ids="ap-1",
        rationale="Together.",
    ),  # fmt: skip
    dict(
        exchange_id="x-4",
        concession_event_id="ev-20250815-call",
        release_event_id="ev-20250702-release",
        link="reported",
        source_ids="ap-1",
        rationale="Thanks.",
    ),  # fmt: skip
    dict(
        exchange_id="x-5",
        concession_event_id="ev-20251109-envoy",
        release_event_id="ev-20251122-release",
        link="inferred",
        source_ids="ap-1",
        rationale="Ours.",
    ),  # fmt: skip
]


def ladder_dataset(short_labels: bool = True):
    return make_dataset(events=events(short_labels), exchanges=EXCHANGES)
