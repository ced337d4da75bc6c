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
