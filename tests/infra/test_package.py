"""`chalice package` with the merged template, linted by cfn-lint and checked for least privilege.

The packages come from the `packaged` fixture (tests/infra/conftest.py): built once per run.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chalicelib.store.registry import ALL_MODELS
from infra.template import iam, tables
from tests.infra.conftest import STAGES
from tests.infra.template_reading import as_list, policy_documents, resolve, statements

BIN = Path(sys.executable).parent
LOCAL_JWT_SECRET = "paperclip-local-development-secret-not-for-production"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def _template(packaged, stage: str) -> dict:
    return json.loads((packaged[stage] / "sam.json").read_text())


def _functions(template: dict) -> dict[str, dict]:
    return {n: r for n, r in template["Resources"].items() if r["Type"] in FUNCTION_TYPES}


def test_cfn_lint_finds_nothing(packaged):
    # Both stages in one run: cfn-lint's start-up (loading its schemas) is most of its cost.
    files = [str(packaged[stage] / "sam.json") for stage in STAGES]
    result = subprocess.run([str(BIN / "cfn-lint"), *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_statement_grants_a_wildcard(packaged):
    template = _template(packaged, "prod")
    seen = 0
    for name, kind, document in policy_documents(template):
        for statement in statements(document):
            assert "NotAction" not in statement and "NotResource" not in statement, name
            if statement["Effect"] != "Allow":
                continue
            seen += 1
            for action in as_list(statement["Action"]):
                assert "*" not in action, f"{name} grants {action}"
            if kind != "AWS::KMS::Key":  # a key policy's Resource "*" means "this key" and is required
                assert "*" not in as_list(statement.get("Resource", [])), f"{name} grants on Resource *"
            for principal in as_list((statement.get("Principal") or {}).get("AWS", [])):
                assert principal != "*", name
    assert seen >= 8


def _data_statements(template: dict, role: str = iam.API_ROLE) -> list[dict]:
    return statements(template["Resources"][iam.DATA_POLICIES[role]]["Properties"]["PolicyDocument"])


def _dynamodb_resources(template: dict, action: str, role: str = iam.API_ROLE) -> list:
    return [r for s in _data_statements(template, role) if action in as_list(s["Action"]) for r in as_list(s["Resource"])]


def _arns(models) -> tuple[list[str], list[str]]:
    tables_ = sorted(json.dumps(tables.table_arn(m)) for m in models)
    indexes = sorted(json.dumps(tables.index_arn(m, i)) for m in models for i in tables.index_names(m))
    return tables_, indexes


def test_every_table_and_index_of_the_models_is_in_the_api_policy_and_nothing_else(packaged):
    template = _template(packaged, "prod")
    table_arns, index_arns = _arns(ALL_MODELS)
    assert sorted(map(json.dumps, _dynamodb_resources(template, "dynamodb:GetItem"))) == table_arns
    queried = _dynamodb_resources(template, "dynamodb:Query")
    assert sorted(map(json.dumps, queried)) == sorted(table_arns + index_arns)
    for model in ALL_MODELS:  # and each of those names a table the template defines
        assert template["Resources"][tables.logical_id(model)]["Type"] == "AWS::DynamoDB::Table"


def test_the_scheduler_role_reaches_only_its_tables_and_no_other_service(packaged):
    template = _template(packaged, "prod")
    own = [m for m in ALL_MODELS if tables.short_name(m) in iam.SCHEDULER_TABLES]
    assert len(own) == len(iam.SCHEDULER_TABLES) < len(ALL_MODELS)
    table_arns, index_arns = _arns(own)
    assert sorted(map(json.dumps, _dynamodb_resources(template, "dynamodb:GetItem", iam.SCHEDULER_ROLE))) == table_arns
    queried = _dynamodb_resources(template, "dynamodb:Query", iam.SCHEDULER_ROLE)
    assert sorted(map(json.dumps, queried)) == sorted(table_arns + index_arns)
    actions = {a for s in _data_statements(template, iam.SCHEDULER_ROLE) for a in as_list(s["Action"])}
    assert actions == set(iam.ITEM_ACTIONS)  # no Scan, DescribeTable, S3, KMS or SSM
    key_users = [s["Principal"]["AWS"] for s in statements(template["Resources"]["AppKey"]["Properties"]["KeyPolicy"])
                 if s["Sid"] != "AccountAdministersKey"]
    assert key_users == [{"Fn::GetAtt": [iam.API_ROLE, "Arn"]}]

def test_scan_and_describe_only_on_the_companies_table(packaged):
    template = _template(packaged, "prod")
    companies = [{"Fn::GetAtt": ["CompaniesTable", "Arn"]}]
    assert _dynamodb_resources(template, "dynamodb:Scan") == companies
    assert _dynamodb_resources(template, "dynamodb:DescribeTable") == companies


def test_other_grants_name_exactly_their_resource(packaged):
    by_sid = {s["Sid"]: s for s in _data_statements(_template(packaged, "prod"))}
    assert by_sid["AttachmentObjects"]["Action"] == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert by_sid["AttachmentObjects"]["Resource"] == [{"Fn::Sub": "${AttachmentsBucket.Arn}/*"}]
    assert by_sid["AttachmentsBucketMissingKeys"]["Action"] == ["s3:ListBucket"]
    assert by_sid["AttachmentsBucketMissingKeys"]["Resource"] == [{"Fn::GetAtt": ["AttachmentsBucket", "Arn"]}]
    assert by_sid["AppKey"]["Action"] == ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    assert by_sid["AppKey"]["Resource"] == [{"Fn::GetAtt": ["AppKey", "Arn"]}]
    assert by_sid["JwtSecretParameter"]["Action"] == ["ssm:GetParameter"]
    assert len(by_sid["JwtSecretParameter"]["Resource"]) == 1


def test_each_function_runs_as_its_own_role_and_logs_to_its_own_group(packaged):
    template = _template(packaged, "prod")
    functions = _functions(template)
    assert set(functions) == {"APIHandler", "SchedulerTick"}
    roles = {name: function["Properties"]["Role"]["Fn::GetAtt"][0] for name, function in functions.items()}
    assert roles == {"APIHandler": iam.API_ROLE, "SchedulerTick": iam.SCHEDULER_ROLE}
    for name, function in functions.items():
        role = template["Resources"][roles[name]]
        assert role["Type"] == "AWS::IAM::Role"
        log_arns = json.dumps(role["Properties"]["Policies"][0]["PolicyDocument"])
        assert f"/aws/lambda/${{Prefix}}{name}:*" in log_arns, name
        assert [other for other in functions if f"${{Prefix}}{other}:*" in log_arns] == [name]  # only its own
        assert iam.DATA_POLICIES[roles[name]] in function["DependsOn"]  # no invocation before its grants
        assert template["Resources"][f"{name}LogGroup"]["Type"] == "AWS::Logs::LogGroup"
    assert "replaced-by-infra" not in (packaged["prod"] / "sam.json").read_text()  # config.json's placeholder


@pytest.mark.parametrize("stage", ["prod", "dev"])
def test_the_scheduler_has_time_for_a_full_tick(packaged, stage):
    """A tick with 1,000 due triggers must finish in one invocation (SPEC §8); the tick itself stops
    with scheduler.RESERVE_MS left, so a larger backlog continues next minute instead of timing out."""
    from chalicelib.services.routines import scheduler

    tick = _functions(_template(packaged, stage))["SchedulerTick"]["Properties"]
    assert tick["Timeout"] == 300 and tick["Timeout"] * 1000 > scheduler.RESERVE_MS * 5


@pytest.mark.parametrize("stage, protected", [("prod", True), ("dev", False)])
def test_deletion_protection_only_on_prod_tables(packaged, stage, protected):
    template = _template(packaged, stage)
    found = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(found) == len(ALL_MODELS)
    for table in found:
        assert resolve(table["Properties"]["DeletionProtectionEnabled"], template, stage) is protected


@pytest.mark.parametrize("stage", STAGES)
def test_no_literal_secret_and_authenticated_mode(packaged, stage):
    text = (packaged[stage] / "sam.json").read_text()
    assert LOCAL_JWT_SECRET not in text
    assert not re.search(r"pc[bp]_[A-Za-z0-9]", text)
    for name, function in _functions(json.loads(text)).items():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["AUTH_MODE"] == "authenticated", name
        assert env["PAPERCLIP_STAGE"] == stage
        assert "PAPERCLIP_JWT_SECRET" not in env, name
        assert env["PAPERCLIP_JWT_SECRET_PARAM"] == f"/paperclip/{stage}/jwt-secret"


def test_gateway_errors_keep_the_error_shape(packaged):
    body = _template(packaged, "prod")["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN"} <= set(responses)
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    for response in responses.values():
        rendered = (response["responseTemplates"]["application/json"]
                    .replace("$context.error.messageString", '"Forbidden"').replace("$context.requestId", "r-1"))
        assert set(json.loads(rendered)) == {"error", "details"}
        assert response["responseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"


def test_no_gateway_4xx_repeats_the_request(packaged):
    """API Gateway's message for a Bearer header on an unknown resource quotes the header (the token):
    no 4xx template may carry $context.error.messageString (issue 14)."""
    responses = _template(packaged, "prod")["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"]
    for kind, response in responses.items():
        if kind != "DEFAULT_5XX":
            assert "$context.error" not in response["responseTemplates"]["application/json"], kind
            assert response.get("statusCode", "4xx").startswith("4"), kind
    assert json.loads(responses["DEFAULT_4XX"]["responseTemplates"]["application/json"]
                      .replace("$context.requestId", "r-1"))["error"] == "Request refused by the API gateway"


@pytest.mark.parametrize("stage", STAGES)
def test_unknown_paths_and_methods_reach_the_app(packaged, stage):
    """Every method of every known API path is integrated with the API function (the app answers 405
    with Allow), and the greedy /api/{proxy+} catches every other path under /api (the app answers 404).
    The board page's static paths (/, /board, its assets) are GET only, outside the JSON API: another
    method there gets API Gateway's own fixed 4xx."""
    from chalicelib.http import application, fallback

    template = _template(packaged, stage)
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    methods = {m.lower() for m in fallback.METHODS}
    for path, operations in paths.items():
        if not path.startswith("/api"):
            assert set(operations) == {"get"}, path  # the board page (chalicelib/http/routes/board_page.py)
            continue
        assert methods <= set(operations), path
        for method in methods:
            integration = operations[method]["x-amazon-apigateway-integration"]
            assert integration["type"] == "aws_proxy" and "APIHandler" in json.dumps(integration["uri"]), (path, method)
    catch_all = paths[application.CATCH_ALL]
    for method in methods:
        assert catch_all[method]["parameters"] == [{"name": "proxy", "in": "path", "required": True, "type": "string"}]
    assert "/api/companies/{companyId}/agents" in paths and "delete" in paths["/api/companies/{companyId}/agents"]


def test_deployment_package_fits_lambda(packaged):
    with zipfile.ZipFile(packaged["prod"] / "deployment.zip") as archive:
        names = archive.namelist()
        unzipped = sum(i.file_size for i in archive.infolist())
    assert "app.py" in names and "chalicelib/http/api.py" in names
    assert any(n.startswith("pydantic_core/") and n.endswith(".so") for n in names)
    assert unzipped < 250 * 1024 * 1024  # Lambda's limit for an unzipped package
