"""Routine template variables (SPEC §5): declarations, placeholders, run-time values.

Why it looks like this: the same rules run at three moments — saving a routine (declarations and
placeholders, 400/422), enabling a schedule trigger (can every required variable be resolved
without a caller?), and dispatching a run (resolve, coerce, interpolate, 422). Keeping them in one
pure module makes the three agree. No I/O; the only clock is the ``now`` argument.

Documented choices:

- Declaration keys: ``name``, ``label``, ``type``, ``required``, ``defaultValue``, ``options``;
  any other key is a 400. At most 100 declarations. ``type`` defaults to ``text`` and
  ``required`` to ``true`` (an explicit ``null`` means the default too).
  Names are ``^[A-Za-z][A-Za-z0-9_]*$``, at most 64 characters, unique (case-sensitive, like
  placeholders), and may not be the built-ins ``date`` or ``timestamp``.
- ``defaultValue`` is coerced to the declared type when the routine is saved (``"5"`` for a number
  is stored as ``5``); a default that cannot be coerced is a 400 naming
  ``variables[i].defaultValue``. A blank string default is stored as ``null`` (no default).
- ``select`` needs 1..50 distinct non-empty string options and REQUIRES a default that is one of
  them; ``options`` on other types must be absent, ``null`` or empty.
- Values: ``None`` means "not given" and falls through to the next lower source; a blank string is
  a given-but-empty value, so a required variable given ``""`` is missing even when it has a
  default. Coercion: number accepts int/float or a decimal numeric string (no NaN/infinity, hex,
  or underscores) and integral values become ``int``; boolean accepts true/false, "true"/"false"
  (any case), 1/0 and "1"/"0"; select takes the string form of the value and it must be an option;
  text/textarea take strings, numbers and booleans (as their string form), nothing else.
- Only declared names are read at run time; other keys are ignored, as are payload-derived
  sources that are not objects. A webhook payload's top-level ``variables`` key is the nested
  variables object (``payload.variables``), never the value of a variable named ``variables``.
- String forms are stable: booleans ``true``/``false``, integral numbers without ``.0``.
- Placeholders are ``{{ name }}`` with optional whitespace; ``{{ 1x }}`` or ``{{a b}}`` are not
  placeholders and stay literal. Interpolation is one pass (values are never re-expanded);
  an unknown placeholder is left as written; a non-required variable without value becomes "".
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

__all__ = [
    "VariableDeclarationError",
    "UnknownVariablesError",
    "VariableValueError",
    "MissingVariablesError",
    "VARIABLE_TYPES",
    "BUILTIN_VARIABLES",
    "validate_declarations",
    "find_placeholders",
    "check_placeholders_declared",
    "resolve",
    "interpolate",
    "has_unresolvable_required",
    "format_value",
    "builtin_values",
]

VARIABLE_TYPES = ("text", "textarea", "number", "boolean", "select")
BUILTIN_VARIABLES = ("date", "timestamp")
MAX_VARIABLES = 100
MAX_NAME_LENGTH = 64
MAX_LABEL_LENGTH = 200
MAX_OPTIONS = 50
MAX_OPTION_LENGTH = 200
MAX_DEFAULT_LENGTH = 10_000

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")
_NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_KEYS = {"name", "label", "type", "required", "defaultValue", "options"}


class VariableDeclarationError(ValueError):
    """A malformed declaration (HTTP 400); ``field`` is e.g. ``variables[2].name``."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownVariablesError(ValueError):
    """Placeholders that are neither declared nor built in (HTTP 422)."""

    def __init__(self, names: list[str]):
        super().__init__(f"Unknown routine variables: {', '.join(names)}")
        self.names = names


class VariableValueError(ValueError):
    """A run-time value that does not fit its declared type (HTTP 422)."""

    def __init__(self, name: str, message: str):
        super().__init__(f'Variable "{name}" {message}')
        self.name = name


class MissingVariablesError(ValueError):
    """Required variables without a value (HTTP 422, no run created)."""

    def __init__(self, names: list[str]):
        super().__init__(f"Missing routine variables: {', '.join(names)}")
        self.names = names


class _CoercionError(Exception):
    pass


# --------------------------------------------------------------------------- coercion

def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _to_number(value: Any) -> int | float:
    if isinstance(value, str) and _NUMERIC.fullmatch(value.strip()):
        text = value.strip()
        try:
            value = int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else float(text)
        except ValueError:  # more digits than int() accepts
            raise _CoercionError("must be a number") from None
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        raise _CoercionError("must be a number")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if _is_number(value) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise _CoercionError("must be a boolean")


def format_value(value: Any) -> str:
    """The stable string form used in interpolation: ``true``/``false``, ``5`` not ``5.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise _CoercionError("must be a string")
        return format_value(value)
    raise _CoercionError("must be a string")


def _coerce(decl: Mapping[str, Any], value: Any) -> Any:
    kind = decl["type"]
    if kind == "number":
        return _to_number(value)
    if kind == "boolean":
        return _to_boolean(value)
    text = _to_text(value)
    if kind == "select" and text not in decl["options"]:
        raise _CoercionError(f"must match one of: {', '.join(decl['options'])}")
    return text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- declarations

def validate_declarations(decls: list[dict] | None) -> list[dict]:
    """Validate and normalise declarations; raise :class:`VariableDeclarationError` (400).

    Each result has all six keys: name, label, type, required, defaultValue, options (a list for
    select, ``None`` otherwise).
    """
    if decls is None:
        return []
    if not isinstance(decls, list):
        raise VariableDeclarationError("variables", "must be an array")
    if len(decls) > MAX_VARIABLES:
        raise VariableDeclarationError("variables", f"at most {MAX_VARIABLES} variables")
    seen: set[str] = set()
    return [_declaration(i, raw, seen) for i, raw in enumerate(decls)]


def _declaration(i: int, raw: Any, seen: set[str]) -> dict:
    at = f"variables[{i}]"
    if not isinstance(raw, dict):
        raise VariableDeclarationError(at, "must be an object")
    for key in raw:
        if key not in _KEYS:
            raise VariableDeclarationError(f"{at}.{key}", "unknown field")

    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise VariableDeclarationError(
            f"{at}.name", f"must match ^[A-Za-z][A-Za-z0-9_]*$ (at most {MAX_NAME_LENGTH} characters)")
    if name in BUILTIN_VARIABLES:
        raise VariableDeclarationError(f"{at}.name", f'"{name}" is a built-in variable')
    if name in seen:
        raise VariableDeclarationError(f"{at}.name", f'duplicate variable name "{name}"')
    seen.add(name)

    label = raw.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL_LENGTH):
        raise VariableDeclarationError(
            f"{at}.label", f"must be a string of at most {MAX_LABEL_LENGTH} characters")

    kind = raw.get("type", "text")
    if kind is None:
        kind = "text"
    if kind not in VARIABLE_TYPES:
        raise VariableDeclarationError(f"{at}.type", f"must be one of: {', '.join(VARIABLE_TYPES)}")

    required = raw.get("required", True)
    if required is None:
        required = True
    if not isinstance(required, bool):
        raise VariableDeclarationError(f"{at}.required", "must be a boolean")

    options = raw.get("options")
    if kind == "select":
        options = _select_options(at, options)
    elif options not in (None, []):
        raise VariableDeclarationError(f"{at}.options", "only select variables take options")
    else:
        options = None

    decl = {"name": name, "label": label, "type": kind, "required": required,
            "defaultValue": None, "options": options}
    default = raw.get("defaultValue")
    if isinstance(default, str) and len(default) > MAX_DEFAULT_LENGTH:
        raise VariableDeclarationError(f"{at}.defaultValue", f"at most {MAX_DEFAULT_LENGTH} characters")
    if not _blank(default):
        try:
            decl["defaultValue"] = _coerce(decl, default)
        except _CoercionError as exc:
            raise VariableDeclarationError(f"{at}.defaultValue", str(exc)) from None
    elif kind == "select":
        raise VariableDeclarationError(
            f"{at}.defaultValue", "select variables need a default among their options")
    return decl


def _select_options(at: str, options: Any) -> list[str]:
    if not isinstance(options, list) or not 1 <= len(options) <= MAX_OPTIONS:
        raise VariableDeclarationError(f"{at}.options", f"select variables need 1 to {MAX_OPTIONS} options")
    for j, option in enumerate(options):
        if not isinstance(option, str) or not option.strip() or len(option) > MAX_OPTION_LENGTH:
            raise VariableDeclarationError(
                f"{at}.options[{j}]", f"must be a non-empty string of at most {MAX_OPTION_LENGTH} characters")
    if len(set(options)) != len(options):
        raise VariableDeclarationError(f"{at}.options", "options must be unique")
    return list(options)


def has_unresolvable_required(decls: Iterable[Mapping[str, Any]]) -> bool:
    """True when some required variable has no default (a schedule trigger cannot run it)."""
    return any(d.get("required", True) and _blank(d.get("defaultValue")) for d in decls or ())


# --------------------------------------------------------------------------- placeholders

def find_placeholders(text: str | None) -> list[str]:
    """Names used as ``{{ name }}`` in ``text``, unique, in order of first appearance."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text or "")))


def check_placeholders_declared(texts: Iterable[str | None], decls: Iterable[Mapping[str, Any]]) -> None:
    """Raise :class:`UnknownVariablesError` naming placeholders neither declared nor built in."""
    if isinstance(texts, str):
        texts = [texts]
    known = set(BUILTIN_VARIABLES) | {d["name"] for d in decls or ()}
    used = dict.fromkeys(name for text in texts for name in find_placeholders(text))
    unknown = [name for name in used if name not in known]
    if unknown:
        raise UnknownVariablesError(unknown)


# --------------------------------------------------------------------------- run time

def _layer(source: Any) -> Mapping[str, Any]:
    return source if isinstance(source, Mapping) else {}


def resolve(decls: list[dict], payload_variables: dict | None, body_variables: dict | None,
            webhook_top_level: dict | None, now: datetime | None = None) -> dict[str, Any]:
    """Values for every declared variable, coerced; ``None`` for optional ones without a value.

    Precedence, lowest to highest: ``defaultValue``, webhook top-level payload keys,
    ``payload.variables``, the request body's ``variables``. Raises :class:`VariableValueError`
    for the first value (in declaration order) that does not coerce, then
    :class:`MissingVariablesError` naming every required variable left without a value.
    The webhook payload's own ``variables`` key is the nested object, never a value.
    Payload-derived sources that are not objects are ignored (a payload is arbitrary JSON);
    ``body_variables`` must be a dict or ``None`` — the HTTP layer answers 400 for anything else.
    ``now`` is accepted for symmetry with :func:`interpolate`; built-ins are not part of the result.
    """
    if body_variables is not None and not isinstance(body_variables, Mapping):
        raise TypeError("body variables must be a mapping; validate the request body first")
    top_level = {k: v for k, v in _layer(webhook_top_level).items() if k != "variables"}
    layers = [top_level, _layer(payload_variables), _layer(body_variables)]
    resolved: dict[str, Any] = {}
    missing: list[str] = []
    for decl in decls:
        name, value = decl["name"], decl.get("defaultValue")
        for layer in layers:
            if layer.get(name) is not None:
                value = layer[name]
        if _blank(value):
            resolved[name] = None
            if decl.get("required", True):
                missing.append(name)
            continue
        try:
            resolved[name] = _coerce(decl, value)
        except _CoercionError as exc:
            raise VariableValueError(name, str(exc)) from None
    if missing:
        raise MissingVariablesError(missing)
    return resolved


def builtin_values(now: datetime) -> dict[str, str]:
    """``date`` (UTC ``YYYY-MM-DD``) and ``timestamp`` (ISO-8601 UTC, milliseconds, ``Z``)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    utc = now.astimezone(timezone.utc)
    return {
        "date": utc.strftime("%Y-%m-%d"),
        "timestamp": utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z",
    }


def interpolate(text: str | None, values: Mapping[str, Any], now: datetime) -> str | None:
    """Replace ``{{ name }}`` with values and built-ins; ``None`` stays ``None``."""
    if text is None:
        return None
    builtins = builtin_values(now)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in builtins:
            return builtins[name]
        if name in values:
            return format_value(values[name])
        return match.group(0)

    return _PLACEHOLDER.sub(replace, text)
