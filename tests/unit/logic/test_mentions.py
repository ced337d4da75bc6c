"""@-mention parsing (SPEC §4)."""
import pytest

from chalicelib.logic.mentions import mentioned_names
from chalicelib.store.uniques import agent_name_key


@pytest.mark.parametrize("body,names", [
    ("@Alice please look", ["alice"]),
    ("cc @alice and @ALICE", ["alice"]),
    ('ping @"Bob Builder" now', ["bob builder"]),
    ('@"  Bob Builder "', ["bob builder"]),
    ("Thanks @Alice.", ["alice"]),
    ("(@Alice), @Bob-", ["alice", "bob"]),
    ("@agent.v2-beta: go", ["agent.v2-beta"]),
    ("mail bob@example.com", []),
    ("@@Alice", []),
    ("no mentions here", []),
    ("@", []),
    ('@"" @" "', []),
    ("@Zoë and @日本", ["zoë", "日本"]),
    ("@Bob Builder", ["bob"]),
    ('@"Bob\nBuilder"', []),
    ("line1\n@Carol\n@Dave", ["carol", "dave"]),
    ('@"Bob Builder" then @Alice then @"bob builder"', ["bob builder", "alice"]),
])
def test_mentioned_names(body, names):
    assert mentioned_names(body) == names


def test_a_mention_names_the_agents_unique_name_key_case_insensitively():
    """Mentions are resolved through the agents' unique-name keys: the two must agree."""
    [mention] = mentioned_names('hi @"BOB builder"')
    assert agent_name_key("c1", mention) == agent_name_key("c1", "Bob Builder")
    assert agent_name_key("c1", mentioned_names("@STRASSE")[0]) == agent_name_key("c1", "Straße")


def test_overlong_quoted_name_is_not_a_mention():
    assert mentioned_names('@"' + "x" * 101 + '"') == []
    assert mentioned_names('@"' + "x" * 100 + '"') == ["x" * 100]


def test_structured_mentions_name_agents_by_id():
    from chalicelib.logic.mentions import mentioned_agent_ids

    aid = "3F2A1B7C-0000-4000-8000-000000000001"
    body = f"look [@Bob](agent://{aid}) and [@x](agent://{aid}?i=robot) [@Carol](agent://c-2/)"
    assert mentioned_agent_ids(body) == [aid.lower(), "c-2"]
    # the link's label mentions nobody by name; a plain @Name next to it still does
    assert mentioned_names(f"[@Bob](agent://{aid}) cc @Alice") == ["alice"]
    assert mentioned_agent_ids("[@Bob](https://example.com) @Bob") == []
