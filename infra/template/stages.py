"""Per-stage names, read from .chalice/config.json so the template and the Lambdas' environment agree.

A deployed stage is one whose environment names a table prefix; `local` (moto) is not one. The template
takes the stage as a parameter and looks everything else up in a mapping built from this file.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PARAMETER = "Stage"
MAPPING = "StageSettings"
IS_PROD = "IsProd"

# mapping key -> environment variable in .chalice/config.json
ENV_KEYS = {
    "TablePrefix": "PAPERCLIP_TABLE_PREFIX",
    "AttachmentsBucket": "PAPERCLIP_ATTACHMENTS_BUCKET",
    "KmsAlias": "PAPERCLIP_KMS_KEY_ID",
    "JwtSecretParam": "PAPERCLIP_JWT_SECRET_PARAM",
}


def read(project_dir: Path) -> dict[str, dict[str, str]]:
    config = json.loads((project_dir / ".chalice" / "config.json").read_text())
    out: dict[str, dict[str, str]] = {}
    for stage, stage_config in sorted(config.get("stages", {}).items()):
        env = {**config.get("environment_variables", {}), **stage_config.get("environment_variables", {})}
        if "PAPERCLIP_TABLE_PREFIX" not in env:
            continue  # not a deployed stage
        missing = [var for var in ENV_KEYS.values() if not env.get(var)]
        if missing:
            raise ValueError(f".chalice/config.json stage {stage!r} lacks {missing}")
        if not env["PAPERCLIP_KMS_KEY_ID"].startswith("alias/"):
            raise ValueError(f"stage {stage!r}: PAPERCLIP_KMS_KEY_ID must be the key's alias (alias/...)")
        if not env["PAPERCLIP_JWT_SECRET_PARAM"].startswith("/"):
            raise ValueError(f"stage {stage!r}: PAPERCLIP_JWT_SECRET_PARAM must be a path (/paperclip/...)")
        out[stage] = {key: env[var] for key, var in ENV_KEYS.items()}
    if not out:
        raise ValueError(".chalice/config.json has no deployed stage (one with PAPERCLIP_TABLE_PREFIX)")
    return out


def setting(name: str) -> dict[str, Any]:
    """The current stage's value of `name`, as a CloudFormation expression."""
    return {"Fn::FindInMap": [MAPPING, {"Ref": PARAMETER}, name]}


def prefixed(suffix: str) -> dict[str, Any]:
    """A name made of the stage's table prefix and `suffix`."""
    return {"Fn::Sub": ["${Prefix}" + suffix, {"Prefix": setting("TablePrefix")}]}
