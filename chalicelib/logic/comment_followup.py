"""What a comment does to its issue besides adding itself: reopen it, and whom it wakes (upstream's
rules: validators.md §9.13; `routes/issues.js` shouldImplicitlyMoveCommentedIssueToTodo,
isAssigneeSelfCommentOnTerminalIssue, assertExplicitResumeIntentAllowed, and
`services/issue-comment-wakeup.js` shouldWakeAssigneeForIssueComment). Pure: facts in, decision out.

- A comment moves the issue to `todo` when it is closed (done, cancelled) or blocked with no
  unresolved blocker, and either asks to (`reopen: true` or `resume: true`) or is a board user's
  comment on an issue assigned to an agent. Never when the assignee agent comments on its own closed
  issue without `resume`, never implicitly when the same request sets blockers, and never when the
  same request (a PATCH) sets the status itself.
- `resume: true` (follow-up intent) is refused (409) on statuses other than done, cancelled, blocked,
  todo and in_progress, and on a blocked issue whose blockers are unresolved. From an agent, `resume`
  or `reopen` also needs the issue to be assigned to it (403 otherwise, 409 when unassigned), and
  `reopen` alone cannot revive a cancelled issue (409).
- The assignee is woken (`issue_reopened_via_comment` when reopened, else `issue_commented`) unless it
  wrote the comment without `resume` (or from the run holding the issue), or the issue stays closed.
"""
from __future__ import annotations

from dataclasses import dataclass

CLOSED = ("done", "cancelled")
RESUMABLE = ("done", "cancelled", "blocked", "todo", "in_progress")


@dataclass(frozen=True)
class Comment:
    """The facts about one comment and its issue that the rules read."""

    status: str
    assignee_agent_id: str | None
    author_is_agent: bool
    author_id: str
    author_run_id: str | None
    checkout_run_id: str | None
    reopen: bool = False
    resume: bool = False
    unresolved_blockers: bool = False
    adds_blockers: bool = False  # a PATCH setting blockers in the same request: no implicit reopen
    explicit_status: bool = False  # a PATCH setting the status in the same request: it decides the status


class Refused(ValueError):
    """The comment may not be posted as asked: `status` is 403 or 409."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Outcome:
    move_to_todo: bool
    reopened: bool  # moved out of done, cancelled or blocked
    wake_assignee: bool
    wake_reason: str


def decide(c: Comment) -> Outcome:
    """Raise Refused, or say what the comment does."""
    _check_intent(c)
    closed = c.status in CLOSED
    self_on_terminal = (not c.resume and closed and c.author_is_agent and c.assignee_agent_id is not None
                        and c.author_id == c.assignee_agent_id)
    implicit = (not c.adds_blockers
                and not (c.author_run_id and c.author_run_id == c.checkout_run_id)
                and not c.author_is_agent
                and (closed or c.status == "blocked")
                and c.assignee_agent_id is not None)
    wants_move = not self_on_terminal and (c.reopen or c.resume or implicit)
    move = wants_move and not c.explicit_status and (closed or (c.status == "blocked" and not c.unresolved_blockers))
    final_status = "todo" if move else c.status
    self_comment = c.author_is_agent and c.author_id == c.assignee_agent_id
    from_issue_run = bool(c.author_run_id and c.author_run_id == c.checkout_run_id)
    wake = (c.assignee_agent_id is not None
            and not (self_comment and (not c.resume or from_issue_run))
            and (move or final_status not in CLOSED))
    return Outcome(move_to_todo=move, reopened=move, wake_assignee=wake,
                   wake_reason="issue_reopened_via_comment" if move else "issue_commented")


def _check_intent(c: Comment) -> None:
    if c.resume:
        if c.status not in RESUMABLE:
            raise Refused(409, "Issue is not resumable through comment follow-up intent")
        if c.status == "blocked" and c.unresolved_blockers:
            raise Refused(409, "Issue follow-up blocked by unresolved blockers")
    if c.author_is_agent and (c.resume or c.reopen):
        if c.assignee_agent_id is None:
            raise Refused(409, "Issue has no assignee to resume")
        if c.assignee_agent_id != c.author_id:
            raise Refused(403, "Agent cannot request follow-up for another agent's issue")
        if c.reopen and not c.resume and c.status == "cancelled":
            raise Refused(409, "Cancelled issues must be restored through the dedicated restore flow")
