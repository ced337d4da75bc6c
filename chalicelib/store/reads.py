"""Reading several items of different tables in one request (TransactGetItems, strongly consistent).

Services validate an issue's references (project, goal, parent, assignee, the run holding a checkout)
this way: one request however many references a call names, instead of one GetItem each.
"""
from __future__ import annotations

from typing import Any

from pynamodb.models import Model
from pynamodb.transactions import TransactGet

from chalicelib.store.transactions import _conn  # the shared connection the request counter hooks

# DynamoDB takes 100 items per TransactGetItems since 2022; moto (our local AWS) still refuses more than
# 25. No call path reads more than 25 at once, so the smaller chunk costs nothing on AWS.
MAX_ITEMS_PER_REQUEST = 25

Key = tuple[type[Model], str]


def get_many(keys: list[Key]) -> dict[Key, Any]:
    """{(Model, hash_key): item or None}; duplicates are read once, nothing is read for no keys."""
    unique = list(dict.fromkeys(keys))
    found: dict[Key, Any] = {}
    for start in range(0, len(unique), MAX_ITEMS_PER_REQUEST):
        chunk = unique[start:start + MAX_ITEMS_PER_REQUEST]
        with TransactGet(connection=_conn()) as tg:
            futures = [(key, tg.get(key[0], key[1])) for key in chunk]
        for key, future in futures:
            try:
                found[key] = future.get()
            except key[0].DoesNotExist:
                found[key] = None
    return found
