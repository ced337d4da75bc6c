"""One DynamoDB connection, and so one botocore client, for every table and every transaction.

PynamoDB gives each model a Connection of its own, and each Connection builds a botocore session and
client on first use. A botocore session reloads botocore's endpoint rules and the DynamoDB service model
from JSON, so each of those clients cost ~0.18 s of CPU here (measured: building the clients of all 20
tables and the transactions' took 3.7 s, against 0.11 s for the one shared client): a Lambda instance
paid it again for every table its first requests touched, on top of the import that
bench/cold_start.py measures. botocore clients are thread-safe
(botocore docs, "Clients and threads"; only sessions are not), so the one client serves all tables and
the local server's and race tests' threads; its pool is sized for them (max_pool_connections).

Retries are botocore's standard mode with PynamoDB's own retry layer off (max_retry_attempts in the
settings every table shares: store/base.py), so each logical request is counted once by the benchmarks.
"""
from __future__ import annotations

import threading

from pynamodb.connection import Connection

from chalicelib import aws_session
from chalicelib.config import settings

MAX_POOL_CONNECTIONS = 64  # Lambda is single-threaded; the local server and the race tests are not
MAX_RETRY_ATTEMPTS = 3

_connection: Connection | None = None
_lock = threading.Lock()


def shared() -> Connection:
    """The process's DynamoDB Connection (created on first use; its botocore client likewise)."""
    global _connection
    if _connection is None:
        with _lock:  # two threads' first requests must not build two clients
            if _connection is None:
                connection = Connection(region=settings().region, max_pool_connections=MAX_POOL_CONNECTIONS,
                                        max_retry_attempts=MAX_RETRY_ATTEMPTS)

                def build(session):  # PynamoDB's own client, built from the process's one session
                    connection._local.session = session
                    return connection.client

                aws_session.with_session(build)
                _connection = connection
    return _connection
