"""One queued run per agent under concurrent wakeups and invokes (moto server, many threads)."""
from concurrent.futures import ThreadPoolExecutor

import requests

from chalicelib import clock as clock_module
from chalicelib.services.runtime import heartbeats
from tests.issue_helpers import all_wakeups


def test_concurrent_wakeups_and_invokes_never_make_two_queued_runs(live_server, api, world):
    agent_id = world.bob["id"]
    now = clock_module.current().now()

    def work(i):
        if i % 4 == 0:
            r = requests.post(f"{live_server}/api/agents/{agent_id}/heartbeat/invoke", timeout=60)
            assert r.status_code == 200, r.text
            return ("invoke", r.json()["run"]["id"], len(r.json()["run"]["wakeups"]))
        return ("wake", heartbeats.wake(agent_id, "issue_commented", now, issueId=f"i{i}"), 1)

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(work, range(64)))
    runs = requests.get(f"{live_server}/api/agents/{agent_id}/heartbeat-runs?limit=200", timeout=60).json()
    queued_runs = [r for r in runs if r["status"] == "queued"]
    assert len(queued_runs) <= 1
    # Every wakeup landed exactly once: in the queued run or in a run an invoke took over.
    recorded = sorted(w["issueId"] for r in runs for w in all_wakeups(api, r))
    assert recorded == sorted(f"i{i}" for i in range(64) if i % 4 != 0)
    assert len({run_id for kind, run_id, _ in results if kind == "invoke"}) == 16
