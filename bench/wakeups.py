"""Routine fires per second for one paused agent, at 10 and 1,000 wakeups already queued (issue 11).

Each fire is `POST /api/routines/{id}/run` (board token, `always_enqueue`: every fire creates an issue
assigned to the agent and wakes it). The agent is paused, so its queued heartbeat run keeps every
wakeup. Before wakeups were items of their own, each wakeup rewrote the run item with its whole list:
fires slowed from 16/s to 7/s at 1,000 wakeups (bench/RESULTS.md, Scheduler) and the item reached
400 KB at ~1,500. Now a fire writes one small wakeup item and a constant-size summary, so the rate and
the run item's size should not depend on how many wakeups are queued.

Run: `.venv/bin/python -m bench.wakeups` (about six minutes on this loaded machine). Wall times are the embedded moto server's
on this machine: compare the two rows, not the absolute numbers.
"""
from __future__ import annotations

import sys
import time
from typing import Any

from bench.harness import app_client, build_world, expect, fixed_clock, local_aws
from bench.table import markdown_table
from tests.item_size import item_bytes

LEVELS = (10, 1_000)
FIRES = 100


def _run_item_bytes(run_id: str) -> int:
    from chalicelib.store.heartbeats import HeartbeatRun

    raw = HeartbeatRun._get_connection().get_item(run_id, consistent_read=True)
    return item_bytes(raw["Item"])


def measure(world, existing: int) -> list[Any]:
    from chalicelib import clock
    from chalicelib.services.runtime import heartbeats
    from chalicelib.store.agents import Agent
    from chalicelib.store.request_count import counting

    agent = world.post(f"/api/companies/{world.cid}/agents", {"name": f"Paused {existing}"})["id"]
    expect(world.client.call("POST", f"/api/agents/{agent}/pause", token=world.board), 200, "pause")
    routine = world.post(f"/api/companies/{world.cid}/routines",
                         {"title": "Fire {{date}}", "projectId": world.project, "assigneeAgentId": agent,
                          "concurrencyPolicy": "always_enqueue"})["id"]
    now = clock.current().now()
    for i in range(existing):
        heartbeats.wake(agent, "issue_commented", now, issueId=f"seed-{i}", commentId=f"seed-comment-{i}")
    run_id = Agent.get(agent, consistent_read=True).next_wake_run_id
    before = _run_item_bytes(run_id)
    with counting() as calls:
        started = time.perf_counter()
        for _ in range(FIRES):
            run = world.post(f"/api/routines/{routine}/run", {}, status=202)
            if run["status"] != "issue_created":
                raise AssertionError(f"fire with {existing} wakeups: {run['status']} {run.get('failureReason')}")
        elapsed = time.perf_counter() - started
    queued = world.get(f"/api/heartbeat-runs/{run_id}")
    if queued["wakeupCount"] != existing + FIRES:
        raise AssertionError(f"expected {existing + FIRES} wakeups, got {queued['wakeupCount']}")
    return [f"{existing:,}", FIRES, f"{elapsed:.2f}", f"{FIRES / elapsed:.1f}",
            f"{sum(calls.values()) / FIRES:.1f}", f"{before:,}", f"{_run_item_bytes(run_id):,}"]


def main() -> int:
    with local_aws(), fixed_clock(), app_client() as client:
        world = build_world(client)
        rows = [measure(world, existing) for existing in LEVELS]
    print(markdown_table(["wakeups queued", "fires", "s", "fires / s", "requests / fire",
                          "run item bytes before", "run item bytes after"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
