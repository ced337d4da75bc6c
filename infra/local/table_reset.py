"""Empty every table between tests, cheaply, on a DynamoDB server that keeps its tables.

Measured on DynamoDB Local 3.3.1 (2 busy cores): deleting and re-creating the 17 tables costs about
0.5 s, which over ~800 tests would add minutes to `make test`. A test writes a few dozen items, so
instead each table is scanned (keys only, all tables in parallel: ~30 ms when empty) and the items
found are deleted with BatchWriteItem. A table holding more than one scan page (the scheduler race
tests write thousands of items) is dropped and re-created instead, which is cheaper than deleting
item by item. Either way the next test starts from empty tables with the same schema.

TTL is switched off on these tables: DynamoDB Local, like DynamoDB, deletes items whose TTL attribute
is in the past (measured: within ~1 s), by the wall clock. Tests run on a FakeClock set in early 2026,
so every idempotency key, lease or rate-limit window they write is "expired" in wall time and would
vanish mid-test at random (seen: a keyed run replayed as a second run). What the TTL is set to is
tested through the items themselves; `make run` keeps TTL on, with the real clock.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pynamodb.models import Model

SCAN_PAGE = 500  # items; a table holding more is re-created rather than emptied item by item
BATCH = 25  # BatchWriteItem's limit


class TableReset:
    """Empties `models`' tables through one botocore client (thread-safe) and a small thread pool."""

    def __init__(self, client: Any, models: list[type[Model]]):
        self._client = client
        self._models = models
        self._pool = ThreadPoolExecutor(max_workers=len(models), thread_name_prefix="table-reset")

    def create_tables(self) -> None:
        """Create the missing tables (once per test process), without TTL."""
        from chalicelib.store.registry import create_all_tables

        create_all_tables()
        for model in self._models:
            self._without_ttl(model)

    def _without_ttl(self, model: type[Model]) -> None:
        ttl = model._ttl_attribute()
        table = model.Meta.table_name
        described = self._client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        if ttl and described["TimeToLiveStatus"] in ("ENABLED", "ENABLING"):
            self._client.update_time_to_live(
                TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": ttl.attr_name})

    def empty_all(self) -> None:
        for future in [self._pool.submit(self._empty, model) for model in self._models]:
            future.result()  # re-raises a failure in the test that asked for the reset

    def _empty(self, model: type[Model]) -> None:
        table = model.Meta.table_name
        keys = [model._hash_keyname] + ([model._range_keyname] if model._range_keyname else [])
        names = {f"#k{i}": key for i, key in enumerate(keys)}
        page = self._client.scan(TableName=table, Limit=SCAN_PAGE, ConsistentRead=True,
                                 ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
        if "LastEvaluatedKey" in page:
            self._client.delete_table(TableName=table)
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            self._without_ttl(model)  # create_table switched it on
            return
        items = page["Items"]
        for start in range(0, len(items), BATCH):
            requests = [{"DeleteRequest": {"Key": item}} for item in items[start:start + BATCH]]
            pending = {table: requests}
            while pending:  # DynamoDB may hand back unprocessed items; resend them
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def close(self) -> None:
        self._pool.shutdown(wait=False)
