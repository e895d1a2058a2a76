"""Keep environment.yml in step with the lock files, and check the locks on every platform.

    python tools/sync_env.py                    write environment.yml from requirements-dev.lock
    python tools/sync_env.py --check            exit 1 if environment.yml is out of date
    python tools/sync_env.py --platforms [UV]   resolve each lock for Linux, macOS and Windows,
                                                Python 3.11-3.13, with uv; exit 1 on a gap

Run by `make lock` after the locks are regenerated; tests/test_environment.py fails when
environment.yml and the lock drift apart, tests/test_install.py runs the platform check.

The locks are universal (uv pip compile --universal): one file for every platform, with
environment markers (``colorama==0.4.6 ; sys_platform == 'win32'``). The platform check
asks uv to resolve the lock itself for one platform and Python (wheels only) and compares
the answer with the lock's lines whose markers hold there: a dependency missing on that
platform, a version that does not fit, or a package without a wheel for it, fails.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
ENV_FILE = ROOT / "environment.yml"

#: (uv --python-platform, marker environment) for the platforms the locks must serve.
PLATFORMS = {
    "x86_64-unknown-linux-gnu": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    "aarch64-apple-darwin": {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "arm64",
    },
    "x86_64-apple-darwin": {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    "x86_64-pc-windows-msvc": {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
    },
}
PYTHONS = ("3.11", "3.12", "3.13")

HEADER = """\
# Conda environment for the belthaw workbook. GENERATED from requirements-dev.lock by
# `make lock` (tools/sync_env.py): do not edit by hand. The pip path (README) and this
# file install the same packages at the same versions (runtime and development tools).
# The lines keep the lock's environment markers; pip evaluates them for your platform.
name: belthaw
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def norm(name: str) -> str:
    """PEP 503 name normalisation (pre_commit == pre-commit)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(lock_text: str) -> list[str]:
    """The requirement lines of a lock (``name==version`` and an optional ``; marker``)."""
    out = []
    for line in lock_text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            out.append(line)
    return out


def parse(line: str) -> tuple[str, str, str]:
    """``'Foo_Bar==1.0 ; os_name == "nt"'`` -> ``('foo-bar', '1.0', 'os_name == "nt"')``."""
    req, _, marker = line.partition(";")
    name, sep, version = req.strip().partition("==")
    if not sep:
        raise ValueError(f"not an exact pin: {line!r}")
    return norm(name), version.strip(), marker.strip()


def pins(lock_text: str) -> list[tuple[str, str, str]]:
    return [parse(line) for line in requirement_lines(lock_text)]


def render(lock_text: str) -> str:
    body = "".join(f"      - {line}\n" for line in requirement_lines(lock_text))
    return HEADER + body + "      - -e .\n"


def marker_env(platform: str, python: str) -> dict[str, str]:
    full = python if python.count(".") == 2 else f"{python}.0"
    return {
        **PLATFORMS[platform],
        "python_version": ".".join(full.split(".")[:2]),
        "python_full_version": full,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "implementation_version": full,
        "platform_release": "",
        "platform_version": "",
    }


def expected_for(lock_text: str, platform: str, python: str) -> set[tuple[str, str]]:
    """The lock's pins whose markers hold on ``platform`` with ``python``."""
    from packaging.markers import Marker

    env = marker_env(platform, python)
    return {
        (name, version)
        for name, version, marker in pins(lock_text)
        if not marker or Marker(marker).evaluate(env)
    }


def resolve_for(uv: str, lock: Path, platform: str, python: str) -> set[tuple[str, str]]:
    """uv's resolution of the lock's own lines for one platform and Python, wheels only."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "resolved.txt"
        proc = subprocess.run(
            [uv, "pip", "compile", str(lock), "--python-platform", platform,
             "--python-version", python, "--only-binary", ":all:", "--no-header",
             "--no-annotate", "--quiet", "--no-python-downloads", "--output-file", str(out)],
            capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip() or proc.stdout.strip())
        return {(n, v) for n, v, _ in pins(out.read_text(encoding="utf-8"))}


def check_platform(uv: str, lock: Path, platform: str, python: str) -> list[str]:
    """Problems with ``lock`` on one platform and Python (empty list: it installs there)."""
    where = f"{lock.name} on {platform}, Python {python}"
    try:
        resolved = resolve_for(uv, lock, platform, python)
    except RuntimeError as exc:
        return [f"{where}: does not resolve: {exc}"]
    expected = expected_for(lock.read_text(encoding="utf-8"), platform, python)
    problems = []
    for name, version in sorted(resolved - expected):
        problems.append(f"{where}: needs {name}=={version}, which the lock does not pin there")
    for name, version in sorted(expected - resolved):
        problems.append(f"{where}: pins {name}=={version}, which nothing needs there")
    return problems


def check_platforms(
    uv: str = "uv",
    locks: tuple[Path, ...] = (RUNTIME_LOCK, DEV_LOCK),
    platforms: tuple[str, ...] = tuple(PLATFORMS),
    pythons: tuple[str, ...] = PYTHONS,
) -> list[str]:
    jobs = [(lock, p, v) for lock in locks for p in platforms for v in pythons]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = pool.map(lambda job: check_platform(uv, *job), jobs)
    return [problem for problems in results for problem in problems]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check environment.yml")
    ap.add_argument(
        "--platforms",
        nargs="?",
        const="uv",
        metavar="UV",
        help="resolve both locks for every platform and Python with this uv (default: uv)",
    )
    args = ap.parse_args(argv)
    if args.platforms:
        problems = check_platforms(args.platforms)
        for p in problems:
            print(p, file=sys.stderr)
        n = 2 * len(PLATFORMS) * len(PYTHONS)
        print(f"locks resolve on {n - len({p.split(':')[0] for p in problems})}/{n} targets")
        return 1 if problems else 0
    wanted = render(DEV_LOCK.read_text(encoding="utf-8"))
    if args.check:
        if ENV_FILE.read_text(encoding="utf-8") != wanted:
            print("environment.yml is out of date: run `make lock`", file=sys.stderr)
            return 1
        return 0
    ENV_FILE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
