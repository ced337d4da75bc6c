"""Agent url keys (upstream normalizeAgentUrlKey, validators.md §9.5), adapterConfig env redaction
(upstream redactAgentAdapterConfig / restoreRedactedAgentEnv, §9.4) and JSON size bounds."""
import pytest

from chalicelib.logic import agent_config_redaction as redaction
from chalicelib.logic import agent_url_key
from chalicelib.logic.json_bounds import json_size


@pytest.mark.parametrize("name, key", [
    ("Alice", "alice"), ("Alice Bot", "alice-bot"), ("  CEO (main)  ", "ceo-main"), ("a__b--c", "a-b-c"),
    ("Zoë 2", "zo-2"), ("--x--", "x"), ("日本", None), ("", None), ("   ", None), (None, None),
])
def test_url_keys_are_upstreams(name, key):
    assert agent_url_key.normalize(name) == key


def test_a_name_without_ascii_letters_or_digits_keys_by_id():
    assert agent_url_key.url_key("日本", "id-1") == "id-1"
    assert agent_url_key.url_key("Bob Builder", "id-1") == "bob-builder"


@pytest.mark.parametrize("ref, like", [
    ("9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4", True), ("9B2F6C1E-3D4A-4B5C-8D6E-7F8091A2B3C4", True),
    ("9b2f6c1e-3d4a-6b5c-8d6e-7f8091a2b3c4", False),  # version 6: not upstream's isUuidLike
    ("alice", False), ("9b2f6c1e3d4a4b5c8d6e7f8091a2b3c4", False),
])
def test_uuid_like_references_are_ids(ref, like):
    assert agent_url_key.is_uuid_like(ref) is like


def test_env_values_are_redacted_and_secret_references_shown():
    ref = {"type": "secret_ref", "secretId": "s-1", "version": "latest"}
    config = {"command": "run", "env": {"A": "plain text", "B": {"type": "plain", "value": "v"}, "C": ref}}
    shown = redaction.redact(config)
    assert shown == {"command": "run", "env": {"A": {"type": "plain", "value": redaction.REDACTED},
                                               "B": {"type": "plain", "value": redaction.REDACTED}, "C": ref}}
    assert config["env"]["A"] == "plain text"  # the stored config is untouched
    assert redaction.redact({"command": "run"}) == {"command": "run"}


def test_sending_the_redacted_config_back_keeps_the_stored_values():
    stored = {"env": {"A": "secret", "B": "old"}}
    requested = {"env": {"A": {"type": "plain", "value": redaction.REDACTED}, "B": "new", "C": "added"}}
    assert redaction.restore(requested, stored) == {"env": {"A": "secret", "B": "new", "C": "added"}}
    # a redaction marker for a key that was never stored stays as sent
    assert redaction.restore({"env": {"Z": {"type": "plain", "value": redaction.REDACTED}}}, stored)["env"]["Z"]["value"] == redaction.REDACTED


def test_json_size_is_compact_utf8():
    assert json_size({"a": [1, 2]}) == len('{"a":[1,2]}')
    assert json_size("é") == 4  # two quotes + two UTF-8 bytes
