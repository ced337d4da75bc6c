"""What a comment does to its issue (logic/comment_followup.py; upstream: validators.md §9.13)."""
import pytest

from chalicelib.logic.comment_followup import Comment, Refused, decide

ALICE, BOB = "alice", "bob"


def comment(**kw):
    base = dict(status="todo", assignee_agent_id=ALICE, author_is_agent=False, author_id="board",
                author_run_id=None, checkout_run_id=None)
    return Comment(**{**base, **kw})


def test_board_comment_on_a_closed_agent_issue_reopens_and_wakes():
    out = decide(comment(status="done"))
    assert (out.move_to_todo, out.wake_assignee, out.wake_reason) == (True, True, "issue_reopened_via_comment")


def test_plain_comment_on_an_open_issue_wakes_the_assignee():
    out = decide(comment(status="todo"))
    assert (out.move_to_todo, out.wake_assignee, out.wake_reason) == (False, True, "issue_commented")


def test_the_assignee_s_own_comment_does_not_wake_it_unless_resume():
    assert decide(comment(author_is_agent=True, author_id=ALICE)).wake_assignee is False
    out = decide(comment(status="done", author_is_agent=True, author_id=ALICE))
    assert (out.move_to_todo, out.wake_assignee) == (False, False)  # its own terminal issue stays closed
    out = decide(comment(status="done", author_is_agent=True, author_id=ALICE, resume=True))
    assert (out.move_to_todo, out.wake_assignee) == (True, True)


def test_blocked_issue_reopens_only_without_unresolved_blockers():
    assert decide(comment(status="blocked", reopen=True)).move_to_todo is True
    assert decide(comment(status="blocked", reopen=True, unresolved_blockers=True)).move_to_todo is False
    with pytest.raises(Refused) as refused:
        decide(comment(status="blocked", resume=True, unresolved_blockers=True))
    assert refused.value.status == 409


def test_agents_may_not_resume_another_agent_s_issue():
    with pytest.raises(Refused) as refused:
        decide(comment(status="done", author_is_agent=True, author_id=BOB, resume=True))
    assert refused.value.status == 403
    with pytest.raises(Refused) as refused:
        decide(comment(status="done", assignee_agent_id=None, author_is_agent=True, author_id=BOB, reopen=True))
    assert refused.value.status == 409


def test_an_explicit_status_or_new_blockers_decide_instead():
    assert decide(comment(status="done", explicit_status=True)).move_to_todo is False
    assert decide(comment(status="done", adds_blockers=True)).move_to_todo is False
    with pytest.raises(Refused):
        decide(comment(status="in_review", resume=True))
