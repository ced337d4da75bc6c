"""The legacy `<plan>` block of an issue description (SPEC §4)."""
from chalicelib.logic.legacy_plan import legacy_plan_document, plan_block


def test_plan_block_found_and_trimmed():
    text = "Intro\n<plan>\n1. do it\n2. ship\n</plan>\nrest <plan>second</plan>"
    assert plan_block(text) == "1. do it\n2. ship"
    assert legacy_plan_document(text, has_plan_document=False) == {
        "key": "plan", "body": "1. do it\n2. ship", "source": "issue_description"}


def test_case_insensitive_tags():
    assert plan_block("<PLAN>x</Plan>") == "x"


def test_no_plan():
    for text in (None, "", "no plan", "<plan>unterminated", "<plan>  </plan>"):
        assert plan_block(text) is None
        assert legacy_plan_document(text, has_plan_document=False) is None


def test_a_plan_document_wins():
    assert legacy_plan_document("<plan>x</plan>", has_plan_document=True) is None
