"""Unknown routes and methods answer in the contract's shape (issue 14): 404 {"error": "Not found"} and
405 with Allow, never Chalice's/API Gateway's body that quotes the caller's Authorization header.

Both local paths are covered: the in-process chalice.test client and chalice's LocalDevServer (the
tests' live server, what `make run` serves). The deployed stage's side is in tests/infra/test_package.py.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request

TOKEN = "pcp_" + "ab" * 24  # never sent back, whatever happens

UNKNOWN = [
    "/api/nope",
    "/api/companies/00000000-0000-4000-8000-000000000000/approvals",  # a client's route we do not serve
    "/api/a/b/c/d/e/f/g/h/i/j/k/l",  # deeper than any route
    "/favicon.ico",  # outside /api
]


def test_unknown_path_is_404_in_the_contract_shape(api):
    for path in UNKNOWN:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            r = api.call(method, path, token=TOKEN)
            assert r.status == 404, (method, path, r)
            assert r.json == {"error": "Not found"}
            assert TOKEN.encode() not in r.body and b"Authorization" not in r.body
            assert r.headers["content-type"] == "application/json"
            assert r.headers["x-request-id"]


def test_known_path_with_another_method_is_405_with_allow(api, world):
    for method, path, allow in [
        ("DELETE", "/api/health", "GET"),
        ("PUT", "/api/companies", "GET, POST"),
        ("HEAD", "/api/openapi.json", "GET"),
        ("POST", f"/api/companies/{world.cid}/activity", "GET"),
    ]:
        r = api.call(method, path, token=TOKEN)
        assert r.status == 405, (method, path, r)
        assert r.headers["allow"] == allow
        if method != "HEAD":
            assert r.json == {"error": "Method not allowed"}
        assert TOKEN.encode() not in r.body


def test_a_405_does_not_depend_on_credentials(api, world):
    """Refusing a method reads nothing and resolves no principal: no token, a bad token, a good one alike."""
    seen = {api.call("PUT", f"/api/companies/{world.cid}", token=t).status for t in (None, "garbage", TOKEN)}
    assert seen == {405}


def test_allow_lists_only_what_the_path_serves(api, world):
    r = api.call("PUT", f"/api/companies/{world.cid}")
    served = set(r.headers["allow"].split(", "))
    assert "GET" in served and "PATCH" in served and "PUT" not in served
    for method in served:  # each one listed really is served (not a 405)
        assert api.call(method, f"/api/companies/{world.cid}", body={}).status != 405


def _live(url: str, method: str, headers: dict) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_local_server_answers_the_same(live_server):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    status, _, body = _live(f"{live_server}/api/companies/x/dashboard", "GET", headers)
    assert status == 404 and json.loads(body) == {"error": "Not found"}
    status, _, body = _live(f"{live_server}/not-api/at/all", "GET", headers)
    assert status == 404 and TOKEN.encode() not in body
    status, response_headers, body = _live(f"{live_server}/api/health", "DELETE", headers)
    assert status == 405 and response_headers["Allow"] == "GET" and json.loads(body) == {"error": "Method not allowed"}


def test_every_route_refuses_a_query_parameter_it_does_not_declare(api):
    """The route wrapper's rule (issue 14): honoured or 400 naming it, never silently ignored. Checked
    before anything is read, so placeholder ids do."""
    import re

    from chalicelib.http import api as wrapper

    assert wrapper.ENFORCE_QUERY_PARAMS
    placeholder = "00000000-0000-4000-8000-000000000000"
    wrong = []
    for spec in wrapper.ROUTES:
        path = "/api" + re.sub(r"{\w+}", placeholder, spec.path)
        r = api.call(spec.method, f"{path}?zzUndeclared=1&{'&'.join(f'{q}=' for q in spec.query)}")
        if r.status != 400 or (r.json or {}).get("details") != {"zzUndeclared": "unknown query parameter"}:
            wrong.append(f"{spec.method} {spec.path}: {r.status} {r.body[:120]!r}")
    assert wrong == []


def test_the_clients_parameters_are_honoured_not_refused(api, world):
    """The skill's incremental comments (`?after=&order=asc`), its issue search (`?q=`) and attachment
    download (`?download=1`), MCP's `label`, the CLI's `GET /agents/{ref}?companyId=` and
    `documents?includeSystem=`: each route declares them; an undeclared parameter next to them is 400."""
    from tests.issue_setup import make_issue

    issue = make_issue(api, world)
    for path in [
        f"/api/issues/{issue['id']}/comments?after={issue['id']}&order=asc&afterCommentId={issue['id']}",
        f"/api/issues/{issue['id']}/documents?includeSystem=true",
        f"/api/companies/{world.cid}/issues?q=plan&label=x&labelId={issue['id']}",
        f"/api/agents/{world.alice['id']}?companyId={world.cid}",
    ]:
        assert api.call("GET", path).status == 200, path
        r = api.call("GET", path + "&zzUndeclared=1")
        assert r.status == 400 and r.json["details"] == {"zzUndeclared": "unknown query parameter"}, path
