"""Agent create and PATCH take every field upstream's validators define (validators.md §2.2): behaviour
where we have it, otherwise stored and returned as given; bounded; typos still 400."""
import pytest

from chalicelib.logic.agent_config_redaction import REDACTED
from chalicelib.store.agents import Agent

# What `paperclipai agent create --payload-json '{"name":"Bob"}'` sends (cli.md §4.2, captured).
CLI_CREATE = {"name": "Bob", "role": "general", "adapterType": "process", "adapterConfig": {}, "runtimeConfig": {},
              "budgetMonthlyCents": 0}
EVERY_FIELD = {
    "name": "Full", "role": "engineer", "title": "Eng", "icon": "rocket", "capabilities": "code",
    "desiredSkills": ["paperclip", {"key": "review", "versionId": None}],
    "adapterType": "claude_local",
    "adapterConfig": {"model": "opus", "cwd": "/work", "env": {"TOKEN": "s3cret", "LEVEL": {"type": "plain", "value": "3"},
                                                               "REF": {"type": "secret_ref", "secretId": "7a1c8d4e-0b1f-4c2a-9e3d-5f6a7b8c9d0e"}}},
    "instructionsBundle": {"entryFile": "AGENTS.md", "files": {"AGENTS.md": "# Be good"}},
    "runtimeConfig": {"debug": {"providerTrace": "raw"}, "custom": [1, 2.5, True]},
    "defaultEnvironmentId": "0b6e4f7a-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
    "budgetMonthlyCents": 5000,
    "permissions": {"canCreateAgents": False, "trustPreset": "standard", "extra": {"x": 1}},
    "metadata": {"team": "core", "nested": {"n": 1}},
    "storedSessionId": "session-1",
    "applyStoredClaudeLogin": False,
    "onboardingFirstAgent": True,
}


def test_the_cli_create_body_is_accepted_with_upstream_defaults(api, world):
    r = api.post(f"/api/companies/{world.cid}/agents", CLI_CREATE)
    assert r.status == 201, r
    body = r.json
    assert (body["adapterType"], body["adapterConfig"], body["runtimeConfig"]) == ("process", {}, {})
    assert (body["budgetMonthlyCents"], body["spentMonthlyCents"], body["urlKey"]) == (0, 0, "bob")
    bare = api.post(f"/api/companies/{world.cid}/agents", {"name": "Carol"}).json  # defaults applied here too
    assert (bare["adapterType"], bare["adapterConfig"], bare["budgetMonthlyCents"]) == ("process", {}, 0)


def test_every_upstream_field_is_stored_and_returned_as_given(api, world):
    created = api.post(f"/api/companies/{world.cid}/agents", EVERY_FIELD)
    assert created.status == 201, created
    got = api.get(f"/api/agents/{created.json['id']}").json
    for field, value in EVERY_FIELD.items():
        if field != "adapterConfig":
            assert got[field] == value, field
    # env values never leave the API; references to secrets name no value and are shown
    assert got["adapterConfig"] == {"model": "opus", "cwd": "/work", "env": {
        "TOKEN": {"type": "plain", "value": REDACTED}, "LEVEL": {"type": "plain", "value": REDACTED},
        "REF": EVERY_FIELD["adapterConfig"]["env"]["REF"]}}
    assert Agent.get(created.json["id"]).adapter_config == EVERY_FIELD["adapterConfig"]  # stored as given


@pytest.mark.parametrize("field,value", [
    ("icon", "unicorn"), ("budgetMonthlyCents", -1), ("budgetMonthlyCents", 1.5), ("budgetMonthlyCents", "5"),
    ("adapterType", "  "), ("adapterConfig", {"env": {"A": {"type": "vault"}}}), ("adapterConfig", []),
    ("runtimeConfig", {"modelProfiles": {}}), ("runtimeConfig", {"debug": {"providerTrace": "cooked"}}),
    ("runtimeConfig", {"aiConnection": {"mode": "shared", "provider": "anthropic", "method": "api_key"}}),
    ("desiredSkills", [""]), ("instructionsBundle", {"files": {}}), ("defaultEnvironmentId", "env-1"),
    ("permissions", {"canCreateAgents": "yes"}), ("storedSessionId", ""), ("metadata", "x"),
    ("adapterConfig", {"blob": "x" * 17_000}), ("metadata", {"blob": "x" * 9_000}),
    ("adapterTyp", "process"),  # a typo no upstream version defines
])
def test_upstream_fields_are_validated_like_zod_and_bounded(api, world, field, value):
    r = api.post(f"/api/companies/{world.cid}/agents", {"name": "Checked", field: value})
    assert r.status == 400, r
    assert field in r.json["details"], r.json


def test_patch_merges_adapter_config_as_upstream_and_keeps_redacted_secrets(api, world):
    agent = api.post(f"/api/companies/{world.cid}/agents", {**CLI_CREATE, "name": "Merge",
                                                              "adapterConfig": {"model": "a", "env": {"KEY": "secret"}}}).json
    path = f"/api/agents/{agent['id']}"
    r = api.patch(path, {"adapterConfig": {"cwd": "/x", "env": {"KEY": {"type": "plain", "value": REDACTED}, "NEW": "n"}}})
    assert r.status == 200, r
    assert Agent.get(agent["id"]).adapter_config == {"model": "a", "cwd": "/x", "env": {"KEY": "secret", "NEW": "n"}}
    api.patch(path, {"adapterConfig": {"model": "b"}, "replaceAdapterConfig": True})
    assert Agent.get(agent["id"]).adapter_config == {"model": "b"}
    api.patch(path, {"adapterType": "codex_local", "adapterConfig": {"sandbox": True}})  # a new adapter: its own config
    assert Agent.get(agent["id"]).adapter_config == {"sandbox": True}
    api.patch(path, {"adapterType": "http"})  # no config given: the stored one stays
    assert api.get(path).json["adapterConfig"] == {"sandbox": True}
    big = {"adapterConfig": {"blob": "x" * 9_000}}
    assert api.patch(path, big).status == 200
    r = api.patch(path, {"adapterConfig": {"more": "y" * 9_000}})  # fine alone, too big merged
    assert r.status == 400 and "adapterConfig" in r.json["details"]


def test_patch_takes_upstream_fields_and_refuses_permissions(api, world):
    path = f"/api/agents/{world.alice['id']}"
    r = api.patch(path, {"icon": "bot", "budgetMonthlyCents": 900, "spentMonthlyCents": 120, "metadata": None,
                         "runtimeConfig": {"k": "v"}, "desiredSkills": []})
    assert r.status == 200, r
    got = api.get(path).json
    assert (got["icon"], got["budgetMonthlyCents"], got["spentMonthlyCents"], got["runtimeConfig"]) == ("bot", 900, 120, {"k": "v"})
    r = api.patch(path, {"permissions": {"canCreateAgents": True}})
    assert r.status == 400 and "permissions" in r.json["details"]
    assert api.patch(path, {"budgetMonthlyCents": None}).status == 400
    r = api.patch(path, {"adapterConfig": None, "adapterType": "other"})  # found by the fuzzer: was a 500
    assert r.status == 400 and r.json["details"] == {"adapterConfig": "must be an object"}


def test_an_agent_changes_its_profile_but_not_its_budget_or_status(api, world):
    path = f"/api/agents/{world.alice['id']}"
    assert api.patch(path, {"title": "Self-made", "icon": "star"}, token=world.alice_key).status == 200
    for body in ({"budgetMonthlyCents": 10**6}, {"spentMonthlyCents": 0}, {"status": "paused"}):
        r = api.patch(path, body, token=world.alice_key)
        assert r.status == 403, (body, r)
    assert api.get(path).json["budgetMonthlyCents"] == 0


def test_other_agents_get_the_restricted_view(api, world):
    api.patch(f"/api/agents/{world.alice['id']}", {"adapterConfig": {"model": "opus"}, "runtimeConfig": {"a": 1}})
    mine = api.get(f"/api/agents/{world.alice['id']}", token=world.alice_key).json
    theirs = api.get(f"/api/agents/{world.alice['id']}", token=world.bob_key).json
    assert (mine["adapterConfig"], mine["runtimeConfig"]) == ({"model": "opus"}, {"a": 1})
    assert (theirs["adapterConfig"], theirs["runtimeConfig"]) == ({}, {})
    listed = {a["id"]: a for a in api.get(f"/api/companies/{world.cid}/agents", token=world.bob_key).json}
    assert listed[world.alice["id"]]["adapterConfig"] == {}


def test_patch_status_moves_the_agent_like_the_lifecycle_routes(api, world):
    path = f"/api/agents/{world.bob['id']}"
    r = api.patch(path, {"status": "paused", "title": "Resting"})
    assert r.status == 200 and (r.json["status"], r.json["pauseReason"], r.json["title"]) == ("paused", "manual", "Resting")
    assert r.json["pausedAt"] == "2026-03-01T12:00:00.000Z"
    r = api.patch(path, {"status": "active"})  # upstream's older name for idle
    assert r.status == 200 and (r.json["status"], r.json["pauseReason"], r.json["pausedAt"]) == ("idle", None, None)
    assert api.patch(path, {"status": "idle"}).status == 200  # already there: nothing to do
    assert api.patch(path, {"status": "pending_approval"}).status == 409
    issue = api.post(f"/api/companies/{world.cid}/issues", {"title": "Held", "assigneeAgentId": world.bob["id"]}).json
    r = api.patch(path, {"status": "terminated", "title": "Gone"})
    assert r.status == 200 and (r.json["status"], r.json["title"]) == ("terminated", "Gone")
    assert api.get(f"/api/issues/{issue['id']}").json["assigneeAgentId"] is None  # freed as terminate frees it
    assert api.patch(path, {"status": "terminated"}).status == 200  # already terminated: unchanged
    assert api.patch(path, {"status": "idle"}).status == 409
    pending = api.post(f"/api/companies/{world.cid}/agents", {"name": "Hire", "status": "pending_approval"}).json
    assert api.patch(f"/api/agents/{pending['id']}", {"status": "idle"}).status == 409  # upstream: approve instead
    r = api.post(f"/api/agents/{pending['id']}/approve")
    assert r.status == 200 and r.json["status"] == "idle"
    assert api.post(f"/api/agents/{pending['id']}/approve").json["error"] == "Only pending approval agents can be approved"
