"""The one source of "now". Services receive a clock; tests swap in a fake one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FakeClock:
    """A settable clock for tests and the scheduler benchmark."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 1, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self._now


_current: Clock = SystemClock()


def current() -> Clock:
    return _current


def use(clock: Clock) -> Clock:
    """Install `clock` as the process clock (tests, benchmarks); returns the previous one."""
    global _current
    previous, _current = _current, clock
    return previous


def iso(when: datetime | None) -> str | None:
    """ISO-8601 UTC with milliseconds and a Z, the API's timestamp format."""
    if when is None:
        return None
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
