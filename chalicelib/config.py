"""Settings read from the environment, once per process.

Every knob the service has is here, so the README's configuration table and this file can be read
side by side. Nothing in here performs I/O except `jwt_secret()`, which may read SSM on first use.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


@dataclass(frozen=True)
class Settings:
    stage: str
    table_prefix: str
    region: str
    auth_mode: str  # "local_trusted" | "authenticated"
    attachments_bucket: str
    kms_key_id: str
    public_base_url: str
    attachment_max_bytes: int
    attachment_content_types: tuple[str, ...]
    run_token_ttl_sec: int
    schedule_misfire_grace_sec: int
    scheduler_shards: int
    scheduler_max_fires_per_tick: int
    webhook_rate_per_trigger: int
    webhook_rate_per_ip: int
    max_body_bytes: int
    log_level: str
    version: str


DEFAULT_CONTENT_TYPES = (
    "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/markdown,"
    "text/csv,application/json,application/zip"
)


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    stage = os.environ.get("PAPERCLIP_STAGE", "local")
    return Settings(
        stage=stage,
        table_prefix=os.environ.get("PAPERCLIP_TABLE_PREFIX", f"paperclip-{stage}-"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        auth_mode=os.environ.get("AUTH_MODE", "local_trusted" if stage == "local" else "authenticated"),
        attachments_bucket=os.environ.get("PAPERCLIP_ATTACHMENTS_BUCKET", f"paperclip-{stage}-attachments"),
        kms_key_id=os.environ.get("PAPERCLIP_KMS_KEY_ID", "alias/paperclip-local"),
        public_base_url=os.environ.get("PAPERCLIP_PUBLIC_BASE_URL", "http://localhost:3100").rstrip("/"),
        attachment_max_bytes=_int("PAPERCLIP_ATTACHMENT_MAX_BYTES", 4 * 1024 * 1024),
        attachment_content_types=tuple(
            t.strip().lower()
            for t in os.environ.get("PAPERCLIP_ATTACHMENT_CONTENT_TYPES", DEFAULT_CONTENT_TYPES).split(",")
            if t.strip()
        ),
        run_token_ttl_sec=_int("PAPERCLIP_RUN_TOKEN_TTL_SEC", 3600),
        schedule_misfire_grace_sec=_int("SCHEDULE_MISFIRE_GRACE_SEC", 300),
        scheduler_shards=_int("PAPERCLIP_SCHEDULER_SHARDS", 8),
        scheduler_max_fires_per_tick=_int("PAPERCLIP_SCHEDULER_MAX_FIRES_PER_TICK", 2000),
        webhook_rate_per_trigger=_int("PAPERCLIP_WEBHOOK_RATE_PER_TRIGGER", 30),
        webhook_rate_per_ip=_int("PAPERCLIP_WEBHOOK_RATE_PER_IP", 120),
        max_body_bytes=_int("PAPERCLIP_MAX_BODY_BYTES", 6 * 1024 * 1024),
        log_level=os.environ.get("LOG_LEVEL", "INFO"),
        version=os.environ.get("PAPERCLIP_VERSION", "0.1.0"),
    )


@functools.lru_cache(maxsize=1)
def jwt_secret() -> str:
    """The HS256 secret for run JWTs.

    Deployed stages name an SSM SecureString parameter (never the secret itself); local and test
    runs may set the secret directly.
    """
    literal = os.environ.get("PAPERCLIP_JWT_SECRET")
    if literal:
        return literal
    param = os.environ.get("PAPERCLIP_JWT_SECRET_PARAM")
    if param:
        # botocore, deferred (only deployed stages pay for the client): boto3 is not in the package, and
        # the Lambda runtime's own boto3 would pair with a botocore other than the one shipped and tested.
        from chalicelib import aws_session

        ssm = aws_session.create_client("ssm", region_name=settings().region)
        return ssm.get_parameter(Name=param, WithDecryption=True)["Parameter"]["Value"]
    if settings().stage == "local":
        return "paperclip-local-development-secret-not-for-production"
    raise RuntimeError("PAPERCLIP_JWT_SECRET or PAPERCLIP_JWT_SECRET_PARAM must be set")
