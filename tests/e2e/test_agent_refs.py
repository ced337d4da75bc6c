"""Agent url keys ("shortnames") and `/agents/{shortname}?companyId=` (validators.md §9.5; the CLI's
`agent local-cli Alice -C <cid>`, `agent wake`, `token agent …`)."""
from chalicelib.logic.agent_url_key import normalize


def test_url_keys_are_upstream_normalized_names():
    assert normalize("Alice Bot") == "alice-bot"
    assert normalize("  CEO (main) ") == "ceo-main"
    assert normalize("--Ünïcode__X--") == "n-code-x"
    assert normalize("!!!") is None and normalize(None) is None


def test_every_agent_route_resolves_a_shortname_in_the_company(api, world):
    bob = world.bob["id"]
    assert world.bob["urlKey"] == "bob-builder"
    r = api.get(f"/api/agents/Bob%20Builder?companyId={world.cid}")
    assert r.status == 200 and r.json["id"] == bob
    assert api.get(f"/api/agents/bob-builder?companyId={world.cid}").json["id"] == bob
    key = api.post(f"/api/agents/bob-builder/keys?companyId={world.cid}", {"name": "local-cli"})  # agent local-cli
    assert key.status == 201 and key.json["name"] == "local-cli"
    assert api.post(f"/api/agents/bob-builder/pause?companyId={world.cid}").json["status"] == "paused"
    # an agent looks names up in its own company without companyId
    assert api.get("/api/agents/bob-builder", token=world.alice_key).json["id"] == bob
    # an id is an id whatever companyId says (upstream ignores it then), in either case
    assert api.get(f"/api/agents/{bob.upper()}?companyId=whatever").json["id"] == bob


def test_shortname_lookups_fail_as_upstream_does(api, world):
    r = api.get("/api/agents/bob-builder")  # the board must say which company
    assert r.status == 422 and r.json["error"] == "Agent shortname lookup requires companyId query parameter"
    assert api.get(f"/api/agents/nobody?companyId={world.cid}").status == 404
    other = api.post("/api/companies", {"name": "Other Inc"}).json
    assert api.get(f"/api/agents/bob-builder?companyId={other['id']}").status == 404  # not there
    r = api.get(f"/api/agents/bob-builder?companyId={other['id']}", token=world.alice_key)
    assert r.status == 403  # outside the caller's companies


def test_url_keys_are_unique_among_live_agents(api, world):
    r = api.post(f"/api/companies/{world.cid}/agents", {"name": "bob  builder!"})
    assert r.status == 409 and r.json["error"] == "Agent shortname 'bob-builder' is already in use in this company"
    carol = api.post(f"/api/companies/{world.cid}/agents", {"name": "Carol"}).json
    assert api.patch(f"/api/agents/{carol['id']}", {"name": "Bob-Builder"}).status == 409
    renamed = api.patch(f"/api/agents/{carol['id']}", {"name": "Carol Ann"})
    assert renamed.status == 200 and renamed.json["urlKey"] == "carol-ann"
    assert api.get(f"/api/agents/carol?companyId={world.cid}").status == 404  # the old key is free again
    assert api.post(f"/api/companies/{world.cid}/agents", {"name": "Carol"}).status == 201
    # terminated agents hold no name and no url key (upstream excludes them)
    api.post(f"/api/agents/{world.bob['id']}/terminate")
    assert api.get(f"/api/agents/bob-builder?companyId={world.cid}").status == 404
    again = api.post(f"/api/companies/{world.cid}/agents", {"name": "Bob Builder"})
    assert again.status == 201
    assert api.get(f"/api/agents/bob-builder?companyId={world.cid}").json["id"] == again.json["id"]


def test_a_name_without_letters_or_digits_has_its_id_as_url_key(api, world):
    agent = api.post(f"/api/companies/{world.cid}/agents", {"name": "???"}).json
    assert agent["urlKey"] == agent["id"]
    assert api.post(f"/api/companies/{world.cid}/agents", {"name": "!!!"}).status == 201  # no key to share


def test_agents_me_has_what_the_skill_reads(api, world):
    cid = world.cid
    ceo = api.post(f"/api/companies/{cid}/agents", {"name": "Chief", "role": "ceo", "title": "CEO"}).json
    lead = api.post(f"/api/companies/{cid}/agents", {"name": "Lead", "reportsTo": ceo["id"]}).json
    api.patch(f"/api/agents/{world.alice['id']}", {"reportsTo": lead["id"], "budgetMonthlyCents": 5000})
    me = api.get("/api/agents/me", token=world.alice_key)
    assert me.status == 200, me
    body = me.json
    assert [m["id"] for m in body["chainOfCommand"]] == [lead["id"], ceo["id"]]
    assert body["chainOfCommand"][1] == {"id": ceo["id"], "name": "Chief", "role": "ceo", "title": "CEO"}
    assert (body["budgetMonthlyCents"], body["spentMonthlyCents"], body["urlKey"]) == (5000, 0, "alice")
    assert body["access"] == {"canAssignTasks": True, "taskAssignSource": "simple_default", "membership": None, "grants": []}
    assert api.get(f"/api/agents/{world.alice['id']}").json["chainOfCommand"] == body["chainOfCommand"]
    # a cycle cannot be made, and a chain stops at one that older data may hold
    r = api.patch(f"/api/agents/{ceo['id']}", {"reportsTo": world.alice["id"]})
    assert r.status == 422, r
    from chalicelib.store.agents import Agent

    Agent(id=ceo["id"]).update(actions=[Agent.reports_to.set(world.alice["id"])])
    assert [m["name"] for m in api.get("/api/agents/me", token=world.alice_key).json["chainOfCommand"]] == ["Lead", "Chief"]


def test_agents_me_is_for_agents(api, world):
    r = api.get("/api/agents/me")  # the CLI's `company current` accepts 401 or 403 here
    assert r.status == 403
