"""Fixtures shared by the test files: the small synthetic dataset (tests/synth.py), closing
figures after each test, and the test folder on the import path (synth, minidata, ...)."""

import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

# No time limit per example: on a shared 2-core machine a slow example is load, not a bug
# (speed is measured in benchmarks/, never in tests).
settings.register_profile("belthaw", deadline=None)
settings.load_profile("belthaw")


@pytest.fixture(scope="session")
def ds():
    """The synthetic Dataset every value of which is known (tests/synth.py)."""
    from synth import make_dataset

    return make_dataset()


@pytest.fixture(autouse=True)
def _close_figures():
    """Every figure a test opened is closed after it (figures are big; pyplot keeps them)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
