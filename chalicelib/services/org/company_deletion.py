"""`DELETE /api/companies/{companyId}`: everything of the company goes, nothing is left half-deleted.

Upstream (validators.md §9.1, `services/companies.js:408-452`) deletes the company and all it owns in
one Postgres transaction; board callers with access, nothing refused for live work, `200 {"ok": true}`.
DynamoDB has no transaction that large (100 items) and a Lambda can stop mid-way, so here it is a
resumable cascade:

1. **Mark.** One conditional UpdateItem sets the company's `deletingAt` (with a `company.deleted`
   entry in the instance log: the company's own log is about to go). From then on the company reads as
   gone: every read through `companies.find` is 404, it leaves company listings, and creating projects,
   goals or routines under it is 404. Its lists (projects, issues, …) are not read-checked (a list is
   one Query, SPEC §8): they empty as the cascade goes, and are 404 once the company item is gone.
2. **Cascade**, in an order that stops new work first: triggers (no schedule or webhook fires), each
   agent's API keys, heartbeat runs, name key and the agent (no agent call authenticates; runs are
   found only through their agent, so they go before it), routine runs and routines, issues with their
   comments, documents, revisions, attachments, work products and blocker relations (and their unique
   identifiers), projects, goals, S3
   objects under the company's prefixes, the activity log. Items are found
   with one Query per page of the company's (or parent's) index and removed with BatchWriteItem (25 a
   request, unprocessed items retried by PynamoDB). Each step is idempotent: a crash anywhere leaves
   a company that reads as gone, and a repeated DELETE runs the whole cascade again from the start,
   finding only what is left (and whatever a request that raced the mark wrote meanwhile).
3. **Finish.** One transaction removes the company, its issue-prefix key and the board users'
   memberships (members beyond what fits in it first, in transactions of MEMBERSHIP_BATCH).

A request deletes at most MAX_DELETES_PER_REQUEST items; past that it answers 202
`{"ok": true, "status": "deleting"}` and the next DELETE continues (the CLI accepts any 2xx).
Only the TTL'd unique keys (idempotency, webhook ids, rate windows) are left to expire.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from chalicelib.clock import iso
from chalicelib.services import activity
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import Principal
from chalicelib.services.org import companies
from chalicelib.store import blobs
from chalicelib.store.activity import Activity
from chalicelib.store.agents import Agent
from chalicelib.store.attachments import Attachment
from chalicelib.store.comments import IssueComment
from chalicelib.store.companies import Company
from chalicelib.store.documents import DocumentRevision, IssueDocument
from chalicelib.store.heartbeats import HeartbeatRun, RunWakeup
from chalicelib.store.identity import DIRECTORY, BoardUser, Credential
from chalicelib.store.issue_relations import IssueRelation
from chalicelib.store.issues import Issue
from chalicelib.store.planning import Goal, Project
from chalicelib.store.routines import Routine, RoutineRun, RoutineTrigger
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, agent_name_key, issue_identifier_key, issue_prefix_key
from chalicelib.store.work_products import WorkProduct

MAX_DELETES_PER_REQUEST = 20_000  # ~800 BatchWriteItem requests: well inside the API's 29 s
MEMBERSHIP_BATCH = 90  # board users per transaction (DynamoDB: 100 items), leaving room for the rest
BLOB_PREFIXES = ("documents/{company_id}/", "attachments/{company_id}/")  # store/documents.py, store/attachments.py

# Every table and how the cascade reaches its items (tests/unit/store checks none is missing).
COVERED_TABLES = (Company, BoardUser, Credential, Agent, Project, Goal, HeartbeatRun, Activity, UniqueKey, Issue,
                  IssueComment, Routine, RoutineTrigger, RoutineRun, IssueDocument, DocumentRevision, Attachment,
                  IssueRelation, WorkProduct, RunWakeup)


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n

    @property
    def exhausted(self) -> bool:
        return self.left <= 0


def delete(principal: Principal, company_id: str, now: datetime) -> tuple[dict[str, Any], bool]:
    """Returns (body, finished). 404 for a company that does not exist (or is already gone)."""
    company = companies.find_including_deleting(company_id)
    authorize(principal, "company.delete", company.id, what="Company")
    if not company.deleting_at:
        _mark(principal, company, now)
    budget = _Budget(MAX_DELETES_PER_REQUEST)
    for step in (_triggers, _agents, _routines, _issues, _planning, _blobs, _activity):
        step(company, budget)
        if budget.exhausted:
            return {"ok": True, "status": "deleting", "deletedCompanyId": company.id}, False
    _finish(company)
    return {"ok": True, "deletedCompanyId": company.id}, True


def _mark(principal: Principal, company: Company, now: datetime) -> None:
    stamp = iso(now)
    tx = Transaction()
    tx.update(company, actions=[Company.deleting_at.set(stamp), Company.updated_at.set(stamp)],
              condition=Company.id.exists() & Company.deleting_at.does_not_exist())
    tx.save(activity.entry(principal, activity.INSTANCE_LOG, "company.deleted", "company", company.id, now,
                           {"name": company.name, "issuePrefix": company.issue_prefix}))
    try:
        tx.commit()
    except TransactionConflict:
        pass  # another DELETE marked it first (or finished: the cascade then finds nothing)
    company.deleting_at = stamp


def _remove(items: Iterable[Any], budget: _Budget) -> None:
    """BatchWriteItem deletes, 25 per request, grouped by table."""
    by_model: dict[type, list[Any]] = {}
    for item in items:
        by_model.setdefault(type(item), []).append(item)
    for model, group in by_model.items():
        with model.batch_write() as batch:
            for item in group:
                batch.delete(item)
        budget.spend(len(group))


def _triggers(company: Company, budget: _Budget) -> None:
    _remove(RoutineTrigger.by_company.query(company.id), budget)


def _agents(company: Company, budget: _Budget) -> None:
    for agent in Agent.by_company.query(company.id):
        if budget.exhausted:
            return
        # Keys first (no call authenticates as it), then its runs (found only through the agent), then it.
        _remove(Credential.by_owner.query(agent.id), budget)
        for run in HeartbeatRun.by_agent.query(agent.id):
            _remove(RunWakeup.query(run.id), budget)  # a run's wakeups are items of their own
            _remove([run], budget)
        _remove([UniqueKey(key=agent_name_key(company.id, agent.name)), agent], budget)


def _routines(company: Company, budget: _Budget) -> None:
    for routine in Routine.by_company.query(company.id):
        if budget.exhausted:
            return
        _remove(RoutineRun.by_routine.query(routine.id), budget)
        _remove([routine], budget)


def _issues(company: Company, budget: _Budget) -> None:
    for issue in Issue.by_company.query(company.id):
        if budget.exhausted:
            return
        _remove(IssueComment.query(issue.id), budget)
        for document in IssueDocument.query(issue.id):
            _remove(DocumentRevision.query(document.id), budget)
            _remove([document], budget)
        _remove(Attachment.by_issue.query(issue.id), budget)
        _remove(WorkProduct.by_issue.query(issue.id), budget)
        _remove(IssueRelation.query(issue.id), budget)  # keyed by the blocker: both ends are this company's
        _remove([UniqueKey(key=issue_identifier_key(issue.identifier)), issue], budget)


def _planning(company: Company, budget: _Budget) -> None:
    _remove(Project.by_company.query(company.id), budget)
    _remove(Goal.by_company.query(company.id), budget)


def _blobs(company: Company, budget: _Budget) -> None:
    for prefix in BLOB_PREFIXES:
        budget.spend(blobs.delete_prefix(prefix.format(company_id=company.id)) // 1000)


def _activity(company: Company, budget: _Budget) -> None:
    _remove(Activity.query(company.id), budget)


def _finish(company: Company) -> None:
    members = [u for u in BoardUser.by_directory.query(DIRECTORY) if company.id in (u.memberships or {})]
    while len(members) > MEMBERSHIP_BATCH:
        chunk, members = members[:MEMBERSHIP_BATCH], members[MEMBERSHIP_BATCH:]
        tx = Transaction()
        for user in chunk:
            _drop_membership(tx, user, company.id)
        tx.commit()
    tx = Transaction()
    for user in members:
        _drop_membership(tx, user, company.id)
    tx.delete(UniqueKey(key=issue_prefix_key(company.issue_prefix)), condition=UniqueKey.ref == company.id)
    tx.delete(company, condition=Company.deleting_at.exists())
    try:
        tx.commit()
    except TransactionConflict:
        pass  # a concurrent DELETE finished first


def _drop_membership(tx: Transaction, user: BoardUser, company_id: str) -> None:
    tx.update(user, actions=[BoardUser.memberships[company_id].remove()], condition=BoardUser.id.exists())
