"""The Lambda role's grants cover what the code calls, and the narrow grants stay narrow.

Reads every module the Lambda ships (app.py, chalicelib/) for calls whose names are AWS operations
(PynamoDB's or botocore's) and checks the generated data-access policy grants the IAM action each one
needs. A new call that needs a new action fails here with the action to add in infra/template/iam.py.
Generic names that cannot be told apart from dict/str methods (get, update, delete, save) map to
actions every table has anyway, so they are not read.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chalicelib.store.registry import ALL_MODELS
from infra.template import iam, tables
from tests.infra.template_reading import as_list

ROOT = Path(__file__).resolve().parents[2]

# method or class name -> the IAM actions a call to it needs
NEEDS = {
    "batch_get": ["dynamodb:BatchGetItem"], "batch_get_item": ["dynamodb:BatchGetItem"],
    "batch_write": ["dynamodb:BatchWriteItem"], "batch_write_item": ["dynamodb:BatchWriteItem"],
    "TransactGet": ["dynamodb:GetItem"], "transact_get_items": ["dynamodb:GetItem"],
    "TransactWrite": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
    "check": ["dynamodb:ConditionCheckItem"], "condition_check": ["dynamodb:ConditionCheckItem"],
    "query": ["dynamodb:Query"], "scan": ["dynamodb:Scan"], "describe_table": ["dynamodb:DescribeTable"],
    "execute_statement": ["dynamodb:PartiQLSelect"], "batch_execute_statement": ["dynamodb:PartiQLSelect"],
    "put_object": ["s3:PutObject"], "upload_fileobj": ["s3:PutObject"], "upload_file": ["s3:PutObject"],
    "create_multipart_upload": ["s3:PutObject"], "upload_part": ["s3:PutObject"],
    "get_object": ["s3:GetObject"], "head_object": ["s3:GetObject"], "download_fileobj": ["s3:GetObject"],
    "delete_object": ["s3:DeleteObject"], "delete_objects": ["s3:DeleteObject"],
    "copy_object": ["s3:GetObject", "s3:PutObject"], "list_objects": ["s3:ListBucket"],
    "list_objects_v2": ["s3:ListBucket"], "abort_multipart_upload": ["s3:AbortMultipartUpload"],
    "encrypt": ["kms:Encrypt"], "decrypt": ["kms:Decrypt"], "generate_data_key": ["kms:GenerateDataKey"],
    "generate_data_key_without_plaintext": ["kms:GenerateDataKeyWithoutPlaintext"],
    "re_encrypt": ["kms:ReEncryptFrom", "kms:ReEncryptTo"], "describe_key": ["kms:DescribeKey"],
    "get_parameter": ["ssm:GetParameter"], "get_parameters": ["ssm:GetParameters"],
    "get_parameters_by_path": ["ssm:GetParametersByPath"],
}
# Actions granted on named tables only: the model a call names must be one of these tables.
TABLE_SCOPED = {"scan": iam.SCAN_TABLES, "describe_table": iam.DESCRIBE_TABLES}


def _shipped_sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]


def _calls():
    """(file:line, called name, ast node) for every call in the shipped code."""
    for path in _shipped_sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in NEEDS:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", name, node


def _granted() -> set[str]:
    from infra.template import build

    policy = build()["Resources"][iam.DATA_POLICY]["Properties"]["PolicyDocument"]
    return {action for statement in policy["Statement"] for action in as_list(statement["Action"])}


def test_every_aws_call_in_the_code_has_its_action_granted():
    granted = _granted()
    missing = sorted({(where, name, action) for where, name, _ in _calls() for action in NEEDS[name] if action not in granted})
    assert not missing, f"the Lambda role lacks actions the code needs (add them in infra/template/iam.py, run make infra): {missing}"


def test_calls_reach_the_checker():
    """Guard against a checker that silently reads nothing: the code base does scan, query, put and seal."""
    names = {name for _, name, _ in _calls()}
    assert {"scan", "query", "put_object", "generate_data_key", "get_parameter", "describe_table"} <= names


@pytest.mark.parametrize("operation", sorted(TABLE_SCOPED))
def test_table_scoped_actions_name_only_allowed_tables(operation):
    models = {m.__name__: tables.short_name(m) for m in ALL_MODELS}
    for where, name, node in _calls():
        if name != operation:
            continue
        named = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in models}
        assert named, f"{where}: {operation} on a table this test cannot tell; name its model class in the call"
        for model in named:
            assert models[model] in TABLE_SCOPED[operation], (
                f"{where}: {operation} on {models[model]!r}, but the role allows it only on {TABLE_SCOPED[operation]} "
                "(add the table in infra/template/iam.py if this is intended, and run make infra)")
