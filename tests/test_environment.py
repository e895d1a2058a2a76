"""environment.yml (conda) and requirements.lock (pip) must name the same packages and versions."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def norm(name: str) -> str:
    """PEP 503 name normalisation (pre_commit == pre-commit)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[norm(name)] = version
    return pins


def env_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {}
    for item in pip:
        if item.startswith("-e"):
            continue
        name, version = item.split("==")
        pins[norm(name)] = version
    return pins


def test_environment_yml_matches_lock():
    lock, env = lock_pins(), env_pins()
    assert set(lock) - set(env) == set(), "in requirements.lock but not environment.yml"
    assert set(env) - set(lock) == set(), "in environment.yml but not requirements.lock"
    drift = {k: (lock[k], env[k]) for k in lock if lock[k] != env[k]}
    assert not drift, f"version drift (lock, env): {drift}"


def test_every_direct_requirement_is_locked():
    direct = [
        norm(re.split(r"[<>=\[ ]", line.strip())[0])
        for line in (ROOT / "requirements.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert set(direct) <= set(lock_pins()), set(direct) - set(lock_pins())


def test_lock_leaves_out_the_slow_optional_uri_checker():
    # rfc3987-syntax costs ~1.2 s per papermill import and nothing here needs it (requirements.in).
    assert "rfc3987-syntax" not in lock_pins() and "lark" not in lock_pins()


def test_environment_python_matches_the_supported_version():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
