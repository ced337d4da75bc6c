"""Counts DynamoDB requests through botocore events, for benchmarks and request-budget tests."""
from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

_local = threading.local()
_hooked: set[int] = set()


def _on_call(model=None, **_kwargs) -> None:
    counter = getattr(_local, "counter", None)
    if counter is not None and model is not None:
        counter[model.name] += 1


def hook_client(client) -> None:
    if id(client) not in _hooked:
        client.meta.events.register("before-call.dynamodb", _on_call)
        _hooked.add(id(client))


def _hook_all() -> None:
    from chalicelib.store.registry import ALL_MODELS
    from chalicelib.store.transactions import _conn

    for model in ALL_MODELS:
        hook_client(model._get_connection().connection.client)
    hook_client(_conn().client)


@contextmanager
def counting() -> Iterator[Counter]:
    """Count this thread's DynamoDB calls, by operation name, while the block runs."""
    _hook_all()
    _local.counter = Counter()
    try:
        yield _local.counter
    finally:
        _local.counter = None
