"""Issues under concurrency, against the threaded live server and the moto server (SPEC §4)."""
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.helpers import create, make_world
from tests.issue_helpers import all_wakeups, new_issue

THREADS = 32


def test_one_checkout_wins_among_32_runs(live_server, api, world):
    agents = [create(api, f"/api/companies/{world.cid}/agents", {"name": f"Racer {n}"}) for n in range(THREADS)]
    tokens = []
    for agent in agents:
        r = api.post(f"/api/agents/{agent['id']}/heartbeat/invoke")
        assert r.status == 200, r
        tokens.append((agent["id"], r.json["run"]["id"], r.json["token"]))
    issue = new_issue(api, world, status="todo")

    def claim(entry):
        agent_id, run_id, token = entry
        r = requests.post(f"{live_server}/api/issues/{issue['id']}/checkout",
                          json={"agentId": agent_id, "expectedStatuses": ["todo", "backlog", "blocked"]},
                          headers={"Authorization": f"Bearer {token}"}, timeout=120)
        return agent_id, run_id, r.status_code, r.json()

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(claim, tokens))
    winners = [r for r in results if r[2] == 200]
    assert sorted(r[2] for r in results) == [200] + [409] * (THREADS - 1)
    winner_agent, winner_run, _, body = winners[0]
    assert (body["assigneeAgentId"], body["checkoutRunId"], body["status"]) == (winner_agent, winner_run, "in_progress")
    for agent_id, _, status, body in results:
        if status == 409:
            assert body == {"error": "Issue checkout conflict", "details": {
                "issueId": issue["id"], "status": "in_progress", "assigneeAgentId": winner_agent,
                "checkoutRunId": winner_run}}
    stored = api.get(f"/api/issues/{issue['id']}").json
    assert (stored["assigneeAgentId"], stored["checkoutRunId"]) == (winner_agent, winner_run)
    actions = [a["action"] for a in api.get(
        f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}&limit=200").json]
    assert actions.count("issue.checked_out") == 1


def test_32_concurrent_creates_get_distinct_consecutive_identifiers(live_server, api):
    company = make_world(api, "Paperclip")
    assert company.company["issuePrefix"] == "PAP"

    def make(n):
        r = requests.post(f"{live_server}/api/companies/{company.cid}/issues", json={"title": f"issue {n}"}, timeout=120)
        assert r.status_code == 201, r.text
        return r.json()["identifier"]

    with ThreadPoolExecutor(THREADS) as pool:
        identifiers = list(pool.map(make, range(THREADS)))
    assert sorted(identifiers, key=lambda i: int(i.split("-")[1])) == [f"PAP-{n}" for n in range(1, THREADS + 1)]
    listed = api.get(f"/api/companies/{company.cid}/issues?limit=200").json
    assert sorted(i["identifier"] for i in listed) == sorted(identifiers)
    for identifier in identifiers:
        assert api.get(f"/api/issues/{identifier.lower()}").json["identifier"] == identifier


def test_concurrent_patches_never_overwrite_each_others_transition(live_server, api, world):
    """Every PATCH is decided on the state it read and conditioned on it: the recorded transitions
    form one unbroken chain, and each 200 is exactly one recorded transition."""
    issue = new_issue(api, world, status="todo")
    targets = ["blocked", "backlog"] * (THREADS // 2)

    def move(target):
        r = requests.patch(f"{live_server}/api/issues/{issue['id']}", json={"status": target}, timeout=120)
        return r.status_code, r.json()

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(move, targets))
    statuses = [s for s, _ in results]
    assert set(statuses) <= {200, 409}, results
    for status, body in results:
        if status == 409:
            assert body["error"].startswith("The issue was changed by another request")
    entries = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}&limit=200").json
    moves = [(e["details"]["status"]["from"], e["details"]["status"]["to"]) for e in entries if e["action"] == "issue.updated"]
    assert moves, "at least one PATCH must have won"
    final = api.get(f"/api/issues/{issue['id']}").json["status"]
    # Entries share one timestamp (the clock is frozen), so check the moves form ONE chain from todo
    # to the final status: each status is left as often as it is entered, except the two ends. Two
    # PATCHes acting on the same read state would leave some status one time too many.
    balance = {s: 0 for s in ("todo", "blocked", "backlog")}
    for from_status, to_status in moves:
        balance[from_status] += 1
        balance[to_status] -= 1
    expected = {s: 0 for s in balance}
    if final != "todo":
        expected["todo"], expected[final] = 1, -1
    assert balance == expected, moves
    # 200s are the winners plus the no-ops (a PATCH that read the status it asked for)
    assert statuses.count(200) >= len(moves)


def test_assignment_wakeups_survive_concurrent_invokes(live_server, api, world):
    """A create's wakeup that loses the race with the start of the agent's queued run retries
    against the new slot: every assigned issue is recorded exactly once, the issue never lost.
    (8 invokes: each lost race is one started run, fewer than the service's retry bound.)"""
    bob = world.bob["id"]

    def work(i):
        if i % 4 == 0:
            r = requests.post(f"{live_server}/api/agents/{bob}/heartbeat/invoke", timeout=120)
            assert r.status_code == 200, r.text
            return None
        r = requests.post(f"{live_server}/api/companies/{world.cid}/issues",
                          json={"title": f"task {i}", "assigneeAgentId": bob}, timeout=120)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    with ThreadPoolExecutor(THREADS) as pool:
        created = [i for i in pool.map(work, range(THREADS)) if i]
    runs = api.get(f"/api/agents/{bob}/heartbeat-runs?limit=200").json
    assert len([r for r in runs if r["status"] == "queued"]) <= 1
    woken = sorted(w["issueId"] for r in runs for w in all_wakeups(api, r) if w["reason"] == "issue_assigned")
    assert woken == sorted(created)
    assert len(created) == THREADS - THREADS // 4
