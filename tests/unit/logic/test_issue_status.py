"""The issue status table and its side effects (SPEC §4), exhaustively."""
import pytest

from chalicelib.logic.issue_status import (
    CHECKOUT_STATUSES, CREATE_STATUSES, STATUSES, TERMINAL_STATUSES, Effects, TransitionError, check_checkout,
    check_patch, check_release, parse_status_filter, status_effects, wakes_assignee,
)

ALLOWED = {
    ("backlog", "todo"), ("backlog", "blocked"), ("backlog", "cancelled"),
    ("todo", "backlog"), ("todo", "blocked"), ("todo", "cancelled"),
    ("in_progress", "in_review"), ("in_progress", "done"), ("in_progress", "blocked"), ("in_progress", "todo"),
    ("in_progress", "cancelled"),
    ("in_review", "done"), ("in_review", "blocked"), ("in_review", "todo"), ("in_review", "cancelled"),
    ("blocked", "todo"), ("blocked", "backlog"), ("blocked", "cancelled"),
}
PAIRS = [(a, b) for a in STATUSES for b in STATUSES if a != b]
FORBIDDEN = [p for p in PAIRS if p not in ALLOWED]


def test_table_sizes():
    assert len(PAIRS) == 42
    assert len(ALLOWED) == 18
    assert len(FORBIDDEN) == 24


@pytest.mark.parametrize("from_status,to_status", sorted(ALLOWED))
def test_allowed_patch_transitions(from_status, to_status):
    assert check_patch(from_status, to_status) is None


@pytest.mark.parametrize("from_status,to_status", FORBIDDEN)
def test_forbidden_patch_transitions(from_status, to_status):
    with pytest.raises(TransitionError) as err:
        check_patch(from_status, to_status)
    assert (err.value.from_status, err.value.to_status) == (from_status, to_status)


@pytest.mark.parametrize("status", STATUSES)
def test_same_status_is_a_noop(status):
    assert check_patch(status, status) is None
    assert status_effects(status, status, "T") == Effects()


@pytest.mark.parametrize("from_status", [s for s in STATUSES if s != "in_progress"])
def test_patch_to_in_progress_points_to_checkout(from_status):
    with pytest.raises(TransitionError) as err:
        check_patch(from_status, "in_progress")
    if from_status in TERMINAL_STATUSES:
        assert "can no longer change" in err.value.message
    else:
        assert "checkout" in err.value.message


@pytest.mark.parametrize("from_status", ["done", "cancelled"])
@pytest.mark.parametrize("to_status", STATUSES)
def test_terminal_statuses_never_change(from_status, to_status):
    if from_status == to_status:
        return
    with pytest.raises(TransitionError):
        check_patch(from_status, to_status)


def test_checkout_and_release_from_any_non_terminal_status():
    assert CHECKOUT_STATUSES == ("backlog", "todo", "in_progress", "in_review", "blocked")
    for status in CHECKOUT_STATUSES:
        check_checkout(status)
        check_release(status)
    for status in TERMINAL_STATUSES:
        with pytest.raises(TransitionError) as err:
            check_checkout(status)
        assert (err.value.from_status, err.value.to_status) == (status, "in_progress")
        with pytest.raises(TransitionError) as err:
            check_release(status)
        assert (err.value.from_status, err.value.to_status) == (status, "todo")


def test_create_statuses():
    assert CREATE_STATUSES == ("backlog", "todo", "blocked")


@pytest.mark.parametrize("from_status,to_status,sets,clears", [
    ("todo", "in_progress", {"started_at": "T"}, set()),
    ("in_progress", "done", {"completed_at": "T"}, {"checkout_run_id"}),
    ("in_review", "done", {"completed_at": "T"}, set()),
    ("in_progress", "cancelled", {"cancelled_at": "T"}, {"checkout_run_id"}),
    ("backlog", "cancelled", {"cancelled_at": "T"}, set()),
    ("in_progress", "todo", {}, {"checkout_run_id"}),
    ("in_progress", "in_review", {}, {"checkout_run_id"}),
    ("in_progress", "blocked", {}, {"checkout_run_id"}),
    ("todo", "blocked", {}, set()),
    ("blocked", "backlog", {}, set()),
])
def test_status_effects(from_status, to_status, sets, clears):
    assert status_effects(from_status, to_status, "T") == Effects(sets=sets, clears=frozenset(clears))


def test_wakes_assignee():
    assert [s for s in STATUSES if wakes_assignee(s)] == ["todo", "in_progress", "in_review", "blocked"]


def test_parse_status_filter():
    assert parse_status_filter(None) == []
    assert parse_status_filter("  ") == []
    assert parse_status_filter("todo, in_progress,todo,") == ["todo", "in_progress"]
    with pytest.raises(ValueError) as err:
        parse_status_filter("todo,doing,Done")
    assert str(err.value) == "doing, Done"
