"""X-Paperclip-Run-Id (SPEC §2 as issue 14 rewrote it; docs/compatibility.md "Run id")."""
import uuid

import pytest

from chalicelib.errors import Forbidden
from chalicelib.http import principal as resolver
from chalicelib.store.request_count import counting


@pytest.fixture
def alice_run(api, world):
    return api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json


def test_reads_ignore_the_header_and_do_not_read_the_run(api, world, clock, alice_run):
    foreign_run = alice_run["run"]["id"]  # Alice's run, presented by Bob
    api.get("/api/agents/me", token=world.bob_key)  # the key's lastUsedAt is fresh: authentication only reads
    for header in (foreign_run, str(uuid.uuid4()), "not-a-run"):
        with counting() as requests:
            p = resolver.resolve({"authorization": f"Bearer {world.bob_key}", "x-paperclip-run-id": header},
                                 clock.now(), method="GET")
        assert (p.id, p.run_id) == (world.bob["id"], None)
        assert requests == {"GetItem": 2}, requests  # the key and its agent: no run, Bob's or another's
    p = resolver.resolve({"authorization": f"Bearer {alice_run['token']}", "x-paperclip-run-id": str(uuid.uuid4())},
                         clock.now(), method="GET")
    assert p.run_id == alice_run["run"]["id"]  # a run token is its run, whatever a read's header says


def test_mutations_never_take_another_agents_run(api, world, clock, alice_run):
    headers = {"authorization": f"Bearer {world.bob_key}", "x-paperclip-run-id": alice_run["run"]["id"]}
    for method in ("POST", "PATCH", "PUT", "DELETE", None):
        with pytest.raises(Forbidden):
            resolver.resolve(headers, clock.now(), method=method)
    mine = resolver.resolve({**headers, "authorization": f"Bearer {world.alice_key}"}, clock.now(), method="POST")
    assert mine.run_id == alice_run["run"]["id"]


def test_an_agent_key_with_a_random_run_id_works_as_paperclip_mcp_sends_it(api, world):
    """paperclip-mcp sends a fresh uuid4 on every request: reads and mutations without a run work;
    run-scoped actions answer "Agent run id required"."""
    def call(method, path, body=None):
        return api.call(method, path, body, token=world.alice_key, run_id=str(uuid.uuid4()))

    assert call("GET", "/api/agents/me").status == 200
    assert call("GET", f"/api/companies/{world.cid}/agents").status == 200
    issue = call("POST", f"/api/companies/{world.cid}/issues", {"title": "From MCP", "assigneeAgentId": world.alice["id"]})
    assert issue.status == 201, issue
    r = call("POST", f"/api/issues/{issue.json['id']}/checkout", {"agentId": world.alice["id"], "expectedStatuses": ["todo"]})
    assert r.status == 401 and r.json["error"] == "Agent run id required"
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue.json['id']}").json
    assert [e["runId"] for e in entries] == [None]  # attributed to no run


def test_the_skill_flow_with_a_run_token_and_its_own_header(api, world, alice_run):
    token, run_id = alice_run["token"], alice_run["run"]["id"]
    issue = api.post(f"/api/companies/{world.cid}/issues", {"title": "Skill", "assigneeAgentId": world.alice["id"]}).json
    r = api.post(f"/api/issues/{issue['id']}/checkout", {"agentId": world.alice["id"], "expectedStatuses": ["todo"]},
                 token=token, run_id=run_id)
    assert r.status == 200 and r.json["checkoutRunId"] == run_id
