"""The one place a request's principal is resolved (SPEC §2)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.config import settings
from chalicelib.errors import Unauthorized
from chalicelib.services.access import auth
from chalicelib.services.access.principals import LOCAL_BOARD, Principal

READ_METHODS = ("GET", "HEAD")


def resolve(headers: Any, now: datetime, method: str | None = None) -> Principal:
    """`method`: the request's HTTP method. Reads ignore X-Paperclip-Run-Id (SPEC §2; auth.authenticate);
    without a method the header is checked as for a mutation, which is never less strict."""
    authorization = (headers.get("authorization") or "").strip()
    run_id = (headers.get("x-paperclip-run-id") or "").strip() or None
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Authorization must be 'Bearer <token>'")
        return auth.authenticate(token, run_id, now, reading=(method or "").upper() in READ_METHODS)
    if settings().auth_mode == "local_trusted":
        return LOCAL_BOARD
    raise Unauthorized("Authentication required")
