"""Installs the pinned upstream clients once per machine, outside the clone.

What is installed (the versions SPEC §9 and issue 14 name):
- npm `paperclipai@2026.916.1` (the CLI). It depends on `@paperclipai/server@2026.916.1`, which carries
  the agent skill (`skills/paperclip/`). Installed with `--omit=optional --ignore-scripts`: ~764 MB
  instead of 1.5 GB (no embedded Postgres binaries, no postinstall downloads), about a minute; the CLI's
  client commands need neither.
- PyPI `paperclip-mcp==0.2.1` in a virtualenv of its own, with the resolution the research notes
  verified pinned in `mcp-constraints.txt` (fastmcp, mcp, httpx, python-dotenv). It never enters the
  project's .venv: nothing of it may reach what the Lambda ships or the tested dependency set.

Where: `$PAPERCLIP_COMPAT_CACHE` or `~/.cache/paperclip-compat/`, one directory per client keyed by its
version (and, for the MCP venv, the constraints' hash and the Python version), so a rerun on the same
machine installs nothing and a version bump installs beside the old one.

Concurrency: pytest-xdist starts workers at once; each install runs under an exclusive `flock` on
`<dir>.lock`, builds into a temporary directory and renames it into place with a `.complete` stamp
written last. A worker that waited on the lock finds the stamp and returns; a crashed install leaves
only a temporary directory, removed by the next attempt.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

CLI_PACKAGE = "paperclipai"
CLI_VERSION = "2026.916.1"
MCP_PACKAGE = "paperclip-mcp"
MCP_VERSION = "0.2.1"
CONSTRAINTS = Path(__file__).with_name("mcp-constraints.txt")
STAMP = ".complete"
# An install that needs more than this is broken (the npm install takes about a minute).
INSTALL_TIMEOUT_SEC = 900


def cache_root() -> Path:
    return Path(os.environ.get("PAPERCLIP_COMPAT_CACHE") or Path.home() / ".cache" / "paperclip-compat")


@contextmanager
def _exclusive(lock_path: Path):
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install_once(target: Path, build) -> Path:
    """`build(tmp_dir)` fills a fresh directory; it becomes `target` only when complete."""
    if (target / STAMP).exists():
        return target
    with _exclusive(target.with_name(target.name + ".lock")):
        if (target / STAMP).exists():
            return target
        tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        tmp.mkdir(parents=True)
        build(tmp)
        (tmp / STAMP).write_text("ok\n")
        tmp.rename(target)
    return target


def _run(cmd: list[str], **kw) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SEC, **kw)
    if result.returncode != 0:
        raise RuntimeError(f"install step failed ({result.returncode}): {' '.join(cmd)}\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def cli_dir() -> Path:
    """The npm prefix holding node_modules/paperclipai and node_modules/@paperclipai/server."""

    def build(tmp: Path) -> None:
        # A virtualenv-style private package.json keeps npm from walking up to another project.
        (tmp / "package.json").write_text('{"name": "paperclip-compat-clients", "private": true}\n')
        _run(["npm", "install", "--prefix", str(tmp), "--omit=optional", "--ignore-scripts",
              "--no-audit", "--no-fund", "--loglevel=error", f"{CLI_PACKAGE}@{CLI_VERSION}"])

    return _install_once(cache_root() / f"npm-{CLI_PACKAGE}-{CLI_VERSION}", build)


def cli_entry() -> Path:
    return cli_dir() / "node_modules" / CLI_PACKAGE / "dist" / "index.js"


def skill_dir() -> Path:
    """`skills/paperclip/` of the @paperclipai/server the CLI depends on (SKILL.md, references, scripts)."""
    root = cli_dir() / "node_modules"
    for candidate in (root / "@paperclipai" / "server", root / CLI_PACKAGE / "node_modules" / "@paperclipai" / "server"):
        if (candidate / "skills" / "paperclip" / "SKILL.md").exists():
            return candidate / "skills" / "paperclip"
    raise RuntimeError(f"@paperclipai/server's skills/paperclip not found under {root}")


def mcp_python() -> Path:
    """The python of a virtualenv holding paperclip-mcp and its MCP client libraries."""
    key = hashlib.sha256(CONSTRAINTS.read_bytes()).hexdigest()[:10]
    py = f"py{sys.version_info.major}{sys.version_info.minor}"

    def build(tmp: Path) -> None:
        _run([sys.executable, "-m", "venv", str(tmp)])
        _run([str(tmp / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
              "-c", str(CONSTRAINTS), f"{MCP_PACKAGE}=={MCP_VERSION}"])

    target = _install_once(cache_root() / f"pypi-{MCP_PACKAGE}-{MCP_VERSION}-{py}-{key}", build)
    return target / "bin" / "python"


if __name__ == "__main__":  # `python -m tests.compat.install`: warm the cache by hand
    print(cli_entry(), skill_dir(), mcp_python(), sep="\n")
