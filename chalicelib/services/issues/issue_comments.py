"""Issue comments and the wakeups they cause (SPEC §4).

A comment is one transaction: the comment, activity `issue.comment_added`, a check that the issue's
assignee and checkout are still the ones this call decided on, and the wakeups: every @-mentioned
agent (`issue_mentioned`) and the assignee (`issue_commented`) unless it wrote the comment. One
wakeup per agent per comment (a mentioned assignee gets `issue_mentioned`), never the author itself.
At most MAX_MENTION_WAKEUPS mentioned agents are woken per comment (a transaction holds 100 items).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import Conflict
from chalicelib.ids import new_id
from chalicelib.logic.mentions import mentioned_names
from chalicelib.services import activity
from chalicelib.services.issues import issue_guards, issue_lookup
from chalicelib.services.access.principals import Principal
from chalicelib.store.agents import Agent
from chalicelib.store.comments import IssueComment, comment_sort_key
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.issues import Issue
from chalicelib.store.pages import Page, query_page
from chalicelib.store.reads import get_many
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey, agent_name_key

MAX_MENTION_WAKEUPS = 25
MAX_MENTIONED_NAMES = 25  # names looked up per comment: one read, however long the body


def list_comments(principal: Principal, ref: str, limit: int, cursor: str | None) -> Page:
    issue = issue_lookup.get(principal, ref)
    return query_page(IssueComment, issue.id, limit=limit, cursor=cursor)


def mentioned_agent_ids(company_id: str, body: str) -> list[str]:
    """Ids of the company's agents that `body` @-mentions, through the agents' unique-name keys: one
    read of the first MAX_MENTIONED_NAMES names, whatever the size of the company (none when nobody
    is mentioned). Their items are re-read consistently before waking them."""
    names = mentioned_names(body)[:MAX_MENTIONED_NAMES]
    keys = [(UniqueKey, agent_name_key(company_id, name)) for name in names]
    owners = get_many(keys)
    ids = [owners[key].ref for key in keys if owners[key] is not None and owners[key].ref]
    return list(dict.fromkeys(ids))[:MAX_MENTION_WAKEUPS]


def new_comment(principal: Principal, issue: Issue, body: str, now: datetime) -> IssueComment:
    stamp, comment_id = iso(now), new_id()
    return IssueComment(
        issue_id=issue.id,
        sort_key=comment_sort_key(stamp, comment_id),
        id=comment_id,
        company_id=issue.company_id,
        author_type=principal.actor_type,
        author_agent_id=principal.id if principal.is_agent else None,
        author_user_id=None if principal.is_agent else principal.id,
        body=body,
        created_at=stamp,
    )


def add_comment_ops(tx: Transaction, principal: Principal, issue: Issue, comment: IssueComment,
                    mentioned: list[Agent | None], assignee: Agent | None,
                    wakeups: issue_guards.Wakeups, now: datetime) -> None:
    """Add the comment, its activity and its wakeups to `tx`. `assignee` is the issue's assignee
    after the call (a PATCH may change it); `wakeups` may already hold the PATCH's own wakeups."""
    tx.save(comment, condition=IssueComment.sort_key.does_not_exist())
    context = {"issueId": issue.id, "commentId": comment.id}
    author = principal.id if principal.is_agent else None  # no self-wakeups
    for agent in mentioned:
        if agent is not None and agent.id != author:
            wakeups.add(agent, "issue_mentioned", **context)
    if assignee is not None and assignee.id != author:
        wakeups.add(assignee, "issue_commented", **context)
    tx.save(activity.entry(principal, issue.company_id, "issue.comment_added", "issue", issue.id, now,
                           {"commentId": comment.id, "identifier": issue.identifier,
                            "mentionedAgentIds": [a.id for a in mentioned if a is not None]}))


def create_comment(principal: Principal, ref: str, body: str, now: datetime) -> IssueComment:
    issue = issue_lookup.get(principal, ref, "issue.write")
    mentioned_ids = mentioned_agent_ids(issue.company_id, body)
    for _ in range(issue_guards.WAKEUP_ATTEMPTS):
        issue_guards.require_agent_run(principal, issue)
        holder_id = issue_guards.holder_run_id(principal, issue)
        keys = [(Agent, a) for a in mentioned_ids]
        if issue.assignee_agent_id:
            keys.append((Agent, issue.assignee_agent_id))
        if holder_id:
            keys.append((HeartbeatRun, holder_id))
        found = get_many(keys)
        issue_guards.refuse_if_held_by_other_run(principal, issue, found.get((HeartbeatRun, holder_id)), now)
        comment = new_comment(principal, issue, body, now)
        wakeups = issue_guards.Wakeups()
        tx = Transaction()
        # The comment does not change the issue, but who gets woken and whether the author may write
        # depend on its assignee and checkout: they must still be what was read.
        tx.check(Issue, issue.id, condition=Issue.id.exists()
                 & issue_guards.same_value(Issue.assignee_agent_id, issue.assignee_agent_id)
                 & issue_guards.same_value(Issue.checkout_run_id, issue.checkout_run_id), tag="issue")
        add_comment_ops(tx, principal, issue, comment, [found.get((Agent, a)) for a in mentioned_ids],
                        found.get((Agent, issue.assignee_agent_id)) if issue.assignee_agent_id else None,
                        wakeups, now)
        wakeups.add_to(tx, now)
        try:
            issue_guards.commit(tx)
            return comment
        except TransactionConflict as conflict:
            if not issue_guards.only_wakeups_failed(conflict):
                issue = issue_lookup.find(issue.id)  # assignee or checkout changed: decide again
    raise Conflict("Could not add the comment; try again", {"issueId": issue.id})


def to_json(comment: IssueComment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "issueId": comment.issue_id,
        "companyId": comment.company_id,
        "authorType": comment.author_type,
        "authorAgentId": comment.author_agent_id,
        "authorUserId": comment.author_user_id,
        "body": comment.body,
        "createdAt": comment.created_at,
    }
