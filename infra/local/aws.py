"""The embedded local AWS: a moto server on loopback for S3 and KMS (and for DynamoDB when
PAPERCLIP_DYNAMODB_ENGINE=moto), provisioned like a deployed stage. DynamoDB itself is Amazon's
DynamoDB Local by default (infra/local/dynamodb_local.py).

Used by the dev runner, the tests and the benchmarks; never shipped in the Lambda (it lives outside
chalicelib/).
"""
from __future__ import annotations

import functools
import os
import socket
import threading


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_aws_env(endpoint: str, dynamodb_endpoint: str | None = None, access_key: str = "testing") -> dict[str, str]:
    """Environment that points botocore (and so PynamoDB) at the local servers.

    `endpoint` serves S3 and KMS (moto); `dynamodb_endpoint` serves DynamoDB (DynamoDB Local), the
    moto server itself when None. botocore reads AWS_ENDPOINT_URL_<SERVICE> before AWS_ENDPOINT_URL.
    `access_key`: DynamoDB Local without -sharedDb keeps one database per access key (tests give each
    pytest-xdist worker its own); the credentials are otherwise never checked.
    """
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint or endpoint,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def dynamodb_engine() -> str:
    """`dynamodb-local` (default: Amazon DynamoDB Local) or `moto` (the patched moto server below)."""
    engine = os.environ.get("PAPERCLIP_DYNAMODB_ENGINE", "dynamodb-local")
    if engine not in ("dynamodb-local", "moto"):
        raise SystemExit(f"PAPERCLIP_DYNAMODB_ENGINE must be dynamodb-local or moto, not {engine!r}")
    return engine


def start_moto(port: int | None = None, wrap=None):
    """Start moto's threaded server; returns (server, endpoint).

    `wrap(app) -> app`: WSGI middleware put in front of moto (the runner's S3 mirror); `server.app` is
    the outermost application.
    """
    port = port or free_port()
    server = AtomicDynamoMotoServer(ip_address="127.0.0.1", port=port, verbose=False, wrap=wrap)
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


def _item_level_transaction_rollback() -> None:
    """Make moto's TransactWriteItems roll back item by item instead of table by table.

    To undo a cancelled transaction, moto deep-copies every table the transaction touches, on every
    transaction: the cost grows with the tables' size, and a workload that writes thousands of items
    (the scheduler race tests, the benchmarks) spends nearly all its time copying. Here only the items
    the transaction names are saved and restored: the same all-or-nothing outcome, at a cost that
    does not grow with the tables. Requests are serialized (`_atomic_dynamodb`), so nothing else
    writes while a transaction runs.
    """
    import copy

    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = models.DynamoDBBackend.transact_write_items
    if getattr(original, "item_level_rollback", False):
        return

    class TablesNotCopied:
        """Stands in for the `copy` module inside moto.dynamodb.models while a transaction runs."""

        def deepcopy(self, value, memo=None):
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

        def __getattr__(self, name):
            return getattr(copy, name)

    def saved_items(backend, transact_items):
        saved = []
        for entry in transact_items:
            _kind, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName"))
            key = op.get("Key") or op.get("Item") or {}
            if table is None or table.hash_key_attr not in key:
                continue  # moto rejects it before writing anything
            range_value = None
            if table.range_key_attr:
                if table.range_key_attr not in key:
                    continue
                range_value = DynamoType(key[table.range_key_attr])
            hash_value = DynamoType(key[table.hash_key_attr])
            saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
        return saved

    def restore(saved):
        for table, hash_value, range_value, item in reversed(saved):
            if item is None:
                table.delete_item(hash_value, range_value)
            elif range_value is not None:
                table.items[hash_value][range_value] = item
            else:
                table.items[hash_value] = item

    def transact_write_items(self, transact_items):
        saved = saved_items(self, transact_items)
        models.copy = TablesNotCopied()
        try:
            original(self, transact_items)
        except Exception:
            restore(saved)
            raise
        finally:
            models.copy = copy

    transact_write_items.item_level_rollback = True
    models.DynamoDBBackend.transact_write_items = transact_write_items


class AtomicDynamoMotoServer:
    """moto's ThreadedMotoServer with the DynamoDB fixes above."""

    def __init__(self, ip_address: str, port: int, verbose: bool = False, wrap=None):
        self._address = (ip_address, port)
        self._wrap = wrap
        self.app = None
        self._server = None
        self._thread = None

    def start(self) -> None:
        from moto.moto_server.threaded_moto_server import MotoRequestHandler
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        _item_level_transaction_rollback()
        app = _atomic_dynamodb(DomainDispatcherApplication(create_backend_app))
        self.app = self._wrap(app) if self._wrap else app
        self._server = make_server(*self._address, self.app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._thread.join()


def provision(assume_empty: bool = False) -> None:
    """Create every table, the attachments bucket and the KMS key alias, if missing.

    `assume_empty`: the servers were just reset, so skip the existence checks (tests).
    """
    from chalicelib.store.registry import create_all_tables

    create_all_tables(assume_empty)
    provision_bucket_and_key(assume_empty)


def provision_bucket_and_key(assume_empty: bool = False) -> str | None:
    """Create the attachments bucket and the KMS key behind the alias, if missing.

    Returns the id of the key it created (None if the alias already existed or no alias is used).
    """
    from chalicelib.config import settings

    cfg = settings()
    s3 = _client("s3", cfg.region)
    existing = set() if assume_empty else {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if cfg.attachments_bucket not in existing:
        s3.create_bucket(Bucket=cfg.attachments_bucket)
    kms = _client("kms", cfg.region)
    if cfg.kms_key_id.startswith("alias/"):
        aliases = set() if assume_empty else {a["AliasName"] for a in kms.list_aliases().get("Aliases", [])}
        if cfg.kms_key_id not in aliases:
            key_id = kms.create_key(Description="paperclip local webhook secrets")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=cfg.kms_key_id, TargetKeyId=key_id)
            return key_id
    return None


@functools.lru_cache(maxsize=None)
def _cached_client(service: str, region: str, endpoint: str | None):
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=endpoint)


def _client(service: str, region: str):
    """A boto3 client per service and endpoint: creating one costs ~0.1 s, and tests provision often."""
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL")
    return _cached_client(service, region, endpoint)


def reset_moto(endpoint: str) -> None:
    """Drop all state in the moto server (tests)."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()


def apply_env(env: dict[str, str]) -> None:
    os.environ.update(env)
