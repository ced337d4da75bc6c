"""Object storage (S3) for attachment bytes and large document bodies, and the rule for writing a blob
together with the records that point at it: blob first, then the transaction, then cleanup if it failed.

One botocore client, created on first use: importing boto3 in the Lambda path costs cold-start time and
botocore is all we need. AWS_ENDPOINT_URL in the environment points it at moto locally. botocore
clients are thread-safe; only their creation is guarded.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from pynamodb.exceptions import TransactWriteError

from chalicelib import aws_session
from chalicelib.config import settings
from chalicelib.store.transactions import Transaction, TransactionConflict

logger = logging.getLogger("paperclip")

_client: Any = None
_lock = threading.Lock()


class BlobMissing(Exception):
    """The object does not exist (deleted, or never written)."""


def _s3() -> Any:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                import botocore.config

                _client = aws_session.create_client(
                    "s3",
                    region_name=settings().region,
                    config=botocore.config.Config(max_pool_connections=64, retries={"mode": "standard"}),
                )
    return _client


def put(key: str, data: bytes, content_type: str) -> None:
    _s3().put_object(Bucket=settings().attachments_bucket, Key=key, Body=data, ContentType=content_type)


def get(key: str) -> bytes:
    try:
        response = _s3().get_object(Bucket=settings().attachments_bucket, Key=key)
    except _s3().exceptions.NoSuchKey:
        raise BlobMissing(key)
    with response["Body"] as stream:
        return stream.read()


def delete_quietly(key: str) -> None:
    """Best-effort delete (cleanup after a failed write or a deleted record): failures are logged, not raised.
    An object left behind is unreferenced garbage, never something a record points at."""
    try:
        _s3().delete_object(Bucket=settings().attachments_bucket, Key=key)
    except Exception:  # noqa: BLE001 - cleanup must not turn a finished request into an error
        logger.warning("could not delete blob", extra={"blobKey": key}, exc_info=True)


def commit_referencing(tx: Transaction, blob_key: str | None, committed: Callable[[], bool]) -> None:
    """Commit `tx`, whose items point at the blob `blob_key` written just before it.

    If the transaction did not commit, the blob is deleted so nothing half-written is left referenced
    or lying around. When the outcome is unknown (say a network error after the request was sent), the
    blob is deleted only if `committed()` says the records are not there.
    """
    try:
        tx.commit()
    except BaseException as exc:
        if blob_key and (_refused(exc) or not _safely(committed)):
            delete_quietly(blob_key)
        raise


def _refused(exc: BaseException) -> bool:
    """DynamoDB answered and applied nothing."""
    if isinstance(exc, TransactionConflict):
        return True
    return isinstance(exc, TransactWriteError) and exc.cause_response_code in (
        "TransactionCanceledException", "ValidationException",
    )


def _safely(committed: Callable[[], bool]) -> bool:
    try:
        return committed()
    except Exception:  # noqa: BLE001 - cannot tell: keep the blob (garbage at worst, never a dangling pointer)
        return True


def delete_prefix(prefix: str) -> int:
    """Delete every object under `prefix` (ListObjectsV2 pages of 1,000, one DeleteObjects each);
    returns how many. Used by company deletion; on a versioned bucket this leaves delete markers and
    the bucket's noncurrent-version expiry removes the bytes (docs/deploy.md)."""
    s3, bucket, deleted = _s3(), settings().attachments_bucket, 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            deleted += len(keys)
    return deleted
