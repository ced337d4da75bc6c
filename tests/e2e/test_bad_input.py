"""SPEC §1: malformed input of any kind is a clear 4xx in the error shape, never a 500."""
import json

import pytest

NEW_AGENT = "/api/companies/{cid}/agents"


@pytest.mark.parametrize("raw,field", [
    ("{bad json", None),
    ("[1, 2]", None),
    ('"a string"', None),
    ("null", None),
    ('{"name": "\\ud800"}', None),  # lone surrogate: parses, cannot be stored
    ('{"name": 5}', "name"),
    ('{"name": ""}', "name"),
    ('{"name": "' + "x" * 101 + '"}', "name"),
    ('{"name": "Zed", "nickname": "z"}', "nickname"),
    ('{"name": "Zed", "status": "terminated"}', "status"),
    ('{"name": "Zed", "reportsTo": 12}', "reportsTo"),
    ("{}", "name"),
])
def test_bad_bodies_are_400_naming_the_field(api, world, raw, field):
    r = api.post(NEW_AGENT.format(cid=world.cid), raw=raw)
    assert r.status == 400, r
    assert isinstance(r.json["error"], str)
    if field:
        assert field in r.json["details"]


def test_snake_case_fields_are_unknown(api, world):
    r = api.post(NEW_AGENT.format(cid=world.cid), {"name": "Zed", "reports_to": world.alice["id"]})
    assert r.status == 400 and r.json["details"] == {"reports_to": "unknown field"}


def test_deeply_nested_json_is_400(api, world):
    r = api.post(NEW_AGENT.format(cid=world.cid), raw="[" * 100_000 + "]" * 100_000)
    assert r.status == 400


def test_huge_body_is_413(api, world, settings_env):
    settings_env(PAPERCLIP_MAX_BODY_BYTES="1000")
    r = api.post(NEW_AGENT.format(cid=world.cid), {"name": "Zed", "capabilities": "x" * 2000})
    assert r.status == 413 and r.json["error"]


def test_non_json_content_type_is_415(api, world):
    r = api.post(NEW_AGENT.format(cid=world.cid), raw="name=Zed", headers={"Content-Type": "text/plain"})
    assert r.status == 415


@pytest.mark.parametrize("path", [
    # a non-UUID agent reference is a shortname: looked up in ?companyId= (without it upstream's 422, test_agent_refs.py)
    "/api/companies/not-a-uuid", "/api/agents/%00?companyId={cid}", "/api/agents/' OR 1=1 --?companyId={cid}",
    "/api/projects/" + "9" * 500,
    "/api/goals/%F0%9F%92%A5", "/api/agents/00000000-0000-4000-8000-000000000000",
    "/api/heartbeat-runs/nope/start",
])
def test_bad_or_unknown_ids_are_404(api, world, path):
    method = api.post if path.endswith("/start") else api.get
    r = method(path.replace("{cid}", world.cid))
    assert r.status == 404, r
    assert "error" in r.json


def test_company_scoped_path_with_unknown_company_is_403_or_404(api, world, authenticated):
    # An agent asking about a company that is not its own: 403, whether or not that company exists.
    r = api.get("/api/companies/00000000-0000-4000-8000-000000000000/agents", token=world.alice_key)
    assert r.status == 403


@pytest.mark.parametrize("query", ["limit=abc", "limit=1.5", "cursor=%%%", "cursor=eyJhIjoxfQ", "cursor=" + "A" * 50])
def test_bad_list_parameters_are_400(api, world, query):
    r = api.get(f"/api/companies/{world.cid}/agents?{query}")
    assert r.status == 400, r


def test_limits_are_clamped_and_cursors_page_through(api, world):
    for name in ("Carol", "Dave", "Erin"):
        api.post(NEW_AGENT.format(cid=world.cid), {"name": name})
    seen, cursor = [], None
    while True:
        r = api.get(f"/api/companies/{world.cid}/agents?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200 and len(r.json) <= 2
        seen += [a["name"] for a in r.json]
        cursor = r.headers.get("x-next-cursor")
        if not cursor:
            break
    assert sorted(seen) == ["Alice", "Bob Builder", "Carol", "Dave", "Erin"]
    assert len(api.get(f"/api/companies/{world.cid}/agents?limit=0").json) == 1  # clamped up to 1
    assert len(api.get(f"/api/companies/{world.cid}/agents?limit=99999").json) == 5


def test_odd_unicode_is_stored_faithfully(api, world):
    name = "Zoë 🤖 \u200b\u202e"
    r = api.post(NEW_AGENT.format(cid=world.cid), {"name": name, "capabilities": "\x00nul and tabs\t"})
    assert r.status == 201
    assert api.get(f"/api/agents/{r.json['id']}").json["name"] == name.strip()


def test_duplicate_agent_names_conflict_case_insensitively(api, world):
    r = api.post(NEW_AGENT.format(cid=world.cid), {"name": "ALICE"})
    assert r.status == 409 and r.json["details"] == {"name": "ALICE"}
    assert api.patch(f"/api/agents/{world.bob['id']}", {"name": "alice"}).status == 409
    assert api.patch(f"/api/agents/{world.bob['id']}", {"name": "Robert"}).status == 200
    assert api.post(NEW_AGENT.format(cid=world.cid), {"name": "bob builder"}).status == 201  # old name freed


def test_no_response_ever_carries_a_stack_trace(api, world):
    bodies = [
        api.post(NEW_AGENT.format(cid=world.cid), raw=raw).body
        for raw in ("{", "[]", '{"name": {"$gt": ""}}', '{"name": ["a"]}', "\xff\xfe")
    ]
    for body in bodies:
        assert b"Traceback" not in body and b'File "' not in body
        assert set(json.loads(body)) <= {"error", "details"}
