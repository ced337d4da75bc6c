"""A heartbeat run's wakeups as items of their own (store/heartbeats.py RunWakeup), issue 11.

A wakeup joining a run is, in the caller's transaction: one PutItem of the wakeup (a few KB at most)
and the run's upsert, which only bumps `wakeup_count`, keeps the first wakeup, the first payload and
the first value of each context key (if_not_exists) and stamps `last_wakeup_at`. So the run item stays
small however many wakeups join it (a paused agent woken 10,000 times), and a write never rewrites a
growing list. Before this, every wakeup was appended to the run item's `wakeups` list: at ~1,500
wakeups the item passed DynamoDB's 400 KB and every later wakeup of the agent failed.

Reads: the run's summary answers invocationSource, triggerDetail, contextSnapshot and updatedAt
without reading the wakeups; the `wakeups` a response embeds are one Query of at most
MAX_EMBEDDED_WAKEUPS (the oldest first), beside `wakeupCount`, so a response stays far below Lambda's
6 MB (≤ 100 × ~5 KB).
"""
from __future__ import annotations

import uuid
from typing import Any

from chalicelib.ids import write_order
from chalicelib.store.heartbeats import HeartbeatRun, RunWakeup
from chalicelib.store.transactions import Transaction

MAX_EMBEDDED_WAKEUPS = 100  # wakeups a run response embeds (the oldest ones); `wakeupCount` has them all
# wakeup keys that describe the run in contextSnapshot, and the run attribute keeping the first value
CONTEXT_ATTRIBUTES = {
    "issueId": HeartbeatRun.context_issue_id,
    "commentId": HeartbeatRun.context_comment_id,
    "routineRunId": HeartbeatRun.context_routine_run_id,
    "forceFreshSession": HeartbeatRun.context_force_fresh_session,
}


def summary_actions(wakeup: dict[str, Any], stamp: str) -> list[Any]:
    """The run item's update for one more wakeup: constant size, whatever the run already holds."""
    actions = [
        HeartbeatRun.wakeup_count.add(1),
        HeartbeatRun.first_wakeup.set(HeartbeatRun.first_wakeup | wakeup),
        HeartbeatRun.last_wakeup_at.set(wakeup.get("at") or stamp),
    ]
    if wakeup.get("payloadJson"):
        actions.append(HeartbeatRun.first_payload_json.set(HeartbeatRun.first_payload_json | wakeup["payloadJson"]))
    for key, attribute in CONTEXT_ATTRIBUTES.items():
        if wakeup.get(key):
            actions.append(attribute.set(attribute | wakeup[key]))
    return actions


def item(run_id: str, company_id: str, wakeup: dict[str, Any]) -> RunWakeup:
    """The wakeup's own item; its `seq` orders it after the run's earlier wakeups."""
    seq = f"{wakeup.get('at', '')}#{write_order()}#{uuid.uuid4().hex[:8]}"
    return RunWakeup(run_id=run_id, seq=seq, company_id=company_id, record=wakeup)


def add_item(tx: Transaction, run_id: str, company_id: str, wakeup: dict[str, Any]) -> None:
    """The wakeup's own item, in the transaction that upserts its run."""
    tx.save(item(run_id, company_id, wakeup), condition=RunWakeup.run_id.does_not_exist(), tag="wakeup_item")


def embedded(run: HeartbeatRun, limit: int = MAX_EMBEDDED_WAKEUPS) -> list[dict[str, Any]]:
    """The run's oldest `limit` wakeups (stored records): a legacy run's list first, then one Query."""
    legacy = [dict(w) for w in (run.wakeups or [])][:limit]
    if len(legacy) >= limit or not run.wakeup_count:
        return legacy
    wanted = limit - len(legacy)
    found = RunWakeup.query(run.id, consistent_read=True, limit=wanted, page_size=wanted)
    return legacy + [wakeup.record for wakeup in found]


def count(run: HeartbeatRun) -> int:
    return len(run.wakeups or []) + int(run.wakeup_count or 0)
