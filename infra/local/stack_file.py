"""Where a running `make run` can be reached: `<data dir>/stack.json`, written by the runner once
everything serves and removed when it stops.

Local tools (tools/admin.py, `make due` / `make tick`) read it instead of asking the user for ports
and dummy credentials. A file left behind by a killed runner is recognised by its dead pid.

Shape: {"pid": int, "api": url, "dynamodb": url, "s3kms": url, "engine": "dynamodb-local" | "moto",
"dataDir": path, "env": {settings the runner used: stage, table prefix, bucket, KMS alias, ...}}.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = "stack.json"


def data_dir() -> Path:
    """PAPERCLIP_DATA_DIR, default `.data/` in the checkout (git-ignored)."""
    return Path(os.environ.get("PAPERCLIP_DATA_DIR") or ROOT / ".data").resolve()


def write(directory: Path, info: dict) -> None:
    tmp = directory / f".{NAME}.tmp"
    tmp.write_text(json.dumps(info, indent=2))
    os.replace(tmp, directory / NAME)


def remove(directory: Path) -> None:
    (directory / NAME).unlink(missing_ok=True)


def read(directory: Path | None = None) -> dict | None:
    """The running stack's info, or None when no runner is alive on that data directory."""
    path = (directory or data_dir()) / NAME
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(info["pid"], 0)
    except (OSError, KeyError, TypeError):
        return None  # the runner died without cleaning up (kill -9)
    return info


def client_env(info: dict) -> dict[str, str]:
    """Environment for a local tool process: the runner's endpoints and settings, dummy credentials."""
    from infra.local.aws import local_aws_env

    return {**local_aws_env(info["s3kms"], dynamodb_endpoint=info["dynamodb"]), **info["env"]}
