"""Which storage failures are "try again later" rather than bugs.

Throttling, DynamoDB's own 5xx and a dropped connection say nothing about the request: the HTTP layer
answers them 503 with Retry-After instead of 500, and the caller's retry converges (every write is
conditional, so a retried request cannot apply twice; see tests/faults).
"""
from __future__ import annotations

TRANSIENT_CODES = frozenset({
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
})


def is_transient(exc: BaseException) -> bool:
    """True for throttling, a DynamoDB 5xx or a connection failure, wherever it is in the cause chain."""
    from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, HTTPClientError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (BotoConnectionError, HTTPClientError)):
            return True
        if isinstance(current, ClientError):
            error = current.response.get("Error", {})
            status = current.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return error.get("Code") in TRANSIENT_CODES or status >= 500
        current = current.__cause__ or current.__context__
    return False
