"""The Lambda roles' grants cover what the code calls, and the narrow grants stay narrow.

Reads every module the Lambda ships (app.py, chalicelib/) for calls whose names are AWS operations
(PynamoDB's or botocore's) and checks the API role's data-access policy grants the IAM action each one
needs. A new call that needs a new action fails here with the action to add in infra/template/iam.py.
Generic names that cannot be told apart from dict/str methods (get, update, delete, save) map to
actions every table has anyway, so they are not read.

The scheduler role is held to the code a tick can reach (tests/infra/code_paths.py follows the calls
from scheduler.tick): it must grant every action that code needs, nothing beyond the item actions on
its own tables, and exactly the tables of the models that code names.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chalicelib.store.registry import ALL_MODELS
from infra.template import iam, tables
from tests.infra import code_paths
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


SCHEDULER_ENTRY = "chalicelib.services.routines.scheduler:tick"


def _granted(role: str = iam.API_ROLE) -> set[str]:
    from infra.template import build

    policy = build()["Resources"][iam.DATA_POLICIES[role]]["Properties"]["PolicyDocument"]
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


def test_app_py_runs_the_tick_the_scheduler_checks_follow():
    tree = ast.parse((ROOT / "app.py").read_text())
    (handler,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "scheduler_tick"]
    calls = {(c.func.value.id, c.func.attr) for c in ast.walk(handler)
             if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name)}
    assert ("scheduler", "tick") in calls


def test_the_scheduler_role_grants_what_its_code_path_calls_and_nothing_more():
    path = code_paths.reachable(SCHEDULER_ENTRY)
    needed = {action for name in code_paths.called_names(path) if name in NEEDS for action in NEEDS[name]}
    granted = _granted(iam.SCHEDULER_ROLE)
    assert needed <= granted, f"the scheduler role lacks {sorted(needed - granted)} (infra/template/iam.py)"
    assert granted - needed <= set(iam.ITEM_ACTIONS), f"the scheduler role grants {sorted(granted - needed - set(iam.ITEM_ACTIONS))} its code never calls"


def test_the_scheduler_role_names_exactly_the_tables_its_code_path_uses():
    short = {m.__name__: tables.short_name(m) for m in ALL_MODELS}
    used = {short[name] for name in code_paths.named_classes(code_paths.reachable(SCHEDULER_ENTRY), set(short))}
    assert used == set(iam.SCHEDULER_TABLES), (
        f"scheduler path uses {sorted(used)}; iam.SCHEDULER_TABLES lists {sorted(iam.SCHEDULER_TABLES)}")


def test_the_scheduler_path_is_followed_through_dispatch():
    """Guard against a follower that stops early: a tick dispatches runs that create issues and wake agents."""
    reached = {f"{u.module}:{u.name}" for u in code_paths.reachable(SCHEDULER_ENTRY)}
    assert {"chalicelib.services.routines.routine_dispatch:dispatch", "chalicelib.store.transactions:Transaction",
            "chalicelib.services.runtime.heartbeats:add_wakeup"} <= reached, sorted(reached)
    assert not any(u.startswith(("chalicelib.http.", "chalicelib.services.routines.webhook")) for u in reached)
