"""Blockers (validators.md §9.12): "this issue is blocked by those", upstream's first-class relations.

- `blockedByIssueIds` on create, PATCH and child create **replaces** the issue's set of blockers
  (duplicates dropped; `[]` clears it). Each blocker is an issue of the same company (references rule:
  422 when the caller can see the other company, else 404; missing 404); the issue itself is 422
  `Issue cannot be blocked by itself`; a set that would close a cycle is 422 `Blocking relations
  cannot contain cycles`. At most MAX_BLOCKERS per issue.
- Storage: the blocked issue's own `blocked_by` set (written with its version, so concurrent PATCHes
  of one issue cannot mix sets) plus one reverse-edge item per relation (store/issue_relations.py:
  what an issue blocks is one Query). Both change in one transaction.
- Cycles under concurrency: two PATCHes can each add an edge that is harmless alone and closes a cycle
  together (A blocked by B, B blocked by A). Every change that adds edges walks the graph from the
  new blockers and writes, in the same transaction, the company's blocker-graph counter conditioned
  on the value it read before the walk: of two concurrent edge additions in one company only one
  commits; the other answers 409 and a retry walks the graph again. Removals cannot close a cycle and
  skip the counter.
- "Unresolved" = a blocker whose status is not `done` (a cancelled blocker still blocks). Unresolved
  blockers refuse checkout with 422 `Issue is blocked by unresolved blockers`; the checkout's
  transaction re-checks that every blocker is still done.
- When an issue moves to `done`, every issue it blocks whose blockers are now all done wakes its
  assignee (`issue_blockers_resolved`), in the same transaction as the status change.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from chalicelib.clock import iso
from chalicelib.errors import NotFound, Unprocessable
from chalicelib.ids import is_uuid
from chalicelib.services.access.principals import Principal
from chalicelib.services.access.references import require_same_company
from chalicelib.services.issues import issue_guards, issue_lookup
from chalicelib.store.agents import Agent
from chalicelib.store.issue_relations import IssueRelation
from chalicelib.store.issues import Issue
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction
from chalicelib.store.uniques import UniqueKey, issue_identifier_key

MAX_BLOCKERS = 20
# `blocks` (the reverse edges) has no such bound: any number of issues may name one blocker. GET and
# PATCH issue list the first BLOCKS_SHOWN of them, by id, then sorted by title (issue 11: bounded reads
# and responses); the dependents themselves keep their `blockedBy` in full.
BLOCKS_SHOWN = 100
MAX_WALK = 200  # issues a cycle check may visit (422 beyond: the graph is too large to check in one call)
FIELD = "blockedByIssueIds"


def graph_key(company_id: str) -> str:
    return f"issue-blocker-graph#{company_id}"


def resolve(principal: Principal | None, company_id: str, refs: list[str], self_id: str | None) -> list[Issue]:
    """The blocker issues `refs` (UUIDs or identifiers) name, in the order given, duplicates dropped.
    404 for a missing one, 422/404 for one of another company, 422 for the issue itself."""
    refs = list(dict.fromkeys(refs))
    identifiers = [r for r in refs if not is_uuid(r)]
    for ref in identifiers:
        if not issue_lookup.IDENTIFIER_RE.match(ref):
            raise NotFound("Blocked-by issue not found", {FIELD: ref})
    keys = get_many([(UniqueKey, issue_identifier_key(r)) for r in identifiers])
    ids: dict[str, str] = {}
    for ref in refs:
        if is_uuid(ref):
            ids[ref] = ref
        else:
            key = keys.get((UniqueKey, issue_identifier_key(ref)))
            if key is None or not key.ref:
                raise NotFound("Blocked-by issue not found", {FIELD: ref})
            ids[ref] = key.ref
    found = get_many([(Issue, i) for i in dict.fromkeys(ids.values())])
    blockers: list[Issue] = []
    for ref, issue_id in ids.items():
        if self_id is not None and issue_id == self_id:
            raise Unprocessable("Issue cannot be blocked by itself", {FIELD: ref})
        issue = found.get((Issue, issue_id))
        if issue is None or issue.deleting_at:
            raise NotFound("Blocked-by issue not found", {FIELD: ref})
        require_same_company(principal, issue.company_id, company_id, FIELD, ref, "Blocked-by issue")
        if issue.id not in {b.id for b in blockers}:
            blockers.append(issue)
    return blockers


def read_graph_counter(company_id: str) -> int | None:
    """The company's blocker-graph counter, read before walking (None: no edge was ever added)."""
    key = get_many([(UniqueKey, graph_key(company_id))])[(UniqueKey, graph_key(company_id))]
    return int(key.counter) if key is not None and key.counter is not None else None


def check_no_cycle(issue_id: str, blockers: Iterable[Issue], extra_edges: dict[str, set[str]] | None = None) -> None:
    """422 when `issue_id` is reachable from `blockers` along blocked-by edges (then making it blocked by
    them would close a cycle). `extra_edges` are edges this same call adds elsewhere (a child that
    will block its parent). One consistent batch read per level of the walk."""
    extra_edges = extra_edges or {}
    seen: set[str] = set()
    frontier: list[Issue] = list(blockers)
    while frontier:
        next_ids: set[str] = set()
        for node in frontier:
            if node.id == issue_id:
                raise Unprocessable("Blocking relations cannot contain cycles", {FIELD: "closes a cycle"})
            seen.add(node.id)
            next_ids |= set(node.blocked_by or ()) | extra_edges.get(node.id, set())
        next_ids -= seen
        if issue_id in next_ids:
            raise Unprocessable("Blocking relations cannot contain cycles", {FIELD: "closes a cycle"})
        if len(seen) + len(next_ids) > MAX_WALK:
            raise Unprocessable("Too many blocker relations to check for cycles", {"maxIssues": MAX_WALK})
        found = get_many([(Issue, i) for i in sorted(next_ids)])
        frontier = [issue for issue in found.values() if issue is not None]


def add_graph_guard(tx: Transaction, company_id: str, counter: int | None) -> None:
    """The counter write that makes concurrent edge additions in one company serialize (see above)."""
    condition = UniqueKey.key.does_not_exist() if counter is None else UniqueKey.counter == counter
    tx.update(UniqueKey(key=graph_key(company_id)), actions=[UniqueKey.counter.set((counter or 0) + 1)],
              condition=condition, tag="blocker_graph")


def add_set_ops(tx: Transaction, checks: issue_guards.IssueChecks, issue_id: str, company_id: str,
                current: set[str], new: list[Issue], now: datetime) -> None:
    """The reverse edges of a blocker-set change (`current` ids -> `new` issues) and the checks that the
    added blockers still exist (a DELETE marks an issue before removing its relations). The caller
    writes the issue's own `blocked_by` with its version."""
    new_ids = {b.id for b in new}
    stamp = iso(now)
    for removed in sorted(current - new_ids):
        tx.delete(IssueRelation(issue_id=removed, related_issue_id=issue_id))
    for added in sorted(new_ids - current):
        tx.update(IssueRelation(issue_id=added, related_issue_id=issue_id),
                  actions=[IssueRelation.company_id.set(company_id), IssueRelation.type.set("blocks"),
                           IssueRelation.created_at.set(stamp)])
        checks.require(added, issue_guards.live(), "blocker")


def blocked_by_action(new: list[Issue]) -> Any:
    """The Issue.blocked_by update for a new set (DynamoDB has no empty sets: [] removes it)."""
    ids = {b.id for b in new}
    return Issue.blocked_by.set(ids) if ids else Issue.blocked_by.remove()


# --- reads -----------------------------------------------------------------------------------------


def blocks_ids(issue_id: str) -> list[str]:
    """Ids of the first BLOCKS_SHOWN issues `issue_id` blocks, by id: one Query on its reverse edges."""
    return [r.related_issue_id for r in IssueRelation.query(issue_id, consistent_read=True, limit=BLOCKS_SHOWN)]


def summary_json(issue: Issue) -> dict[str, Any]:
    """Upstream's IssueRelationIssueSummary (the fields we have)."""
    return {
        "id": issue.id,
        "identifier": issue.identifier,
        "title": issue.title,
        "status": issue.status,
        "priority": issue.priority,
        "assigneeAgentId": issue.assignee_agent_id,
        "assigneeUserId": issue.assignee_user_id,
        "activeRecoveryAction": None,
        "scheduledRetry": None,
    }


def relations_json(issue: Issue) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(`blockedBy`, `blocks`) of GET issue: summaries sorted by title. One Query and one batch read."""
    blocked_by = sorted(issue.blocked_by or ())
    blocks = blocks_ids(issue.id)
    found = get_many([(Issue, i) for i in dict.fromkeys(blocked_by + blocks)])

    def summaries(ids: list[str]) -> list[dict[str, Any]]:
        items = [found.get((Issue, i)) for i in ids]
        return [summary_json(i) for i in sorted((i for i in items if i is not None and not i.deleting_at),
                                                key=lambda i: (i.title, i.id))]

    return summaries(blocked_by), summaries(blocks)


def unresolved(blockers: Iterable[Issue | None]) -> list[Issue]:
    """Blockers not done (cancelled ones included: upstream's rule). Missing ones are resolved."""
    return [b for b in blockers if b is not None and not b.deleting_at and b.status != "done"]


def read_blockers(issue: Issue) -> list[Issue]:
    if not issue.blocked_by:
        return []
    found = get_many([(Issue, i) for i in sorted(issue.blocked_by)])
    return [b for b in found.values() if b is not None and not b.deleting_at]


def require_resolved(issue: Issue, blockers: list[Issue]) -> None:
    """422 while any blocker is unresolved (checkout; upstream's message and details)."""
    pending = unresolved(blockers)
    if pending:
        raise Unprocessable("Issue is blocked by unresolved blockers", {
            "unresolvedBlockerIssueIds": [b.id for b in pending],
            "unresolvedBlockers": [summary_json(b) for b in pending],
        })


def add_still_resolved(checks: issue_guards.IssueChecks, blockers: list[Issue]) -> None:
    """In the checkout's transaction: every blocker is still done (none reopened meanwhile)."""
    for blocker in blockers:
        checks.require(blocker.id, Issue.status == "done", "blocker")


def resolved_dependents(issue: Issue) -> list[tuple[Issue, Agent]]:
    """When `issue` becomes done: the issues it blocks whose blockers are then all done, with their
    assignee agent (to wake with `issue_blockers_resolved`). A Query, then batch reads only when it
    finds something."""
    dependent_ids = blocks_ids(issue.id)
    if not dependent_ids:
        return []
    dependents = [d for d in get_many([(Issue, i) for i in dependent_ids]).values()
                  if d is not None and not d.deleting_at and d.status not in ("done", "cancelled")]
    others = {b for d in dependents for b in (d.blocked_by or ()) if b != issue.id}
    found = get_many([(Issue, i) for i in sorted(others)]) if others else {}
    ready = [d for d in dependents
             if not unresolved(found.get((Issue, b)) for b in (d.blocked_by or ()) if b != issue.id)
             and d.assignee_agent_id]
    agents = get_many([(Agent, d.assignee_agent_id) for d in ready]) if ready else {}
    return [(d, agents[(Agent, d.assignee_agent_id)]) for d in ready if agents.get((Agent, d.assignee_agent_id))]
