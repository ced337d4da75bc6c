"""Issue work products (issue #14; validators.md §5.8; cli.md §7.8; the skill's upload script)."""
from tests.e2e.authz.cases import _multipart
from tests.helpers import make_world
from tests.issue_helpers import checkout, new_issue, start_run

PR = {"type": "pull_request", "provider": "github", "title": "PR 1", "url": "https://github.com/a/b/pull/1"}


def test_create_list_update_delete(api, world, clock):
    issue = new_issue(api, world, projectId=world.project["id"])
    r = api.post(f"/api/issues/{issue['id']}/work-products", {**PR, "status": "active", "reviewState": "none",
                                                               "isPrimary": False, "healthStatus": "unknown"})
    assert r.status == 201, r
    product = r.json
    assert {k: product[k] for k in ("issueId", "companyId", "projectId", "type", "status", "isPrimary", "url")} == {
        "issueId": issue["id"], "companyId": world.cid, "projectId": world.project["id"], "type": "pull_request",
        "status": "active", "isPrimary": False, "url": PR["url"]}
    clock.advance(seconds=1)
    preview = api.post(f"/api/issues/{issue['id']}/work-products",
                       {"type": "preview_url", "provider": "vercel", "title": "Preview", "isPrimary": True}).json
    listed = api.get(f"/api/issues/{issue['id']}/work-products").json
    assert [p["id"] for p in listed] == [preview["id"], product["id"]]  # primary first
    assert [p["id"] for p in api.get(f"/api/issues/{issue['id']}").json["workProducts"]] == [preview["id"], product["id"]]

    r = api.patch(f"/api/work-products/{product['id']}", {"status": "merged", "summary": "Merged"})
    assert r.status == 200 and (r.json["status"], r.json["summary"], r.json["title"]) == ("merged", "Merged", "PR 1"), r
    r = api.delete(f"/api/work-products/{product['id']}")
    assert r.status == 200 and r.json["id"] == product["id"], r
    assert [p["id"] for p in api.get(f"/api/issues/{issue['id']}/work-products").json] == [preview["id"]]
    assert api.delete(f"/api/work-products/{product['id']}").status == 404


def test_one_primary_per_type(api, world):
    issue = new_issue(api, world)
    a = api.post(f"/api/issues/{issue['id']}/work-products", {**PR, "isPrimary": True}).json
    b = api.post(f"/api/issues/{issue['id']}/work-products", {**PR, "title": "PR 2", "isPrimary": True}).json
    listed = {p["id"]: p["isPrimary"] for p in api.get(f"/api/issues/{issue['id']}/work-products").json}
    assert listed == {a["id"]: False, b["id"]: True}


def test_bad_bodies(api, world):
    issue = new_issue(api, world)
    for body, field in [({**PR, "type": "video"}, "type"), ({**PR, "url": "not a url"}, "url"),
                        ({k: v for k, v in PR.items() if k != "title"}, "title"), ({**PR, "colour": "red"}, "colour"),
                        ({**PR, "status": "done"}, "status")]:
        r = api.post(f"/api/issues/{issue['id']}/work-products", body)
        assert r.status == 400 and field in r.json["details"], (body, r)
    r = api.post(f"/api/issues/{issue['id']}/work-products", {**PR, "metadata": {"x": "y" * 20_000}})
    assert r.status == 413, r
    assert api.get(f"/api/issues/{issue['id']}/work-products").json == []


def test_paperclip_artifact_names_an_attachment_of_the_issue(api, world):
    issue = new_issue(api, world)
    body, headers = _multipart()
    up = api.call("POST", f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers).json
    artifact = {"type": "artifact", "provider": "paperclip", "title": "notes.txt", "metadata": {"attachmentId": up["id"]}}
    r = api.post(f"/api/issues/{issue['id']}/work-products", artifact)
    assert r.status == 201, r
    assert r.json["metadata"]["attachmentId"] == up["id"]
    assert r.json["metadata"].get("contentType") == "text/plain", r.json["metadata"]
    other = new_issue(api, world)
    assert api.post(f"/api/issues/{other['id']}/work-products", artifact).status in (404, 422)


def test_agents_attribute_products_only_to_their_own_run(api, world):
    issue = new_issue(api, world, status="todo")
    run_id, token = start_run(api, world.alice["id"])
    assert checkout(api, issue["id"], world.alice["id"], token, ["todo"]).status == 200
    r = api.post(f"/api/issues/{issue['id']}/work-products", PR, token=token)
    assert r.status == 201 and r.json["createdByRunId"] == run_id, r
    bob_run, _ = start_run(api, world.bob["id"])
    r = api.post(f"/api/issues/{issue['id']}/work-products", {**PR, "createdByRunId": bob_run}, token=token)
    assert r.status == 403, r
    other = make_world(api, "Other Co")
    assert api.get(f"/api/issues/{issue['id']}/work-products", token=other.alice_key).status == 404
