"""All-or-nothing writes across tables, with conflicts reported by the tag of the op that failed.

Services say *which* guarded condition failed (a taken name, a lost race) by tagging ops; this module
turns DynamoDB's cancellation reasons into those tags so callers never parse error strings.
"""
from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.store import connection


CONTENTION_RETRIES = 4
_SENT_ORDER = ("condition_check", "delete", "save", "update")


class TransactionConflict(Exception):
    """A condition in the transaction did not hold; `tags` names the ops whose condition failed."""

    def __init__(self, tags: list[str]):
        super().__init__(f"transaction condition failed: {tags}")
        self.tags = tags


def _conn() -> Connection:
    return connection.shared()


@dataclass
class Transaction:
    ops: list[tuple[str, tuple, dict, str]] = field(default_factory=list)

    def save(self, model: Any, condition: Any = None, tag: str = "") -> "Transaction":
        self.ops.append(("save", (model,), {"condition": condition}, tag))
        return self

    def update(self, model: Any, actions: list, condition: Any = None, tag: str = "") -> "Transaction":
        self.ops.append(("update", (model, actions), {"condition": condition}, tag))
        return self

    def delete(self, model: Any, condition: Any = None, tag: str = "") -> "Transaction":
        self.ops.append(("delete", (model,), {"condition": condition}, tag))
        return self

    def check(self, model_cls: Any, hash_key: Any, range_key: Any = None, condition: Any = None, tag: str = "") -> "Transaction":
        self.ops.append(("condition_check", (model_cls, hash_key, range_key), {"condition": condition}, tag))
        return self

    def commit(self) -> None:
        """Write all ops or none.

        A failed condition raises TransactionConflict naming the tags. Contention (DynamoDB cancels
        concurrent transactions on the same item with "TransactionConflict") is not a verdict on the
        conditions, so the same transaction is retried a few times with jitter before giving up.
        """
        if not self.ops:
            return
        for attempt in range(CONTENTION_RETRIES + 1):
            try:
                # A token per attempt: botocore's own retries of this request (say, after a lost reply)
                # are then idempotent on DynamoDB instead of failing their conditions against our own write.
                with TransactWrite(connection=_conn(), client_request_token=str(uuid.uuid4())) as tw:
                    for kind, args, kwargs, _tag in self.ops:
                        getattr(tw, kind)(*args, **kwargs)
                return
            except TransactWriteError as exc:
                reasons = exc.cancellation_reasons or []
                # PynamoDB sends ops grouped by kind; DynamoDB's reasons follow that order.
                sent = [op for kind in _SENT_ORDER for op in self.ops if op[0] == kind]
                failed = [
                    sent[i][3] or f"op{i}"
                    for i, reason in enumerate(reasons)
                    if reason is not None and reason.code == "ConditionalCheckFailed"
                ]
                if failed:
                    raise TransactionConflict(failed) from exc
                contended = any(r is not None and r.code == "TransactionConflict" for r in reasons)
                if not contended or attempt == CONTENTION_RETRIES:
                    raise
                time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
