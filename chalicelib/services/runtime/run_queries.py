"""Reading heartbeat runs by company, by issue and while live (validators.md §9.11).

Each list reads an index, never a company's whole history: `by-company` one Query per page, newest
first; `live` only the runs that are queued or running now (store/heartbeats.py); `by-issue` one page of
an issue's runs. The agents a page names (for `agentName`, `adapterType`) are read together in one
request per 25.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.clock import iso
from chalicelib.ids import is_uuid
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.runtime.heartbeats import is_active
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.pages import Page, query_page
from chalicelib.store.reads import get_many

LIVE_MAX = 50  # upstream live-runs: limit default and maximum 50, minCount at most 50
MAX_LIVE_READ = 1000  # live runs read at most for one answer (agents × their concurrent runs)
ISSUE_LIVE_PAGE = 50  # an issue's newest runs looked at for its live ones


def list_for_company(principal: Principal, company_id: str, agent_id: str | None, limit: int,
                     cursor: str | None) -> Page:
    """Newest first; with `agentId`, that agent's runs in the company (an unknown agent: none)."""
    authorize(principal, "heartbeat.read", company_id, by_id=False)
    if agent_id is None:
        return query_page(HeartbeatRun.by_company, company_id, limit=limit, cursor=cursor, newest_first=True)
    if not is_uuid(agent_id):
        return Page(items=[], next_cursor=None)
    return query_page(HeartbeatRun.by_agent, agent_id, limit=limit, cursor=cursor, newest_first=True,
                      filter_condition=HeartbeatRun.company_id == company_id)


def live_runs(company_id: str, now: datetime) -> list[HeartbeatRun]:
    """The company's queued and running runs, newest first (read from the sparse `live` index)."""
    found: list[HeartbeatRun] = []
    for run in HeartbeatRun.live.query(company_id, range_key_condition=HeartbeatRun.live_until > iso(now)):
        if is_active(run, now):
            found.append(run)
        if len(found) >= MAX_LIVE_READ:
            break
    return sorted(found, key=lambda r: (r.created_at, r.id), reverse=True)


def live_for_company(principal: Principal, company_id: str, limit: int, min_count: int, now: datetime) -> list[HeartbeatRun]:
    """upstream GET /companies/{id}/live-runs: live runs newest first (≤ limit), padded with the most
    recent finished ones up to `minCount`."""
    authorize(principal, "heartbeat.read", company_id, by_id=False)
    runs = live_runs(company_id, now)[:limit]
    target = min(min_count, limit)
    if len(runs) < target:
        live_ids = {r.id for r in runs}
        page = query_page(HeartbeatRun.by_company, company_id, limit=target + LIVE_MAX, cursor=None, newest_first=True)
        finished = [r for r in page.items if r.id not in live_ids and not is_active(r, now)]
        runs += finished[:target - len(runs)]
    return runs


def for_issue(issue_id: str, company_id: str, limit: int, cursor: str | None) -> Page:
    """Runs woken for the issue, newest first (only the issue's company's)."""
    return query_page(HeartbeatRun.by_issue, issue_id, limit=limit, cursor=cursor, newest_first=True,
                      filter_condition=HeartbeatRun.company_id == company_id)


def live_for_issue(issue_id: str, company_id: str, now: datetime) -> list[HeartbeatRun]:
    """The issue's queued and running runs, newest first: one page of its newest runs."""
    page = query_page(HeartbeatRun.by_issue, issue_id, limit=ISSUE_LIVE_PAGE, cursor=None, newest_first=True,
                      filter_condition=(HeartbeatRun.company_id == company_id)
                      & HeartbeatRun.status.is_in("queued", "running"))
    return [r for r in page.items if is_active(r, now)]


def agents_of(runs: list[HeartbeatRun]) -> dict[str, Agent]:
    """The agents of these runs, by id (one read per 25 agents)."""
    keys = [(Agent, run.agent_id) for run in runs]
    return {agent_id: agent for (_, agent_id), agent in get_many(keys).items() if agent is not None}

