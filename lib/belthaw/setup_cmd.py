"""Set up the project's environment on any platform: what `make install` / `make install-dev` do.

Standard library only, so it runs before belthaw is installed, with any Python 3.11+:
``python lib/belthaw/setup_cmd.py [--dev]`` (Windows: ``py -3.11 lib\\belthaw\\setup_cmd.py``)
creates ``.venv``, installs ``requirements.lock`` (or ``requirements-dev.lock``; the locks are
universal) and the project, editable, and registers the Jupyter kernel ``belthaw`` inside
``.venv`` and, unless ``--no-user-kernel``, for the user (for front-ends installed elsewhere).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KERNEL = "belthaw"
KERNEL_DISPLAY = "Python (belthaw)"


def venv_python(venv: Path) -> Path:
    return venv / "Scripts" / "python.exe" if os.name == "nt" else venv / "bin" / "python"


def install_env() -> dict[str, str]:
    """UTF-8 mode, so pip's editable install works in a folder with non-ASCII letters under any
    locale (``LC_ALL=C`` included)."""
    return {**os.environ, "PYTHONUTF8": "1"}


def commands(venv: Path, dev: bool, user_kernel: bool, python: str) -> list[list[str]]:
    """The commands setup runs, in order (without creating the venv when it exists)."""
    py = str(venv_python(venv))
    lock, project = ("requirements-dev.lock", ".[dev]") if dev else ("requirements.lock", ".")
    cmds = [] if venv_python(venv).exists() else [[python, "-m", "venv", str(venv)]]
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "-r", lock, "-e", project]
    kernel = [py, "-m", "ipykernel", "install", "--name", KERNEL, "--display-name", KERNEL_DISPLAY]
    return [*cmds, pip, [*kernel, "--sys-prefix"]] + ([[*kernel, "--user"]] if user_kernel else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="belthaw setup",
        description="Create .venv, install the locked packages and register the Jupyter kernel.",
    )
    ap.add_argument(
        "--dev", action="store_true", help="also install the development tools (tests, lint)"
    )
    ap.add_argument("--venv", default=str(ROOT / ".venv"), help="environment folder (.venv)")
    ap.add_argument(
        "--no-user-kernel",
        action="store_true",
        help="register the kernel inside the environment only, not for the user",
    )
    ap.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = ap.parse_args(argv)
    if not (ROOT / "requirements.lock").exists():
        print(f"belthaw setup: no requirements.lock in {ROOT} (run from a clone)", file=sys.stderr)
        return 2
    venv = Path(args.venv).resolve()
    for cmd in commands(venv, args.dev, not args.no_user_kernel, sys.executable):
        print("+ " + subprocess.list2cmdline(cmd), flush=True)
        code = 0 if args.dry_run else subprocess.run(cmd, cwd=ROOT, env=install_env()).returncode
        if code:
            print(f"belthaw setup: failed (exit {code})", file=sys.stderr)
            return code
    if not args.dry_run:
        scripts = venv_python(venv).parent
        print(f"\nReady. Run the workbook: {scripts / 'belthaw'} run  (then: brief)")
        print(f"Open it:          {scripts / 'jupyter'} lab notebooks/  (add --allow-root as root)")
        if args.dev:
            print(f"Run the tests:    {venv_python(venv)} -m pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
