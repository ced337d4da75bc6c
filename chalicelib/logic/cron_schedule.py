"""Cron expressions and time zones for schedule triggers (SPEC §6), with an explicit DST rule.

Why a hand-written matcher instead of croniter: croniter accepts far more than the contract allows
(seconds fields, ``@daily``, ``L``/``W``/``#``/``?``, hashed ``H`` values) and its DST handling has
had bugs. The grammar here is small enough to own outright, and owning it makes the two subtle
rules — POSIX day matching and DST — explicit and testable.

Grammar: exactly five whitespace-separated fields, ``minute hour day-of-month month day-of-week``.
Each field is a comma-separated list of ``*``, ``N``, ``N-M``, each optionally followed by ``/STEP``.
``N/STEP`` means ``N-max/STEP`` (as in croniter and cronie). Months accept ``JAN``-``DEC`` and
weekdays ``SUN``-``SAT`` (case-insensitive, also as range ends); Sunday is 0 or 7 and a weekday
range may end at ``SUN``/``7`` (``FRI-SUN``). Reversed ranges, out-of-range values, a step of 0,
empty list items, macros and every non-standard token are rejected. An expression that can never
fire (``0 0 30 2 *``) is rejected too, so iteration always terminates.

POSIX day rule (Vixie cron's exact definition): a day field is *unrestricted* when its text starts
with ``*`` (``*`` or ``*/N``). When both day-of-month and day-of-week are restricted, a day matches
if EITHER matches (``0 0 13 * 5`` fires on every 13th and every Friday); otherwise both must match
(which, with one of them ``*``, means only the other applies).

Algorithm for fire times (``after`` is exclusive):

1. Convert ``after`` to the zone's local *naive* wall clock and walk the matching wall times after
   it (the matcher jumps over non-matching months, days and hours; it never steps minute by
   minute).
2. Map each wall time to an instant:
   - it exists once: that instant;
   - it exists twice (fall back): the first occurrence (``fold=0``);
   - it does not exist (spring forward): the first instant after the gap, i.e. the transition
     instant itself (02:30 on Amsterdam's spring-forward night → 03:00 CEST = 01:00 UTC),
     found by a bisection on whole seconds between the two candidate offsets.
3. This mapping never decreases as wall time increases, so emitting only instants strictly greater
   than the previous one (and than ``after``) yields a strictly increasing sequence in which every
   nominal wall-clock tick is represented exactly once; ticks that collapse onto one instant
   (``0 * * * *``: the non-existent 02:00 and the real 03:00 are both 01:00 UTC) fire once. During
   the repeated hour of a fall-back night nothing fires twice: the second pass of the wall clock
   maps to instants that were already passed.

The only time source is the ``after``/``now`` argument. Parsed expressions are cached.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import takewhile
from typing import Iterator
from zoneinfo import ZoneInfo

__all__ = [
    "CronError",
    "TimezoneError",
    "CronSpec",
    "parse_cron",
    "validate_cron",
    "validate_timezone",
    "next_fire_after",
    "fire_times_between",
    "preview",
]

MAX_EXPRESSION_LENGTH = 256
MAX_TIMEZONE_LENGTH = 128
# Bounds the day walk; far beyond the longest real gap (Feb 29 on a given weekday, ~40 years).
_MAX_DAY_STEPS = 200_000


class CronError(ValueError):
    """The cron expression is not a valid standard 5-field expression (HTTP 422)."""


class TimezoneError(ValueError):
    """The time zone is not an IANA zone name (HTTP 422)."""


_MONTH_NAMES = {n: i for i, n in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DOW_NAMES = {n: i for i, n in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_NUMBER = re.compile(r"[0-9]{1,4}")
# Days per month in a leap year: what is possible at all.
_MAX_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None


_FIELDS = (
    _Field("minute", 0, 59, None),
    _Field("hour", 0, 23, None),
    _Field("day-of-month", 1, 31, None),
    _Field("month", 1, 12, _MONTH_NAMES),
    _Field("day-of-week", 0, 7, _DOW_NAMES),
)


@dataclass(frozen=True)
class CronSpec:
    """A parsed expression: sorted minute/hour tuples, day/month/weekday sets, and the day rule."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: tuple[int, ...]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    day_or: bool  # both day fields restricted → POSIX OR

    def matches_day(self, d: date) -> bool:
        if d.month not in self.months:
            return False
        dom_ok = d.day in self.days
        dow_ok = (d.isoweekday() % 7) in self.weekdays
        return (dom_ok or dow_ok) if self.day_or else (dom_ok and dow_ok)

    def _first_time_from(self, hour: int, minute: int) -> tuple[int, int] | None:
        i = bisect_left(self.hours, hour)
        if i < len(self.hours) and self.hours[i] == hour:
            j = bisect_left(self.minutes, minute)
            if j < len(self.minutes):
                return hour, self.minutes[j]
            i += 1
        if i < len(self.hours):
            return self.hours[i], self.minutes[0]
        return None

    def next_wall_time(self, after: datetime) -> datetime:
        """First matching naive wall time strictly after the naive ``after``."""
        start = after.replace(second=0, microsecond=0, tzinfo=None, fold=0) + timedelta(minutes=1)
        d, hour, minute = start.date(), start.hour, start.minute
        try:
            for _ in range(_MAX_DAY_STEPS):
                if d.month not in self.months:
                    d = self._next_month_start(d)
                    hour = minute = 0
                    continue
                if self.matches_day(d):
                    found = self._first_time_from(hour, minute)
                    if found is not None:
                        return datetime.combine(d, time(*found))
                d += timedelta(days=1)
                hour = minute = 0
        except OverflowError:
            pass
        raise CronError("cron expression has no fire time in the supported date range")

    def _next_month_start(self, d: date) -> date:
        for m in self.months:
            if m > d.month:
                return date(d.year, m, 1)
        return date(d.year + 1, self.months[0], 1)


def _bad(expr: str, message: str) -> CronError:
    return CronError(f"Invalid cron expression {expr!r}: {message}")


def _value(token: str, field: _Field, expr: str) -> int:
    if _NUMBER.fullmatch(token):
        number = int(token)
    elif field.names is not None and token.upper() in field.names:
        return field.names[token.upper()]
    else:
        raise _bad(expr, f"invalid value {token!r} in {field.name} field")
    if not field.low <= number <= field.high:
        raise _bad(expr, f"{field.name} value {number} out of range {field.low}-{field.high}")
    return number


def _parse_field(text: str, field: _Field, expr: str) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        base, slash, step_text = item.partition("/")
        if not base:
            raise _bad(expr, f"empty item in {field.name} field")
        step = 1
        if slash:
            if not _NUMBER.fullmatch(step_text):
                raise _bad(expr, f"invalid step {step_text!r} in {field.name} field")
            step = int(step_text)
            if not 1 <= step <= field.high - field.low + 1:
                raise _bad(expr, f"step {step} out of range in {field.name} field")
        if base == "*":
            low, high = field.low, field.high
        elif "-" in base:
            first, _, last = base.partition("-")
            low, high = _value(first, field, expr), _value(last, field, expr)
            if field.names is _DOW_NAMES and high == 0 and low > 0:
                high = 7  # FRI-SUN
            if low > high:
                raise _bad(expr, f"range {base!r} in {field.name} field runs backwards")
        else:
            low = _value(base, field, expr)
            high = field.high if slash else low
        values.update(range(low, high + 1, step))
    return values


@lru_cache(maxsize=1024)
def parse_cron(expr: str) -> CronSpec:
    """Parse and validate ``expr``; raises :class:`CronError`. Cached."""
    if not isinstance(expr, str):
        raise CronError("cron expression must be a string")
    if len(expr) > MAX_EXPRESSION_LENGTH:
        raise CronError(f"cron expression longer than {MAX_EXPRESSION_LENGTH} characters")
    parts = expr.split()
    if len(parts) != 5:
        raise _bad(expr, "expected 5 fields (minute hour day-of-month month day-of-week), "
                         f"got {len(parts)}")
    minutes, hours, days, months, weekdays = (
        _parse_field(text, field, expr) for text, field in zip(parts, _FIELDS))
    if 7 in weekdays:
        weekdays = (weekdays - {7}) | {0}
    dom_star, dow_star = parts[2].startswith("*"), parts[4].startswith("*")
    spec = CronSpec(
        minutes=tuple(sorted(minutes)), hours=tuple(sorted(hours)), days=frozenset(days),
        months=tuple(sorted(months)), weekdays=frozenset(weekdays),
        day_or=not (dom_star or dow_star),
    )
    if not spec.day_or and not any(d <= _MAX_DAYS[m] for m in spec.months for d in spec.days):
        raise _bad(expr, "the day-of-month never occurs in the selected months")
    return spec


def validate_cron(expr: str) -> None:
    """Raise :class:`CronError` unless ``expr`` is a valid standard 5-field cron expression."""
    parse_cron(expr)


_TZ_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*")
# Files that live in the tz database directory but are not zone names.
_NOT_ZONES = {"localtime", "posixrules", "Factory"}


def validate_timezone(name: str) -> ZoneInfo:
    """Return the ZoneInfo for an IANA zone name; raise :class:`TimezoneError` otherwise.

    Besides what ``ZoneInfo`` refuses, this rejects paths, non-zone files of the tz directory
    (``localtime``, ``posixrules``, ``Factory``) and the ``posix/``/``right/`` trees.
    """
    if not isinstance(name, str) or not name:
        raise TimezoneError("timezone must be a non-empty IANA time zone name")
    if (len(name) > MAX_TIMEZONE_LENGTH or not _TZ_NAME.fullmatch(name) or name in _NOT_ZONES
            or name.startswith(("posix/", "right/"))):
        raise TimezoneError(f"Invalid timezone {name!r}: not an IANA time zone name")
    return _load_zone(name)


@lru_cache(maxsize=512)
def _load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError, UnicodeError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise TimezoneError(f"Invalid timezone {name!r}: not an IANA time zone name") from exc


def _wall_to_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """Map a naive local wall time to a UTC instant with the module's DST rule."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first  # exists; fold=0 is the first occurrence when it exists twice
    # In a gap. Candidates with the offsets before/after the transition bracket it; bisect for the
    # first whole second whose wall clock is past ``wall``: that is the end of the gap.
    other = wall.replace(tzinfo=tz, fold=1).astimezone(timezone.utc)
    lo, hi = sorted((int(first.timestamp()), int(other.timestamp())))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) > wall:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, timezone.utc)


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _iter_fires(expr: str, tz_name: str, after: datetime) -> Iterator[datetime]:
    """Validate eagerly, then return the endless ascending generator of fire times."""
    _require_aware(after, "after")
    spec, tz = parse_cron(expr), validate_timezone(tz_name)

    def fires() -> Iterator[datetime]:
        last = after.astimezone(timezone.utc)
        wall = last.astimezone(tz).replace(tzinfo=None, fold=0)
        while True:
            wall = spec.next_wall_time(wall)
            instant = _wall_to_instant(wall, tz)
            if instant > last:
                last = instant
                yield instant

    return fires()


def next_fire_after(expr: str, tz_name: str, after: datetime) -> datetime:
    """The first fire time strictly after ``after`` (aware), as an aware UTC datetime."""
    return next(_iter_fires(expr, tz_name, after))


def fire_times_between(expr: str, tz_name: str, after: datetime, until: datetime) -> Iterator[datetime]:
    """Fire times ``t`` with ``after < t <= until``, ascending, as aware UTC datetimes."""
    _require_aware(until, "until")
    return takewhile(lambda instant: instant <= until, _iter_fires(expr, tz_name, after))


def preview(expr: str, tz_name: str, now: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times strictly after ``now``."""
    if count < 0:
        raise ValueError("count must not be negative")
    fires = _iter_fires(expr, tz_name, now)
    return [next(fires) for _ in range(count)]
