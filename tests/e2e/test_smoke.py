def test_health_ok(api):
    r = api.get("/api/health")
    assert r.status == 200, r
    assert r.json == {"status": "ok", "version": "0.1.0", "authMode": "local_trusted"}


def test_world_builds(world, api):
    r = api.get(f"/api/companies/{world.cid}")
    assert r.status == 200
    assert r.json["issuePrefix"] == "ACM"
