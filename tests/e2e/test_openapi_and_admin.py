import json
import subprocess
import sys

from chalicelib.http.api import ROUTES


def test_openapi_describes_every_route_with_schemas(api):
    doc = api.get("/api/openapi.json").json
    from openapi_spec_validator import validate

    validate(doc)
    for spec in ROUTES:
        op = doc["paths"][f"/api{spec.path}"][spec.method.lower()]
        assert op["summary"]
        if spec.body is not None:
            assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(spec.body.__name__)
        success = op["responses"][str(spec.status)]
        if spec.response is not None:
            assert success["content"]["application/json"]["schema"]
    agent_create = doc["components"]["schemas"]["AgentCreate"]
    assert agent_create["additionalProperties"] is False and "reportsTo" in agent_create["properties"]


def test_admin_command_creates_a_working_board_token(api, aws, authenticated):
    out = subprocess.run(
        [sys.executable, "-m", "tools.admin", "create-board-user", "--stage", "test", "--name", "Ops", "--instance-admin",
         "--endpoint", aws],
        capture_output=True, text=True, check=True,
    )
    created = json.loads(out.stdout)
    assert created["isInstanceAdmin"] is True and created["token"].startswith("pcb_")
    assert api.get("/api/companies", token=created["token"]).status == 200
    assert api.post("/api/companies", {"name": "Made by ops"}, token=created["token"]).status == 201



def _documented(doc, method, path, status):
    return doc["paths"][path][method]["responses"].get(str(status))


def test_openapi_documents_what_document_puts_and_downloads_answer(api, world):
    # Found by the API fuzzer: PUT of a new document answers 201 and a download answers with the
    # attachment's own content type, but the document declared only 200 application/json.
    from tests.e2e.test_attachments import multipart
    from tests.issue_setup import make_issue

    doc = api.get("/api/openapi.json").json
    issue = make_issue(api, world)
    created = api.put(f"/api/issues/{issue['id']}/documents/plan", {"format": "markdown", "body": "x"})
    assert created.status == 201
    put = _documented(doc, "put", "/api/issues/{issueId}/documents/{key}", created.status)
    assert put["content"]["application/json"]["schema"]["$ref"].endswith("/DocumentOut")
    assert _documented(doc, "put", "/api/issues/{issueId}/documents/{key}", 200)

    body, headers = multipart("notes.txt", b"hello", "text/plain")
    attachment = api.post(f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers).json
    download = api.get(f"/api/attachments/{attachment['id']}/content", headers={"Accept": "*/*"})
    content = _documented(doc, "get", "/api/attachments/{attachmentId}/content", download.status)["content"]
    assert download.headers["content-type"].split(";")[0] in content
    from chalicelib.config import settings

    assert set(content) == set(settings().attachment_content_types)
    assert _documented(doc, "get", "/api/attachments/{attachmentId}/content", 406)


def test_openapi_documents_the_upload_form(api):
    from chalicelib.config import settings

    doc = api.get("/api/openapi.json").json
    upload = doc["paths"]["/api/companies/{companyId}/issues/{issueId}/attachments"]["post"]["requestBody"]
    form = upload["content"]["multipart/form-data"]
    assert form["schema"]["required"] == ["file"] and form["schema"]["properties"]["file"]["format"] == "binary"
    allowed = [t.strip() for t in form["encoding"]["file"]["contentType"].split(",")]
    assert allowed == list(settings().attachment_content_types)


def _query_schema(doc, method, path, name):
    return next(p["schema"] for p in doc["paths"][path][method]["parameters"] if p["in"] == "query" and p["name"] == name)


def test_openapi_request_side_matches_what_the_api_accepts(api, world):
    # A probe of the fuzzer with "schema-valid requests must not be 400" found the document promising more
    # than the API takes: optional bodies that are required, free-form query values and document keys,
    # and nullable routine/trigger fields that are 400 when null.
    from chalicelib.services.routines import routines
    from chalicelib.services.runtime import heartbeats
    from chalicelib.logic import issue_status

    doc = api.get("/api/openapi.json").json
    create_agent = doc["paths"]["/api/companies/{companyId}/agents"]["post"]["requestBody"]
    assert create_agent["required"] is True and api.post(f"/api/companies/{world.cid}/agents").status == 400
    patch_agent = doc["paths"]["/api/agents/{agentId}"]["patch"]["requestBody"]
    assert patch_agent["required"] is False and api.patch(f"/api/agents/{world.alice['id']}").status == 200

    assert _query_schema(doc, "get", "/api/companies/{companyId}/agents", "limit")["type"] == "integer"
    assert api.get(f"/api/companies/{world.cid}/agents?limit=ten").status == 400
    count = _query_schema(doc, "get", "/api/routine-triggers/{triggerId}/preview", "count")
    assert (count["type"], count["minimum"], count["maximum"]) == ("integer", 1, 50)
    runs = _query_schema(doc, "get", "/api/agents/{agentId}/heartbeat-runs", "status")
    assert set(runs["enum"]) == set(heartbeats.STATUSES)
    assert set(_query_schema(doc, "get", "/api/companies/{companyId}/routines", "status")["enum"]) == set(routines.STATUSES)
    import re

    issues_status = _query_schema(doc, "get", "/api/companies/{companyId}/issues", "status")["pattern"]
    assert re.fullmatch(issues_status, ",".join(issue_status.STATUSES)) and not re.fullmatch(issues_status, "todo,nope")
    assert api.get(f"/api/companies/{world.cid}/issues?status=todo,nope").status == 400

    key = next(p["schema"] for p in doc["paths"]["/api/issues/{issueId}/documents/{key}"]["put"]["parameters"]
               if p["name"] == "key")
    from tests.issue_setup import make_issue

    issue = make_issue(api, world)
    for candidate, accepted in (("Plan_1", True), ("-plan", False), ("x" * 64, True), ("x" * 65, False)):
        documented = re.search(key["pattern"], candidate) is not None and len(candidate) <= key["maxLength"]
        status = api.put(f"/api/issues/{issue['id']}/documents/{candidate}", {"format": "markdown", "body": "b"}).status
        assert documented is accepted and (status == 201) is accepted, (candidate, status)

    schemas = doc["components"]["schemas"]
    for model, fields in (("RoutineUpdate", ("title", "projectId", "priority", "status", "concurrencyPolicy", "catchUpPolicy")),
                          ("TriggerUpdate", ("enabled", "cronExpression", "timezone", "signingMode", "replayWindowSec"))):
        for name in fields:
            assert "anyOf" not in schemas[model]["properties"][name] and "default" not in schemas[model]["properties"][name]
    routine = api.post(f"/api/companies/{world.cid}/routines", {"title": "R", "projectId": world.project["id"]}).json
    r = api.patch(f"/api/routines/{routine['id']}", {"priority": None})
    assert r.status == 400 and "priority" in r.json["details"]
