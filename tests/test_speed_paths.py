"""The kernel's data cache is re-used on a changed parameter (one draw per format and the same
bytes from every save are tested in test_figure_save.py).

No timings here: speed is measured in benchmarks/run.py."""

from __future__ import annotations

import hashlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from belthaw import notebook as nb
from belthaw.figure import save as figsave


def _save(b, data, out_dir, formats=("png", "svg", "pdf")):
    return figsave.save(
        b.fig,
        b.name,
        out_dir=out_dir,
        text=b.text,
        publishers=data.publishers_in_order(b.text.source_ids),
        params={"granularity": "event"},
        data_version=data.version,
        notebook="01_releases.ipynb",
        as_of=f"{data.as_of:%Y-%m-%d}",
        formats=list(formats),
        size=b.size,
    )


def _digests(paths) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_a_changed_parameter_reuses_the_loaded_data(tmp_path):
    """The warm redraw: a second run of the notebook's cells in the same kernel, with
    another granularity (event, then month), loads nothing again and saves a different figure."""
    first = nb.load(quiet=True)
    event = nb.build("01-releases", first, nb.check("01_releases", {"granularity": "event"}))
    again = nb.load(quiet=True)
    month = nb.build("01-releases", again, nb.check("01_releases", {"granularity": "month"}))
    assert again is first
    a = _digests(_save(event, first, tmp_path / "event", ("svg",)))
    b = _digests(_save(month, again, tmp_path / "month", ("svg",)))
    assert a["01-releases.svg"] != b["01-releases.svg"]
    plt.close("all")
