"""The last step of deleting an agent (services/issues/agent_admin.py runs the first ones): what still
points at it goes, then the agent.

- its subordinates report to nobody (each a conditional write: only if they still report to it);
- its API keys are deleted (a terminated agent's keys already fail; this removes them);
- its heartbeat runs are deleted (already cancelled or finished);
- the agent item is deleted, on the condition that it is terminated, with activity `agent.deleted`.
Each step can be repeated: a crash leaves the terminated agent, and a repeated DELETE finishes.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.services import activity
from chalicelib.services.access.principals import Principal
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.identity import Credential
from chalicelib.store.transactions import Transaction, TransactionConflict


def remove(principal: Principal, agent: Agent, now: datetime) -> None:
    _orphan_subordinates(agent)
    with Credential.batch_write() as batch:
        for credential in Credential.by_owner.query(agent.id):
            if credential.kind == "agent":
                batch.delete(credential)
    with HeartbeatRun.batch_write() as batch:
        for run in HeartbeatRun.by_agent.query(agent.id):
            batch.delete(run)
    tx = Transaction()
    tx.delete(agent, condition=Agent.status == "terminated")
    tx.save(activity.entry(principal, agent.company_id, "agent.deleted", "agent", agent.id, now, {"name": agent.name}))
    try:
        tx.commit()
    except TransactionConflict:
        pass  # deleted meanwhile by a concurrent DELETE: the outcome asked for


def _orphan_subordinates(agent: Agent) -> None:
    """Upstream sets `reportsTo` to null on the agents that reported to it. One Query per page of the
    company's agents (there is no index by manager); deletes are rare."""
    for subordinate in Agent.by_company.query(agent.company_id, filter_condition=Agent.reports_to == agent.id):
        tx = Transaction()
        tx.update(subordinate, actions=[Agent.reports_to.remove()], condition=Agent.reports_to == agent.id)
        try:
            tx.commit()
        except TransactionConflict:
            continue  # it changed manager meanwhile
