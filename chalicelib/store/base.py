"""What every table shares: its stage-prefixed name, region and on-demand billing.

Each table is defined exactly once, as a PynamoDB model in this package; table creation (local runner,
tests) and the CloudFormation templates under infra/ are both derived from these models.
"""
from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.constants import STRING
from pynamodb.models import Model

from chalicelib.config import settings
from chalicelib.store import connection


def table_name(short: str) -> str:
    return settings().table_prefix + short


def meta(short: str) -> type:
    """A PynamoDB Meta class for the table `short` (prefix applied from the stage's settings)."""

    class Meta:
        table_name = f"{settings().table_prefix}{short}"
        region = settings().region
        billing_mode = "PAY_PER_REQUEST"
        # The same settings as the one shared client every table uses (store/connection.py).
        max_retry_attempts = connection.MAX_RETRY_ATTEMPTS
        max_pool_connections = connection.MAX_POOL_CONNECTIONS

    Meta.short_name = short  # type: ignore[attr-defined]
    return Meta


class BaseModel(Model):
    """Base of every table model; each subclass sets `Meta = meta("short-name")`."""

    @classmethod
    def _get_connection(cls):  # type: ignore[override]
        """PynamoDB's table connection, talking through the process's one botocore client
        (store/connection.py) instead of building one of its own."""
        table_connection = super()._get_connection()
        if table_connection.connection._client is None:
            table_connection.connection._client = connection.shared().client
        return table_connection


class JSONAttribute(Attribute[Any]):
    """Free-form JSON (payloads, details, capabilities) stored as a string attribute."""

    attr_type = STRING

    def serialize(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def deserialize(self, value: str) -> Any:
        return json.loads(value)
