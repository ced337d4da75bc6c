"""Agent url keys stay unique among a company's live agents under concurrent creates and renames
(validators.md §9.5; guarded keys written in the agent's transaction, services/runtime/agents.py)."""
from concurrent.futures import ThreadPoolExecutor

import requests

# Different names (so the case-insensitive name guard does not decide), one url key: "dana-scully".
SPELLINGS = ["Dana Scully", "dana-scully", "Dana  Scully!", "DANA_SCULLY", "dana.scully", "(Dana) Scully",
             "Dana--Scully", "dana scully "]


def test_concurrent_creates_with_one_url_key_make_one_agent(live_server, world):
    def create(name):
        r = requests.post(f"{live_server}/api/companies/{world.cid}/agents", json={"name": name}, timeout=60)
        assert r.status_code in (201, 409), r.text
        return r.status_code

    with ThreadPoolExecutor(len(SPELLINGS)) as pool:
        statuses = list(pool.map(create, SPELLINGS * 2))
    assert statuses.count(201) == 1
    agents = requests.get(f"{live_server}/api/companies/{world.cid}/agents?limit=200", timeout=60).json()
    assert [a["urlKey"] for a in agents].count("dana-scully") == 1


def test_concurrent_renames_to_one_url_key_leave_one_holder(live_server, world):
    ids = [requests.post(f"{live_server}/api/companies/{world.cid}/agents", json={"name": f"Temp {i}"}, timeout=60).json()["id"]
           for i in range(len(SPELLINGS))]

    def rename(pair):
        agent_id, name = pair
        r = requests.patch(f"{live_server}/api/agents/{agent_id}", json={"name": name}, timeout=60)
        assert r.status_code in (200, 409), r.text
        return r.status_code

    with ThreadPoolExecutor(len(ids)) as pool:
        statuses = list(pool.map(rename, zip(ids, SPELLINGS)))
    assert statuses.count(200) == 1
    agents = requests.get(f"{live_server}/api/companies/{world.cid}/agents?limit=200", timeout=60).json()
    assert [a["urlKey"] for a in agents].count("dana-scully") == 1
    # the losers kept their names and keys, which are still theirs
    losers = [a for a in agents if a["id"] in ids and a["urlKey"] != "dana-scully"]
    assert sorted(a["urlKey"] for a in losers) == sorted(f"temp-{i}" for i, s in enumerate(statuses) if s == 409)
    for a in losers:
        assert requests.get(f"{live_server}/api/agents/{a['urlKey']}?companyId={world.cid}", timeout=60).json()["id"] == a["id"]
