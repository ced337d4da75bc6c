"""The embedded local AWS: a moto server on loopback, provisioned like a deployed stage.

Used by the dev runner, the tests and the benchmarks; never shipped in the Lambda (it lives outside
chalicelib/).
"""
from __future__ import annotations

import os
import socket
import threading


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
    port = port or free_port()
    server = AtomicDynamoMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def _atomic_dynamodb(app):
    """Make each DynamoDB request atomic, as it is on AWS.

    moto's TransactWriteItems snapshots the tables it touches and, when a condition fails, restores
    that snapshot: with concurrent requests, a failing transaction silently undoes writes that other
    requests committed meanwhile. Serializing DynamoDB requests inside the server restores per-request
    atomicity. Requests still interleave freely, so read-then-write races in our code stay visible.
    """
    lock = threading.Lock()

    def wsgi(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with lock:
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wsgi


class AtomicDynamoMotoServer:
    """moto's ThreadedMotoServer with the DynamoDB atomicity fix above."""

    def __init__(self, ip_address: str, port: int, verbose: bool = False):
        self._address = (ip_address, port)
        self._server = None
        self._thread = None

    def start(self) -> None:
        from moto.moto_server.threaded_moto_server import MotoRequestHandler
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        app = _atomic_dynamodb(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(*self._address, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._thread.join()


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
