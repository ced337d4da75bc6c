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


def table_name(short: str) -> str:
    return settings().table_prefix + short


def meta(short: str) -> type:
    """A PynamoDB Meta class for the table `short` (prefix applied from the stage's settings)."""

    class Meta:
        table_name = f"{settings().table_prefix}{short}"
        region = settings().region
        billing_mode = "PAY_PER_REQUEST"
        # Retries are botocore's standard mode; PynamoDB's own retry layer is off so each logical
        # request is counted once by the benchmarks.
        max_retry_attempts = 3
        max_pool_connections = 64  # Lambda is single-threaded; the local server and race tests are not

    Meta.short_name = short  # type: ignore[attr-defined]
    return Meta


class BaseModel(Model):
    """Base of every table model; each subclass sets `Meta = meta("short-name")`."""


class JSONAttribute(Attribute[Any]):
    """Free-form JSON (payloads, details, capabilities) stored as a string attribute."""

    attr_type = STRING

    def serialize(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def deserialize(self, value: str) -> Any:
        return json.loads(value)
