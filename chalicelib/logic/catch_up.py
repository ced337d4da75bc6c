"""Which nominal ticks of a schedule fire now, under a catch-up policy (SPEC §7). Pure: no I/O.

A trigger stores the first nominal tick it has not fired yet (`nextRunAt`). When the scheduler looks
at it at `now`, every fire time in [nextRunAt, now] is due:
- `skip_missed`: only the most recent due tick fires, and only while it is less than the grace
  window old; the others are dropped.
- `enqueue_missed_with_cap`: the most recent `cap` due ticks fire, oldest first; older ones are dropped.
The trigger's next `nextRunAt` is the first fire time strictly after `now`.

Only the last few due ticks matter, so they are found by searching backwards from `now` in doubling
windows: a minutely cron after a year of downtime costs a few hundred steps, not half a million.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from chalicelib.logic import cron_schedule

SKIP_MISSED = "skip_missed"
ENQUEUE_MISSED_WITH_CAP = "enqueue_missed_with_cap"
POLICIES = (SKIP_MISSED, ENQUEUE_MISSED_WITH_CAP)
DEFAULT_CAP = 25
_FIRST_WINDOW = timedelta(hours=1)
MAX_COUNTED = 10_000


@dataclass(frozen=True)
class CatchUpPlan:
    fire: list[datetime]  # nominal ticks to fire, oldest first (UTC)
    dropped: int  # due ticks that will never fire (at most MAX_COUNTED: for reports only)
    next_run_at: datetime  # first fire time strictly after now


def most_recent_ticks(expr: str, tz_name: str, since: datetime, now: datetime, count: int) -> tuple[list[datetime], int]:
    """The last `count` (≥ 1) fire times in [since, now], ascending, and how many that range holds
    (counted up to MAX_COUNTED: the number is for reports, not for decisions)."""
    if since > now:
        return [], 0
    window = _FIRST_WINDOW
    while True:
        start = max(since, now - window)
        found = _between(expr, tz_name, start, now, limit=None)
        if len(found) >= count or start == since:
            break
        window *= 2
    older = 0 if start == since else len(_between(expr, tz_name, since, start - timedelta(microseconds=1), MAX_COUNTED))
    return found[-count:], len(found) + older


def _between(expr: str, tz_name: str, since: datetime, until: datetime, limit: int | None) -> list[datetime]:
    """Fire times in [since, until] (inclusive both ends), at most `limit` of them."""
    if since > until:
        return []
    times = cron_schedule.fire_times_between(expr, tz_name, since - timedelta(microseconds=1), until)
    return list(islice(times, limit))


def plan(expr: str, tz_name: str, next_run_at: datetime, now: datetime, policy: str, grace_sec: int,
         cap: int = DEFAULT_CAP) -> CatchUpPlan:
    """What to fire now for a trigger whose first unfired tick is `next_run_at`.

    Raises cron_schedule.CronError / TimezoneError when the stored schedule no longer parses."""
    following = cron_schedule.next_fire_after(expr, tz_name, now)
    if next_run_at > now:
        return CatchUpPlan([], 0, following)
    keep = 1 if policy == SKIP_MISSED else cap
    recent, total = most_recent_ticks(expr, tz_name, next_run_at, now, keep)
    if policy == SKIP_MISSED and recent and (now - recent[-1]).total_seconds() >= grace_sec:
        recent = []
    return CatchUpPlan(recent, min(total - len(recent), MAX_COUNTED), following)
