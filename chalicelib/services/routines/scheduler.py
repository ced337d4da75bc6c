"""The scheduler tick (SPEC §7): called by the per-minute Lambda and by the local runner's loop.

How one tick works:
1. For each shard of the sparse "due" index (only enabled schedule triggers of active routines are in
   it), one Query reads the triggers whose `next_run_at` has passed, oldest first. A tick with
   nothing due therefore costs exactly one Query per shard, however many routines exist.
2. A shard with due triggers is leased (one conditional put, expiring before the next tick) so
   overlapping invocations spread over shards instead of racing for the same triggers. The lease is
   an optimisation only: exactly-once does not depend on it.
3. For each due trigger, the catch-up policy (logic/catch_up.py) says which nominal ticks fire. Each
   fires through routine_dispatch with a ScheduleClaim: the run (id derived from trigger and tick),
   its issue or coalescing, and the advance of the trigger's `next_run_at` commit in ONE transaction
   conditioned on the `next_run_at` that was read. A concurrent tick that read the same value loses
   the condition (ClaimLost) and moves on; a crash before the commit leaves the trigger due, so the
   next tick fires it; a crash after the commit has nothing left to do for that tick.
4. Ticks the policy drops are skipped with one conditional update of `next_run_at`.
5. A trigger that cannot be processed (schedule no longer parses, routine gone, an unexpected error)
   gets `lastResult` "error: …" and the tick goes on. Broken data leaves the index; errors that may be
   transient leave the trigger due for the next tick.
6. Work per invocation is bounded (PAPERCLIP_SCHEDULER_MAX_FIRES_PER_TICK runs); what is left stays
   due and is picked up by the next tick. Shards are visited starting from a random one, so a backlog
   is not always served in the same order.
"""
from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterator

from pynamodb.exceptions import PynamoDBException, UpdateError

from chalicelib.clock import Clock, iso
from chalicelib.config import settings
from chalicelib.ids import derived_id
from chalicelib.logic import catch_up, cron_schedule
from chalicelib.logs import emit
from chalicelib.services.routines import routine_dispatch, routine_lookup
from chalicelib.services.routines.routine_dispatch import ClaimLost, RunRequest, ScheduleClaim
from chalicelib.store import availability
from chalicelib.store.routines import Routine, RoutineTrigger
from chalicelib.store.uniques import UniqueKey

logger = logging.getLogger("paperclip")
LEASE_SECONDS = 50  # shorter than the tick interval: a crashed holder never blocks the next tick
QUERY_PAGE = 100
ERROR_RESULT_MAX = 300
RESERVE_MS = 20_000  # stop with this much Lambda time left: one more dispatch never risks the timeout


@dataclass
class Budget:
    """Bounded work per invocation: at most `max_fires` runs, and stop while the Lambda still has
    `RESERVE_MS` left (time_left_ms is the Lambda context's; None locally)."""

    max_fires: int
    time_left_ms: Callable[[], int] | None = None

    def spent(self, report: "TickReport") -> bool:
        if report.fired >= self.max_fires or (self.time_left_ms is not None and self.time_left_ms() < RESERVE_MS):
            report.more = True
            return True
        return False


@dataclass
class TickReport:
    now: str
    due: int = 0  # due triggers looked at
    fired: int = 0  # runs created (issue_created, coalesced, skipped or failed)
    dropped: int = 0  # missed ticks the catch-up policy dropped
    lost: int = 0  # triggers another invocation fired first
    errors: int = 0  # triggers that could not be processed (see their lastResult)
    leased_elsewhere: int = 0  # shards skipped because another invocation held them
    more: bool = False  # stopped at the work bound; the next tick continues


def tick(clock: Clock, max_fires: int | None = None, use_leases: bool = True,
         time_left_ms: Callable[[], int] | None = None) -> TickReport:
    """One scheduler pass at clock.now(). `use_leases=False` only in tests that prove exactly-once
    without them."""
    started = time.perf_counter()
    now = clock.now()
    report = TickReport(now=iso(now) or "")
    budget = Budget(settings().scheduler_max_fires_per_tick if max_fires is None else max_fires, time_left_ms)
    holder = str(uuid.uuid4())
    for shard in _shard_order():
        if budget.spent(report):
            break
        try:
            _process_shard(shard, now, budget, holder, use_leases, report)
        except Exception:  # one shard's failure (e.g. throttling) never stops the others
            logger.exception("scheduler: shard failed", extra={"shard": shard})
            report.errors += 1
    emit({"type": "scheduler_tick", **asdict(report), "latencyMs": round((time.perf_counter() - started) * 1000, 2)})
    return report


def _shard_order() -> list[str]:
    """All shards, from a random first one: a backlog is not always served in the same order, and
    overlapping invocations start on different shards instead of contending for the same one."""
    shards = settings().scheduler_shards
    first = random.randrange(shards)
    return [str((first + i) % shards) for i in range(shards)]


def _due_triggers(shard: str, now: datetime) -> Iterator[RoutineTrigger]:
    return RoutineTrigger.due.query(shard, RoutineTrigger.next_run_at <= iso(now), page_size=QUERY_PAGE)


def _process_shard(shard: str, now: datetime, budget: Budget, holder: str, use_leases: bool, report: TickReport) -> None:
    leased = False
    try:
        for trigger in _due_triggers(shard, now):
            if budget.spent(report):
                return
            if use_leases and not leased:
                if not _take_lease(shard, holder, now):
                    report.leased_elsewhere += 1
                    return
                leased = True
            report.due += 1
            _process_trigger(trigger, now, budget, report)
    finally:
        if leased:
            _release_lease(shard, holder)


def _lease_key(shard: str) -> str:
    return f"scheduler-lease#{shard}"


def _take_lease(shard: str, holder: str, now: datetime) -> bool:
    lease = UniqueKey(key=_lease_key(shard), ref=holder, expires_at=now + timedelta(seconds=LEASE_SECONDS))
    try:
        lease.save(condition=UniqueKey.key.does_not_exist() | (UniqueKey.expires_at < now))
        return True
    except PynamoDBException as exc:
        if _condition_failed(exc):
            return False
        raise


def _release_lease(shard: str, holder: str) -> None:
    try:
        UniqueKey(key=_lease_key(shard)).delete(condition=UniqueKey.ref == holder)
    except PynamoDBException:
        pass  # it expires on its own


def _condition_failed(exc: PynamoDBException) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _process_trigger(trigger: RoutineTrigger, now: datetime, budget: Budget, report: TickReport) -> None:
    try:
        _plan_and_fire(trigger, now, budget, report)
    except ClaimLost:
        report.lost += 1
    except Exception as exc:  # one trigger never stops the batch
        logger.exception("scheduler: trigger failed", extra={"triggerId": trigger.id})
        # lastResult is shown to API users: the kind of failure, not its text (which may name tables)
        cause = "storage unavailable" if availability.is_transient(exc) else type(exc).__name__
        _note_error(trigger, f"error: {cause}; retrying next tick", report)


def _plan_and_fire(trigger: RoutineTrigger, now: datetime, budget: Budget, report: TickReport) -> None:
    try:
        routine = Routine.get(trigger.routine_id, consistent_read=True)
    except Routine.DoesNotExist:
        _retire(trigger, "error: the routine no longer exists", report)
        return
    if not routine_lookup.is_fireable(routine):
        return  # the index entry is stale: the routine's own update is removing it
    try:
        plan = catch_up.plan(trigger.cron_expression or "", trigger.timezone or "UTC", _parse(trigger.next_run_at), now,
                             routine.catch_up_policy, settings().schedule_misfire_grace_sec)
    except (cron_schedule.CronError, cron_schedule.TimezoneError, ValueError) as exc:
        _retire(trigger, f"error: {exc}", report)
        return
    report.dropped += plan.dropped
    _fire(trigger, routine, plan, now, budget, report)


def _fire(trigger: RoutineTrigger, routine: Routine, plan: catch_up.CatchUpPlan, now: datetime, budget: Budget,
          report: TickReport) -> None:
    expected = trigger.next_run_at
    if not plan.fire:
        _advance(trigger, expected, iso(plan.next_run_at))
        return
    for i, tick_at in enumerate(plan.fire):
        if budget.spent(report):
            return  # the trigger stays due at its next unfired tick
        following = plan.fire[i + 1] if i + 1 < len(plan.fire) else plan.next_run_at
        scheduled_for = iso(tick_at)
        claim = ScheduleClaim(expected_next_run_at=expected, next_run_at=iso(following), tick=tick_at)
        req = RunRequest(source="schedule", trigger=trigger, scheduled_for=scheduled_for,
                         run_id=derived_id("schedule", trigger.id, scheduled_for), claim=claim)
        if i:
            routine = Routine.get(routine.id, consistent_read=True)  # the previous run may have filled its live slot
        routine_dispatch.dispatch(None, routine, req, now)
        report.fired += 1
        expected = claim.next_run_at


def _advance(trigger: RoutineTrigger, expected: str, next_run_at: str) -> None:
    """Drop missed ticks: move next_run_at past them, if nobody else did."""
    try:
        trigger.update(actions=[RoutineTrigger.next_run_at.set(next_run_at)],
                       condition=(RoutineTrigger.next_run_at == expected) & RoutineTrigger.due_shard.exists())
    except UpdateError as exc:
        if not _condition_failed(exc):
            raise


def _retire(trigger: RoutineTrigger, result: str, report: TickReport) -> None:
    """Broken data: say why on the trigger and take it out of the index so it stops costing ticks.
    Editing the trigger (a valid cron or timezone) or the routine puts it back."""
    report.errors += 1
    try:
        trigger.update(actions=[RoutineTrigger.last_result.set(result[:ERROR_RESULT_MAX]),
                                RoutineTrigger.due_shard.remove()],
                       condition=RoutineTrigger.next_run_at == trigger.next_run_at)
    except PynamoDBException:
        logger.warning("scheduler: could not retire trigger", extra={"triggerId": trigger.id})


def _note_error(trigger: RoutineTrigger, result: str, report: TickReport) -> None:
    """Possibly transient: record it and leave the trigger due, so the next tick tries again."""
    report.errors += 1
    try:
        trigger.update(actions=[RoutineTrigger.last_result.set(result[:ERROR_RESULT_MAX])],
                       condition=RoutineTrigger.id.exists())
    except PynamoDBException:
        logger.warning("scheduler: could not record a trigger error", extra={"triggerId": trigger.id})


def _parse(stamp: str | None) -> datetime:
    if not stamp:
        raise ValueError("the trigger has no nextRunAt")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
