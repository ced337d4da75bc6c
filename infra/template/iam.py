"""The one role every Lambda of the app runs as, and exactly what it may do.

Actions are the ones the code calls (tests/infra/test_policy_matches_code.py reads the code and fails
when a call needs an action that is missing here):
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

The role's own inline policy holds only the log permissions. Everything that names the key goes in a
separate policy resource, because the key's policy names the role (an inline policy would be a cycle).
"""
from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from infra.template import key, stages, storage, tables

ROLE = "LambdaRole"
DATA_POLICY = "LambdaDataAccessPolicy"

ITEM_ACTIONS = [
    "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
]
INDEX_ACTIONS = ["dynamodb:Query"]
SCAN_TABLES = ("companies",)
DESCRIBE_TABLES = ("companies",)
OBJECT_ACTIONS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
BUCKET_ACTIONS = ["s3:ListBucket"]
SECRET_ACTIONS = ["ssm:GetParameter"]
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]  # the log groups are created by the template


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


def _tables_named(models: list[type[Model]], short_names: tuple[str, ...]) -> list[dict[str, Any]]:
    known = {tables.short_name(m): m for m in models}
    missing = [n for n in short_names if n not in known]
    if missing:
        raise ValueError(f"IAM statements name tables that ALL_MODELS lacks: {missing}")
    return [tables.table_arn(known[n]) for n in short_names]


def data_statements(models: list[type[Model]]) -> list[dict[str, Any]]:
    index_arns = [tables.index_arn(m, name) for m in models for name in tables.index_names(m)]
    statements = [
        {"Sid": "TableItems", "Effect": "Allow", "Action": ITEM_ACTIONS,
         "Resource": [tables.table_arn(m) for m in models]},
        {"Sid": "CompanyListingScan", "Effect": "Allow", "Action": ["dynamodb:Scan"],
         "Resource": _tables_named(models, SCAN_TABLES)},
        {"Sid": "HealthProbe", "Effect": "Allow", "Action": ["dynamodb:DescribeTable"],
         "Resource": _tables_named(models, DESCRIBE_TABLES)},
        {"Sid": "AttachmentObjects", "Effect": "Allow", "Action": OBJECT_ACTIONS,
         "Resource": [storage.objects_arn()]},
        {"Sid": "AttachmentsBucketMissingKeys", "Effect": "Allow", "Action": BUCKET_ACTIONS,
         "Resource": [{"Fn::GetAtt": [storage.BUCKET, "Arn"]}]},
        {"Sid": "AppKey", "Effect": "Allow", "Action": key.USE_ACTIONS,
         "Resource": [{"Fn::GetAtt": [key.KEY, "Arn"]}]},
        {"Sid": "JwtSecretParameter", "Effect": "Allow", "Action": SECRET_ACTIONS,
         "Resource": [secret_parameter_arn()]},
    ]
    if index_arns:
        statements.insert(1, {"Sid": "IndexQueries", "Effect": "Allow", "Action": INDEX_ACTIONS,
                              "Resource": index_arns})
    return statements


def resources(models: list[type[Model]], lambdas: list[str]) -> dict[str, Any]:
    return {
        ROLE: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": {"Fn::Sub": "Paperclip ${Stage} Lambda functions"},
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
                            "Resource": [log_group_arn(name) for name in lambdas],
                        }],
                    },
                }],
            },
        },
        DATA_POLICY: {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "data-access",
                "Roles": [{"Ref": ROLE}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": data_statements(models)},
            },
        },
    }
