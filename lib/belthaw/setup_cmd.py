"""Set up the project's environment on any platform: what `make install` / `make install-dev` do.

Standard library only, so it runs before belthaw is installed, with any Python 3.11+:

    python lib/belthaw/setup_cmd.py          # .venv with the runtime lock + kernel "Python (belthaw)"
    python lib/belthaw/setup_cmd.py --dev    # ... plus the development tools (make test)

(on Windows ``py -3.11 lib\\belthaw\\setup_cmd.py``). Steps, each printed as it runs:

1. create ``.venv`` (``python -m venv``) unless it exists;
2. ``.venv``'s pip installs ``requirements.lock`` (or ``requirements-dev.lock``) and the
   project, editable, with dependency resolution: the locks are universal, with
   environment markers for Linux, macOS and Windows;
3. register the Jupyter kernel ``belthaw`` ("Python (belthaw)") inside ``.venv``
   (``--sys-prefix``: what ``.venv``'s own Jupyter and ``belthaw run`` use) and for the
   user (``--user``: for Jupyter front-ends installed elsewhere; ``--no-user-kernel`` skips it).
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
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def install_env() -> dict[str, str]:
    """The environment of setup's commands: UTF-8 mode, so pip's editable install works in a
    folder with non-ASCII letters under any locale (``LC_ALL=C`` included)."""
    return {**os.environ, "PYTHONUTF8": "1"}


def commands(venv: Path, dev: bool, user_kernel: bool, python: str) -> list[list[str]]:
    """The commands setup runs, in order (without creating the venv when it exists)."""
    py = str(venv_python(venv))
    lock, project = ("requirements-dev.lock", ".[dev]") if dev else ("requirements.lock", ".")
    cmds = []
    if not venv_python(venv).exists():
        cmds.append([python, "-m", "venv", str(venv)])
    cmds.append(
        [py, "-m", "pip", "install", "--disable-pip-version-check", "-r", lock, "-e", project]
    )
    kernel = [py, "-m", "ipykernel", "install", "--name", KERNEL, "--display-name", KERNEL_DISPLAY]
    cmds.append([*kernel, "--sys-prefix"])
    if user_kernel:
        cmds.append([*kernel, "--user"])
    return cmds


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
        if args.dry_run:
            continue
        proc = subprocess.run(cmd, cwd=ROOT, env=install_env())
        if proc.returncode != 0:
            print(f"belthaw setup: failed (exit {proc.returncode})", file=sys.stderr)
            return proc.returncode
    scripts = venv_python(venv).parent
    if not args.dry_run:
        print(f"\nReady. Run the workbook: {scripts / 'belthaw'} run  (then: brief)")
        print(f"Open it:          {scripts / 'jupyter'} lab notebooks/  (add --allow-root as root)")
        if args.dev:
            print(f"Run the tests:    {venv_python(venv)} -m pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
