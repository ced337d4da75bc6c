"""Domain errors. Services raise these; chalicelib/http/api.py is the one place that maps them to HTTP.

They carry no HTTP types so the service layer stays free of Chalice.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PayloadTooLarge(DomainError):
    status = 413


class UnsupportedMediaType(DomainError):
    status = 415


class Unprocessable(DomainError):
    status = 422


class RateLimited(DomainError):
    status = 429

    def __init__(self, message: str, retry_after_sec: int):
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after_sec))})


class ServiceUnavailable(DomainError):
    status = 503
