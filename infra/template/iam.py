"""One role per Lambda function, each allowed exactly what its code path calls.

The API role (APIHandler) may do what any route does. Actions are the ones the code calls
(tests/infra/test_policy_matches_code.py reads the code and fails when a call needs a missing action):
- items: GetItem, PutItem, UpdateItem, DeleteItem, ConditionCheckItem, BatchGetItem, BatchWriteItem
  (document revisions are purged in batches; it can do no more than PutItem/DeleteItem). DynamoDB
  transactions have no IAM action of their own: TransactWriteItems is authorised per item against
  PutItem/UpdateItem/DeleteItem/ConditionCheckItem, TransactGetItems against GetItem.
- Query on the tables and on each of their indexes (by exact index ARN).
- Scan only where the code scans: the companies table (the instance admin's company listing).
- DescribeTable only where the health check probes: the companies table.
- S3 Get/Put/DeleteObject on the attachments bucket's objects, and ListBucket on the bucket itself:
  without it S3 answers a read of a missing key with AccessDenied instead of NoSuchKey, and the code
  (chalicelib/store/blobs.py) tells "gone" from "failed" by NoSuchKey.
- KMS Encrypt/Decrypt/GenerateDataKey on the app key; ssm:GetParameter on the JWT secret parameter.

The scheduler role (SchedulerTick) may only read and write the tables of SCHEDULER_TABLES and query
their indexes: a tick claims due triggers, records runs, creates issues, wakes agents and logs
activity, and never touches attachments, webhook secrets (KMS) or the JWT secret (SSM).
tests/infra/test_policy_matches_code.py derives that list from the code the tick can reach and fails
when the two differ, in either direction.

Each role's inline policy holds only its function's log permissions. Data access goes in a separate
policy resource, because the key's policy names the API role (an inline policy would be a cycle).
"""
from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from infra.template import key, stages, storage, tables

API_ROLE = "ApiRole"
SCHEDULER_ROLE = "SchedulerRole"
API_HANDLER = "APIHandler"  # chalice names the REST API's function so
SCHEDULER = "SchedulerTick"
# Which role each Lambda function runs as. A new function must be given one here (generation fails
# otherwise): sharing the API's role by default would hand it everything.
FUNCTION_ROLES = {API_HANDLER: API_ROLE, SCHEDULER: SCHEDULER_ROLE}
DATA_POLICIES = {API_ROLE: "ApiDataAccessPolicy", SCHEDULER_ROLE: "SchedulerDataAccessPolicy"}

ITEM_ACTIONS = [
    "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
]
INDEX_ACTIONS = ["dynamodb:Query"]
SCAN_TABLES = ("companies",)
DESCRIBE_TABLES = ("companies",)
# The tables a scheduler tick reads or writes (short names; see the module docstring).
SCHEDULER_TABLES = (
    "activity", "agents", "companies", "heartbeat-run-wakeups", "heartbeat-runs", "issues", "routine-runs",
    "routine-triggers", "routines", "uniques",
)
OBJECT_ACTIONS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
BUCKET_ACTIONS = ["s3:ListBucket"]
SECRET_ACTIONS = ["ssm:GetParameter"]
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]  # the log groups are created by the template


def role_of(function: str) -> str:
    """The role logical id a function runs as. Errors: ValueError for a function without one."""
    if function not in FUNCTION_ROLES:
        raise ValueError(f"Lambda function {function!r} has no role: add it to FUNCTION_ROLES in infra/template/iam.py")
    return FUNCTION_ROLES[function]


def secret_parameter_arn() -> dict[str, Any]:
    # Parameter names start with "/", which the ARN's "parameter" part already ends with.
    return {"Fn::Sub": [
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Name}",
        {"Name": stages.setting("JwtSecretParam")},
    ]}


def log_group_arn(function: str) -> dict[str, Any]:
    return {"Fn::Sub": [
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${Prefix}%s:*" % function,
        {"Prefix": stages.setting("TablePrefix")},
    ]}


def _tables_named(models: list[type[Model]], short_names: tuple[str, ...]) -> list[type[Model]]:
    known = {tables.short_name(m): m for m in models}
    missing = [n for n in short_names if n not in known]
    if missing:
        raise ValueError(f"IAM statements name tables that ALL_MODELS lacks: {missing}")
    return [known[n] for n in short_names]


def _table_statements(models: list[type[Model]]) -> list[dict[str, Any]]:
    statements = [{"Sid": "TableItems", "Effect": "Allow", "Action": ITEM_ACTIONS,
                   "Resource": [tables.table_arn(m) for m in models]}]
    index_arns = [tables.index_arn(m, name) for m in models for name in tables.index_names(m)]
    if index_arns:
        statements.append({"Sid": "IndexQueries", "Effect": "Allow", "Action": INDEX_ACTIONS, "Resource": index_arns})
    return statements


def api_statements(models: list[type[Model]]) -> list[dict[str, Any]]:
    return _table_statements(models) + [
        {"Sid": "CompanyListingScan", "Effect": "Allow", "Action": ["dynamodb:Scan"],
         "Resource": [tables.table_arn(m) for m in _tables_named(models, SCAN_TABLES)]},
        {"Sid": "HealthProbe", "Effect": "Allow", "Action": ["dynamodb:DescribeTable"],
         "Resource": [tables.table_arn(m) for m in _tables_named(models, DESCRIBE_TABLES)]},
        {"Sid": "AttachmentObjects", "Effect": "Allow", "Action": OBJECT_ACTIONS,
         "Resource": [storage.objects_arn()]},
        {"Sid": "AttachmentsBucketMissingKeys", "Effect": "Allow", "Action": BUCKET_ACTIONS,
         "Resource": [{"Fn::GetAtt": [storage.BUCKET, "Arn"]}]},
        {"Sid": "AppKey", "Effect": "Allow", "Action": key.USE_ACTIONS,
         "Resource": [{"Fn::GetAtt": [key.KEY, "Arn"]}]},
        {"Sid": "JwtSecretParameter", "Effect": "Allow", "Action": SECRET_ACTIONS,
         "Resource": [secret_parameter_arn()]},
    ]


def scheduler_statements(models: list[type[Model]]) -> list[dict[str, Any]]:
    return _table_statements(_tables_named(models, SCHEDULER_TABLES))


def _role(description: str, functions: list[str]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": {"Fn::Sub": "Paperclip ${Stage} %s" % description},
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }],
            },
            "Policies": [{
                "PolicyName": "function-logs",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "OwnLogGroups", "Effect": "Allow", "Action": LOG_ACTIONS,
                        "Resource": [log_group_arn(name) for name in functions],
                    }],
                },
            }],
        },
    }


def _policy(role: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "data-access",
            "Roles": [{"Ref": role}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        },
    }


def resources(models: list[type[Model]], lambdas: list[str]) -> dict[str, Any]:
    runs_as = {role: [f for f in lambdas if role_of(f) == role] for role in DATA_POLICIES}
    return {
        API_ROLE: _role("API function (every route)", runs_as[API_ROLE]),
        DATA_POLICIES[API_ROLE]: _policy(API_ROLE, api_statements(models)),
        SCHEDULER_ROLE: _role("scheduler tick", runs_as[SCHEDULER_ROLE]),
        DATA_POLICIES[SCHEDULER_ROLE]: _policy(SCHEDULER_ROLE, scheduler_statements(models)),
    }
