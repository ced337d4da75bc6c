"""JSON as RFC 8259 defines it, for every body the API reads (issue #10).

Python's json module is lenient where the standard is not: it accepts NaN, Infinity and -Infinity,
turns numbers that overflow a double (1e400) into inf, decodes UTF-16 and UTF-32 texts, and lets lone
UTF-16 surrogates (\\ud800) through. Each of those, once stored, comes back out as text that strict
parsers (JSON.parse, jq) refuse or that cannot be encoded at all. `loads` refuses them all with
`JsonError` (the API answers 400); `dumps` never writes NaN or Infinity.
"""
from __future__ import annotations

import json
import math
from typing import Any


class JsonError(ValueError):
    """Not a JSON text this API accepts; the message says why."""


def _refuse_constant(name: str) -> Any:
    raise JsonError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonError(f"number out of range: {text[:40]}")
    return value


def loads(raw: bytes | str) -> Any:
    """Parse UTF-8 JSON (RFC 8259 §8.1); JsonError for anything else."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonError("the body is not UTF-8")
    else:
        text = raw
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except JsonError:
        raise
    except (ValueError, RecursionError) as exc:
        raise JsonError("malformed JSON") from exc
    try:  # lone surrogates parse but cannot be stored or encoded
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        raise JsonError("the body has unpaired UTF-16 surrogates")
    return value


def dumps(value: Any) -> str:
    """Compact JSON; ValueError rather than ever writing NaN or Infinity."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
