"""One AWS::DynamoDB::Table per PynamoDB model, from the model's own schema (the one create_table uses
locally), so the deployed tables cannot drift from what the code reads and writes."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from infra.template import stages


def short_name(model: type[Model]) -> str:
    name = getattr(model.Meta, "short_name", None)
    if not name:
        raise ValueError(f"{model.__name__}.Meta must come from chalicelib.store.base.meta('short-name')")
    return name


def logical_id(model: type[Model]) -> str:
    return "".join(part[:1].upper() + part[1:] for part in short_name(model).replace("_", "-").split("-")) + "Table"


def table_arn(model: type[Model]) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id(model), "Arn"]}


def index_arn(model: type[Model], index_name: str) -> dict[str, Any]:
    return {"Fn::Sub": "${%s.Arn}/index/%s" % (logical_id(model), index_name)}


def index_names(model: type[Model]) -> list[str]:
    schema = model._get_schema()
    return sorted(i["index_name"] for i in schema["global_secondary_indexes"] + schema["local_secondary_indexes"])


def ttl_attribute(model: type[Model]) -> str | None:
    names = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    return names[0] if names else None


def _key_schema(elements: list[dict[str, str]]) -> list[dict[str, str]]:
    # DynamoDB wants HASH first; PynamoDB lists keys in attribute order.
    return [{"AttributeName": e["AttributeName"], "KeyType": e["KeyType"]}
            for e in sorted(elements, key=lambda e: e["KeyType"] != "HASH")]


def _index(index: dict[str, Any]) -> dict[str, Any]:
    projection = {"ProjectionType": index["projection"]["ProjectionType"]}
    if index["projection"].get("NonKeyAttributes"):
        projection["NonKeyAttributes"] = sorted(index["projection"]["NonKeyAttributes"])
    return {"IndexName": index["index_name"], "KeySchema": _key_schema(index["key_schema"]), "Projection": projection}


def _attribute_definitions(schema: dict[str, Any]) -> list[dict[str, str]]:
    types: dict[str, str] = {}
    every = list(schema["attribute_definitions"])
    for index in schema["global_secondary_indexes"] + schema["local_secondary_indexes"]:
        every += index["attribute_definitions"]
    for attr in every:
        name, kind = attr["AttributeName"], attr["AttributeType"]
        if types.setdefault(name, kind) != kind:
            raise ValueError(f"attribute {name!r} is keyed as both {types[name]} and {kind}")
    return [{"AttributeName": name, "AttributeType": types[name]} for name in sorted(types)]


def table(model: type[Model]) -> dict[str, Any]:
    schema = model._get_schema()
    props: dict[str, Any] = {
        "TableName": stages.prefixed(short_name(model)),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": _attribute_definitions(schema),
        "KeySchema": _key_schema(schema["key_schema"]),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": {"Fn::If": [stages.IS_PROD, True, False]},
        # KMS with the AWS managed key aws/dynamodb: no key policy for the tables to depend on, and
        # the Lambda role needs no KMS permission to read or write items.
        "SSESpecification": {"SSEEnabled": True},
    }
    gsis = sorted(schema["global_secondary_indexes"], key=lambda i: i["index_name"])
    if gsis:
        props["GlobalSecondaryIndexes"] = [_index(i) for i in gsis]
    lsis = sorted(schema["local_secondary_indexes"], key=lambda i: i["index_name"])
    if lsis:
        props["LocalSecondaryIndexes"] = [_index(i) for i in lsis]
    ttl = ttl_attribute(model)
    if ttl:
        props["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": True}
    if getattr(model.Meta, "stream_view_type", None):
        props["StreamSpecification"] = {"StreamViewType": model.Meta.stream_view_type}
    # Kept when the stack is deleted or a change would replace the table: the data outlives the stack
    # (docs/deploy.md, "Tearing a stage down", says how to remove it on purpose).
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": props}


def resources(models: list[type[Model]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in models:
        name = logical_id(model)
        if name in out:
            raise ValueError(f"two models map to the table resource {name}")
        out[name] = table(model)
    return out
