"""Health: can we reach DynamoDB? One cheap DescribeTable with a short timeout and no retries."""
from __future__ import annotations

import functools

from chalicelib.config import settings


@functools.lru_cache(maxsize=1)
def _probe_client():
    from botocore.config import Config

    from chalicelib import aws_session

    return aws_session.create_client(
        "dynamodb",
        region_name=settings().region,
        config=Config(connect_timeout=2, read_timeout=2, retries={"total_max_attempts": 1}),
    )


def database_reachable() -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.store.companies import Company

    try:
        _probe_client().describe_table(TableName=Company.Meta.table_name)
        return True
    except (BotoCoreError, ClientError):
        return False
