"""Catch-up planning (SPEC §7): which nominal ticks fire, which are dropped, what comes next."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.logic import catch_up
from chalicelib.logic.cron_schedule import CronError

UTC = timezone.utc
HOURLY = "0 * * * *"
LAST_FIRED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FIRST_MISSED = LAST_FIRED + timedelta(hours=1)


def at(days=0, hours=0, minutes=0, seconds=0):
    return LAST_FIRED + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def test_on_time_tick_fires_and_next_is_the_following_one():
    plan = catch_up.plan(HOURLY, "UTC", FIRST_MISSED, at(hours=1, seconds=5), "skip_missed", 300)
    assert plan.fire == [FIRST_MISSED] and plan.dropped == 0 and plan.next_run_at == at(hours=2)


def test_nothing_due_yet():
    plan = catch_up.plan(HOURLY, "UTC", FIRST_MISSED, at(minutes=59), "skip_missed", 300)
    assert plan.fire == [] and plan.dropped == 0 and plan.next_run_at == FIRST_MISSED


def test_three_days_down_skip_missed_fires_only_the_latest_within_grace():
    now = at(days=3, minutes=2)  # 72 ticks missed, the latest 2 minutes ago
    plan = catch_up.plan(HOURLY, "UTC", FIRST_MISSED, now, "skip_missed", 300)
    assert plan.fire == [at(days=3)] and plan.dropped == 71 and plan.next_run_at == at(days=3, hours=1)


@pytest.mark.parametrize("age_sec, fires", [(299, 1), (300, 0), (600, 0)])
def test_skip_missed_grace_is_strict(age_sec, fires):
    plan = catch_up.plan(HOURLY, "UTC", FIRST_MISSED, at(days=3, seconds=age_sec), "skip_missed", 300)
    assert len(plan.fire) == fires and plan.dropped == 72 - fires


def test_three_days_down_enqueue_fires_the_25_most_recent_oldest_first():
    now = at(days=3, minutes=10)  # no grace for this policy
    plan = catch_up.plan(HOURLY, "UTC", FIRST_MISSED, now, "enqueue_missed_with_cap", 300)
    assert plan.fire == [at(days=3, hours=-24 + h) for h in range(25)]
    assert plan.dropped == 47 and plan.next_run_at == at(days=3, hours=1)


def test_enqueue_with_fewer_missed_than_the_cap_fires_all():
    plan = catch_up.plan(HOURLY, "UTC", FIRST_MISSED, at(hours=5, minutes=1), "enqueue_missed_with_cap", 300)
    assert plan.fire == [at(hours=h) for h in range(1, 6)] and plan.dropped == 0


def test_a_long_outage_of_a_minutely_cron_is_cheap_and_counts_what_it_drops():
    now = at(days=2)
    plan = catch_up.plan("* * * * *", "UTC", FIRST_MISSED, now, "enqueue_missed_with_cap", 300)
    assert plan.fire == [now - timedelta(minutes=24 - m) for m in range(25)]
    assert plan.dropped == 2 * 24 * 60 - 60 + 1 - 25


def test_dropped_count_is_capped_for_reports():
    plan = catch_up.plan("* * * * *", "UTC", FIRST_MISSED, at(days=365), "skip_missed", 300)
    assert len(plan.fire) == 1 and plan.dropped == catch_up.MAX_COUNTED


def test_rare_cron_far_in_the_past():
    yearly = "0 0 1 1 *"
    plan = catch_up.plan(yearly, "UTC", datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC),
                         "enqueue_missed_with_cap", 300)
    assert plan.fire == [datetime(y, 1, 1, tzinfo=UTC) for y in range(2020, 2027)]
    assert plan.next_run_at == datetime(2027, 1, 1, tzinfo=UTC)


def test_dst_spring_forward_missed_ticks_are_not_doubled():
    # 02:30 New York does not exist on 2026-03-08: that night fires once, at 03:00 local (07:00Z)
    start = datetime(2026, 3, 6, 7, 30, tzinfo=UTC)  # 02:30 EST on the 6th
    plan = catch_up.plan("30 2 * * *", "America/New_York", start, datetime(2026, 3, 10, 12, tzinfo=UTC),
                         "enqueue_missed_with_cap", 300)
    assert plan.fire == [datetime(2026, 3, 6, 7, 30, tzinfo=UTC), datetime(2026, 3, 7, 7, 30, tzinfo=UTC),
                         datetime(2026, 3, 8, 7, 0, tzinfo=UTC), datetime(2026, 3, 9, 6, 30, tzinfo=UTC),
                         datetime(2026, 3, 10, 6, 30, tzinfo=UTC)]


def test_broken_schedule_raises():
    with pytest.raises(CronError):
        catch_up.plan("not a cron", "UTC", FIRST_MISSED, at(hours=2), "skip_missed", 300)
