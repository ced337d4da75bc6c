"""Structured JSON log lines: one per request, one per scheduler tick."""
from __future__ import annotations

import json
import logging
import sys
from typing import Any

from chalicelib.config import settings

_logger = logging.getLogger("paperclip.access")


def _configure() -> None:
    if not _logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        _logger.addHandler(handler)
        _logger.propagate = False
    _logger.setLevel(settings().log_level.upper())


def emit(record: dict[str, Any]) -> None:
    _configure()
    _logger.info(json.dumps(record, separators=(",", ":"), default=str))


def log_request(request_id: str, principal: Any, spec: Any, status: int, latency_ms: float) -> None:
    emit({
        "type": "request",
        "requestId": request_id,
        "principalKind": getattr(principal, "kind", None),
        "principalId": getattr(principal, "id", None),
        "route": f"{spec.method} /api{spec.path}",
        "status": status,
        "latencyMs": round(latency_ms, 2),
    })
