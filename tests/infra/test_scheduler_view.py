"""`make due` / `make tick` (infra/local/scheduler_cli.py): what they list and fire, on a fake clock."""
from infra.local.scheduler_cli import due_triggers, tick_now
from tests.e2e.test_scheduler import runs_of, schedule


def test_due_lists_the_index_and_tick_fires_what_is_due(api, world, clock):
    rid, tid = schedule(api, world)  # hourly: next run 13:00, the clock says 12:00
    _, later = schedule(api, world, cron="0 9 * * *", tz="Europe/Amsterdam")  # 08:00Z tomorrow
    assert due_triggers(clock.now(), within_minutes=30) == []
    soon = due_triggers(clock.now(), within_minutes=60)
    assert [(t["triggerId"], t["routineId"], t["nextRunAt"], t["dueNow"]) for t in soon] == \
        [(tid, rid, "2026-03-01T13:00:00.000Z", False)]
    assert [t["triggerId"] for t in due_triggers(clock.now(), within_minutes=24 * 60)] == [tid, later]

    assert tick_now(clock)["fired"] == 0  # nothing is due yet: a tick now fires nothing
    clock.advance(hours=1)
    assert [t["dueNow"] for t in due_triggers(clock.now(), within_minutes=0)] == [True]
    report = tick_now(clock)
    assert (report["due"], report["fired"], report["errors"]) == (1, 1, 0)
    assert [r["status"] for r in runs_of(api, rid)] == ["issue_created"]
    assert due_triggers(clock.now(), within_minutes=0) == []  # the trigger moved on to 14:00
