"""The issue list's `q` (logic/issue_search.py; upstream's task search: validators.md §9.7)."""
from chalicelib.logic.issue_search import Candidate, parse, rank


def _c(title, identifier="ACM-1", description=None, status="todo"):
    return Candidate(identifier=identifier, title=title, description=description, status=status)


def test_parse_normalizes_and_drops_filler_words():
    q = parse('  Fix   the "Login Page"  ')
    assert q.normalized == 'fix the "login page"'
    assert q.terms == ("fix", "login page") and q.quoted


def test_every_term_must_match_a_field():
    items = [_c("Fix login"), _c("Fix build", description="about the LOGIN"), _c("Other")]
    assert [i for i, _ in rank(parse("fix login"), items)] == [0, 1]


def test_short_terms_start_a_word():
    assert rank(parse("ui"), [_c("build it")]) == []
    assert [i for i, _ in rank(parse("ui"), [_c("the UI is slow")])] == [0]


def test_identifier_ranks_first_in_any_spelling():
    items = [_c("acm-12 mentioned in a title", identifier="ACM-3"), _c("Unrelated", identifier="ACM-12")]
    for text in ("ACM-12", "acm 12", "acm12"):
        assert [i for i, _ in rank(parse(text), items)][0] == 1, text


def test_fuzzy_only_when_nothing_matches_literally():
    items = [_c("Deploy the authentication service")]
    assert [i for i, _ in rank(parse("authentcation"), items)] == [0]
    assert rank(parse('"authentcation"'), items) == []  # quoted: no fuzzy


def test_open_issues_outrank_closed_ones_on_equal_matches():
    items = [_c("Fix login", status="done"), _c("Fix login", identifier="ACM-2")]
    assert [i for i, _ in rank(parse("login"), items)] == [1, 0]
