"""House style: palette in the colour cycle, named sizes, fonts, settings save() relies on."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from belthaw import paths
from belthaw.errors import BelthawError
from belthaw.style import COLORS, MIN_FONT_PT, SIZES, get_size, house_style, size_of

#: Okabe & Ito (2008), https://jfly.uni-koeln.de/color/
OKABE_ITO = {
    "#000000",  # black
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#009e73",  # bluish green
    "#f0e442",  # yellow
    "#0072b2",  # blue
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
}
NEUTRAL_GREY = "#7f7f7f"
SHEETS = {n: paths.STYLES_DIR / f"{n}.mplstyle" for n in ("belthaw", "belthaw-slide")}


def cycle_colors() -> list[str]:
    return [to_hex(c) for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]]


@pytest.mark.parametrize("size", list(SIZES))
def test_cycle_is_the_palette_in_order(size):
    with house_style(size):
        assert cycle_colors() == [c.lower() for c in COLORS.values()]


def test_palette_is_okabe_ito_plus_one_grey():
    colours = {c.lower() for c in COLORS.values()}
    assert colours - OKABE_ITO == {NEUTRAL_GREY}
    assert len(colours) == len(COLORS), "one colour per meaning"


def test_style_file_comments_every_colour():
    text = SHEETS["belthaw"].read_text()
    for line in text.splitlines():
        if line.startswith("#") or "prop_cycle" in line:
            continue
        if re.search(r":\s*[0-9A-Fa-f]{6}\b", line):
            assert "#" in line, f"uncommented colour: {line!r}"
    for colour in COLORS.values():
        documented = [
            ln
            for ln in text.splitlines()
            if ln.startswith("##") and colour[1:].upper() in ln.upper()
        ]
        assert documented, f"{colour} is not explained in belthaw.mplstyle"
        assert "Okabe-Ito" in documented[0]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("svg.fonttype", "none"),
        ("pdf.fonttype", 42),
        ("svg.hashsalt", "belthaw"),
        ("savefig.dpi", 300),
        ("savefig.bbox", None),  # "standard" is stored as None: never tight
        ("axes.titlelocation", "left"),
        ("axes.spines.top", False),
        ("axes.spines.right", False),
        ("axes.grid", True),
        ("text.parse_math", False),
    ],
)
@pytest.mark.parametrize("size", list(SIZES))
def test_house_style_settings(size, key, expected):
    with house_style(size):
        assert mpl.rcParams[key] == expected


def test_light_grid():
    with house_style():
        grey = mpl.colors.to_rgb(mpl.rcParams["grid.color"])
        assert min(grey) > 0.85, "grid must stay light"
        assert mpl.rcParams["grid.linewidth"] <= 0.8


@pytest.mark.parametrize("size", list(SIZES))
def test_font_is_the_bundled_dejavu_sans(size):
    with house_style(size):
        assert "DejaVu Sans" in mpl.rcParams["font.sans-serif"][:1]
        for weight in ("normal", "bold"):
            path = Path(findfont(FontProperties(weight=weight), fallback_to_default=False))
            assert path.name.startswith("DejaVuSans"), path
            # Shipped inside matplotlib -> the same file, hence the same bytes, everywhere.
            assert Path(mpl.get_data_path()) in path.parents, path


@pytest.mark.parametrize("size", list(SIZES))
def test_figures_get_the_named_size_and_readable_fonts(size):
    s = get_size(size)
    with house_style(size) as got:
        assert got == s
        fig = Figure()
        assert tuple(fig.get_size_inches()) == pytest.approx((s.width, s.height))
        assert mpl.rcParams["font.size"] == s.base_font
        for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize", "axes.labelsize"):
            assert FontProperties(size=mpl.rcParams[key]).get_size_in_points() >= MIN_FONT_PT


@pytest.mark.parametrize("size", list(SIZES))
def test_small_text_is_absolute_and_above_the_floor(size):
    small = get_size(size).small_font
    assert small >= MIN_FONT_PT
    with house_style(size):
        for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize"):
            assert mpl.rcParams[key] == small


def test_only_the_slide_adds_its_sheet():
    slide = mpl.rc_params_from_file(SHEETS["belthaw-slide"], use_default_template=False)
    with house_style("slide"):
        assert mpl.rcParams["lines.linewidth"] == slide["lines.linewidth"]
    with house_style("a4-full"):
        assert mpl.rcParams["lines.linewidth"] != slide["lines.linewidth"]


@pytest.mark.parametrize("bad", ["a5", "A4-full", "", None])
def test_unknown_size_names_the_choices(bad):
    with pytest.raises(BelthawError, match="a4-full"):
        get_size(bad)
    with pytest.raises(BelthawError):
        with house_style(bad):
            pass


@pytest.mark.parametrize(
    ("w", "h", "name"), [(6.3, 4.2, "a4-full"), (6.3, 2.9, "a4-half"), (10, 5.625, "slide")]
)
def test_size_of(w, h, name):
    assert size_of(w, h).name == name
    assert size_of(w + 0.5, h) is None


def test_style_files_load_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for sheet in SHEETS.values():
            mpl.rc_params_from_file(sheet, use_default_template=False)


@pytest.mark.parametrize("module", ["belthaw.style", "belthaw.figure.save"])
def test_import_is_cheap(module):
    code = (
        f"import sys, {module}; "
        "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
