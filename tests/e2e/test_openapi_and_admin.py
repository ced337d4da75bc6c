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
