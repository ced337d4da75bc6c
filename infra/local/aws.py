"""The embedded local AWS: a moto server on loopback, provisioned like a deployed stage.

Used by the dev runner, the tests and the benchmarks; never shipped in the Lambda (it lives outside
chalicelib/).
"""
from __future__ import annotations

import os
import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_aws_env(endpoint: str) -> dict[str, str]:
    """Environment that points botocore (and so PynamoDB) at the moto server."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def start_moto(port: int | None = None):
    """Start moto's threaded server; returns (server, endpoint)."""
    from moto.server import ThreadedMotoServer

    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def provision(assume_empty: bool = False) -> None:
    """Create every table, the attachments bucket and the KMS key alias, if missing.

    `assume_empty`: the moto server was just reset, so skip the existence checks (tests).
    """
    import boto3

    from chalicelib.config import settings
    from chalicelib.store.registry import create_all_tables

    create_all_tables(assume_empty)
    cfg = settings()
    s3 = boto3.client("s3", region_name=cfg.region)
    existing = set() if assume_empty else {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if cfg.attachments_bucket not in existing:
        s3.create_bucket(Bucket=cfg.attachments_bucket)
    kms = boto3.client("kms", region_name=cfg.region)
    if cfg.kms_key_id.startswith("alias/"):
        aliases = set() if assume_empty else {a["AliasName"] for a in kms.list_aliases().get("Aliases", [])}
        if cfg.kms_key_id not in aliases:
            key_id = kms.create_key(Description="paperclip local webhook secrets")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=cfg.kms_key_id, TargetKeyId=key_id)


def reset_moto(endpoint: str) -> None:
    """Drop all state in the moto server (tests)."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()


def apply_env(env: dict[str, str]) -> None:
    os.environ.update(env)
