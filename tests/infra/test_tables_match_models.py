"""One source of truth: the checked-in template's tables are exactly the PynamoDB models' tables."""
from __future__ import annotations

import json

import pytest
from pynamodb.attributes import TTLAttribute
from pynamodb.indexes import GlobalSecondaryIndex, Index

from chalicelib.store.registry import ALL_MODELS
from infra.generate import TEMPLATE_PATH, generate
from infra.template import tables

STALE = "infra/cloudformation/resources.json is out of date: run `make infra` and commit the result"


@pytest.fixture(scope="module")
def checked_in() -> dict:
    return json.loads(TEMPLATE_PATH.read_text())


def _keys(model_or_index_attrs) -> list[dict[str, str]]:
    keys = [a for a in model_or_index_attrs if a.is_hash_key] + [a for a in model_or_index_attrs if a.is_range_key]
    return [{"AttributeName": a.attr_name, "KeyType": "HASH" if a.is_hash_key else "RANGE"} for a in keys]


def _indexes(model) -> list[Index]:
    return [v for v in vars(model).values() if isinstance(v, Index)]


def test_checked_in_template_is_what_the_generator_writes():
    assert TEMPLATE_PATH.read_text() == generate(), STALE


def test_every_model_has_exactly_its_table(checked_in):
    in_template = {name for name, r in checked_in["Resources"].items() if r.get("Type") == "AWS::DynamoDB::Table"}
    from_models = {tables.logical_id(m) for m in ALL_MODELS}
    assert in_template == from_models, STALE


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_table_matches_its_model(checked_in, model):
    """Read straight from the model's attributes and index classes, not through the generator."""
    props = checked_in["Resources"][tables.logical_id(model)]["Properties"]
    name = props["TableName"]["Fn::Sub"][0]
    assert name == "${Prefix}" + model.Meta.short_name, STALE
    assert props["KeySchema"] == _keys(model.get_attributes().values()), STALE
    assert props["BillingMode"] == "PAY_PER_REQUEST"

    expected_indexes = {}
    key_types = {a.attr_name: a.attr_type for a in model.get_attributes().values() if a.is_hash_key or a.is_range_key}
    for index in _indexes(model):
        meta = index.Meta
        key_types.update({a.attr_name: a.attr_type for a in meta.attributes.values() if a.is_hash_key or a.is_range_key})
        projection = {"ProjectionType": meta.projection.projection_type}
        if meta.projection.non_key_attributes:
            projection["NonKeyAttributes"] = sorted(meta.projection.non_key_attributes)
        kind = "GlobalSecondaryIndexes" if isinstance(index, GlobalSecondaryIndex) else "LocalSecondaryIndexes"
        expected_indexes[(kind, meta.index_name)] = {
            "IndexName": meta.index_name, "KeySchema": _keys(meta.attributes.values()), "Projection": projection,
        }
    actual_indexes = {
        (kind, i["IndexName"]): i
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes") for i in props.get(kind, [])
    }
    assert actual_indexes == expected_indexes, STALE
    assert {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]} == key_types, STALE

    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    if ttl:
        assert props["TimeToLiveSpecification"] == {"AttributeName": ttl[0], "Enabled": True}, STALE
    else:
        assert "TimeToLiveSpecification" not in props, STALE


def test_the_uniques_table_expires_keys(checked_in):
    """A concrete anchor: idempotency keys and rate-limit windows rely on TTL (SPEC: kept >= 7 days)."""
    props = checked_in["Resources"]["UniquesTable"]["Properties"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_table_hardening(checked_in):
    for model in ALL_MODELS:
        props = checked_in["Resources"][tables.logical_id(model)]["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
