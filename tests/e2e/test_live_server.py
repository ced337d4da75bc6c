"""The threaded server keeps each request's identity apart (Chalice's current_request is per thread)."""
from concurrent.futures import ThreadPoolExecutor

import requests


def test_concurrent_requests_keep_their_own_principal(live_server, world):
    def me(i):
        token = world.alice_key if i % 2 == 0 else world.bob_key
        r = requests.get(f"{live_server}/api/agents/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        return i, r.status_code, r.json()["name"]

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(me, range(64)))
    assert all(status == 200 for _, status, _ in results)
    assert [name for _, _, name in results] == ["Alice" if i % 2 == 0 else "Bob Builder" for i in range(64)]
