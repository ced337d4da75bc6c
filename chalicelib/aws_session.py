"""One botocore session per process, behind every AWS client the service builds (DynamoDB, S3, KMS,
SSM, the health probe).

A botocore session loads botocore's endpoint rules and each service's model from JSON once and keeps
them; a client built from a fresh session loads them again (~0.18 s of CPU each here; see
store/connection.py). Sessions are not thread-safe (botocore docs, "Clients and threads"), so every
client is built under one lock; the clients themselves are thread-safe and kept by their owners.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_session: Any = None
_lock = threading.Lock()


def with_session(build: Callable[[Any], T]) -> T:
    """`build(session)` under the lock, with the process's botocore session (created on first use)."""
    global _session
    with _lock:
        if _session is None:
            import botocore.session  # deferred: a request that needs no AWS client imports no session code

            _session = botocore.session.get_session()
        return build(_session)


def create_client(service_name: str, **kwargs: Any) -> Any:
    """A new botocore client of the shared session (`kwargs` as botocore's Session.create_client)."""
    return with_session(lambda session: session.create_client(service_name, **kwargs))
