"""Small builders for tests: they go through the API, as users would."""
from __future__ import annotations

from types import SimpleNamespace


def create(api, path: str, body: dict, **kw) -> dict:
    response = api.post(path, body, **kw)
    assert response.status == 201, response
    return response.json


def make_world(api, name: str = "Acme Corp") -> SimpleNamespace:
    company = create(api, "/api/companies", {"name": name})
    cid = company["id"]
    project = create(api, f"/api/companies/{cid}/projects", {"name": "Launch"})
    goal = create(api, f"/api/companies/{cid}/goals", {"title": "Grow"})
    alice = create(api, f"/api/companies/{cid}/agents", {"name": "Alice"})
    bob = create(api, f"/api/companies/{cid}/agents", {"name": "Bob Builder"})
    alice_key = create(api, f"/api/agents/{alice['id']}/keys", {"name": "k"})["token"]
    bob_key = create(api, f"/api/agents/{bob['id']}/keys", {"name": "k"})["token"]
    return SimpleNamespace(company=company, cid=cid, project=project, goal=goal, alice=alice, bob=bob,
                           alice_key=alice_key, bob_key=bob_key)
