"""`chalice package` with the merged template, linted by cfn-lint and checked for least privilege.

The package is built from a copy of the project in a temporary directory, so concurrent runs never share
chalice's build cache and nothing is written into the working tree; under xdist the workers of one run
share a single build. Chalice downloads Lambda-platform
wheels from PyPI for the build (the only network this needs). prod is built first; dev reuses its
dependency build.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chalicelib.store.registry import ALL_MODELS
from infra.generate import TEMPLATE_PATH
from infra.template import iam, tables
from tests.infra.template_reading import as_list, policy_documents, resolve, statements

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STAGES = ("prod", "dev")
LOCAL_JWT_SECRET = "paperclip-local-development-secret-not-for-production"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def _copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copy2(ROOT / "app.py", dest / "app.py")
    shutil.copy2(ROOT / "requirements.txt", dest / "requirements.txt")
    shutil.copytree(ROOT / "chalicelib", dest / "chalicelib", ignore=ignore)
    if (ROOT / "vendor").is_dir():
        shutil.copytree(ROOT / "vendor", dest / "vendor", ignore=ignore)
    (dest / ".chalice").mkdir()
    shutil.copy2(ROOT / ".chalice" / "config.json", dest / ".chalice" / "config.json")


def _build_dir(tmp_path_factory) -> Path:
    """Where this run's packages go: shared by the xdist workers of one run (each would otherwise build
    its own), private to the run otherwise."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return tmp_path_factory.mktemp("packaged")
    shared = tmp_path_factory.getbasetemp().parent / f"packaged-{run}"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> dict[str, Path]:
    build = _build_dir(tmp_path_factory)
    out = {stage: build / stage for stage in STAGES}
    with open(build / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds; the other waits, then reuses
        if not (build / "done").exists():
            project = build / "project"
            project.mkdir()
            _copy_project(project)
            env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"}
            for stage in STAGES:  # prod first; dev reuses its dependency build (same project dir)
                result = subprocess.run(
                    [str(BIN / "chalice"), "package", "--stage", stage, "--merge-template", str(TEMPLATE_PATH),
                     str(out[stage])],
                    cwd=project, env=env, capture_output=True, text=True, timeout=600,
                )
                assert result.returncode == 0, result.stdout + result.stderr
            (build / "done").touch()
    return out


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


def _data_statements(template: dict) -> list[dict]:
    return statements(template["Resources"][iam.DATA_POLICY]["Properties"]["PolicyDocument"])


def _dynamodb_resources(template: dict, action: str) -> list:
    return [r for s in _data_statements(template) if action in as_list(s["Action"]) for r in as_list(s["Resource"])]


def test_every_table_and_index_of_the_models_is_in_the_policy_and_nothing_else(packaged):
    template = _template(packaged, "prod")
    table_arns = [tables.table_arn(m) for m in ALL_MODELS]
    index_arns = [tables.index_arn(m, i) for m in ALL_MODELS for i in tables.index_names(m)]
    assert sorted(map(json.dumps, _dynamodb_resources(template, "dynamodb:GetItem"))) == sorted(map(json.dumps, table_arns))
    queried = _dynamodb_resources(template, "dynamodb:Query")
    assert sorted(map(json.dumps, queried)) == sorted(map(json.dumps, table_arns + index_arns))
    for model in ALL_MODELS:  # and each of those names a table the template defines
        assert template["Resources"][tables.logical_id(model)]["Type"] == "AWS::DynamoDB::Table"


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


def test_every_function_runs_as_the_template_role_and_logs_to_its_own_group(packaged):
    template = _template(packaged, "prod")
    functions = _functions(template)
    assert "APIHandler" in functions and "SchedulerTick" in functions
    role = template["Resources"][iam.ROLE]["Properties"]
    log_arns = json.dumps(role["Policies"][0]["PolicyDocument"])
    for name, function in functions.items():
        assert function["Properties"]["Role"] == {"Fn::GetAtt": [iam.ROLE, "Arn"]}, name
        assert f"/aws/lambda/${{Prefix}}{name}:*" in log_arns, name
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
    assert set(responses) == {"DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN"}
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    for response in responses.values():
        rendered = (response["responseTemplates"]["application/json"]
                    .replace("$context.error.messageString", '"Forbidden"').replace("$context.requestId", "r-1"))
        assert set(json.loads(rendered)) == {"error", "details"}
        assert response["responseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"


def test_deployment_package_fits_lambda(packaged):
    with zipfile.ZipFile(packaged["prod"] / "deployment.zip") as archive:
        names = archive.namelist()
        unzipped = sum(i.file_size for i in archive.infolist())
    assert "app.py" in names and "chalicelib/http/api.py" in names
    assert any(n.startswith("pydantic_core/") and n.endswith(".so") for n in names)
    assert unzipped < 250 * 1024 * 1024  # Lambda's limit for an unzipped package
