"""Helpers the infra tests share: walking a CloudFormation template's policies and conditions."""
from __future__ import annotations

from typing import Any, Iterator

POLICY_PROPERTIES = {
    "AWS::IAM::Policy": ["PolicyDocument"],
    "AWS::IAM::ManagedPolicy": ["PolicyDocument"],
    "AWS::KMS::Key": ["KeyPolicy"],
    "AWS::S3::BucketPolicy": ["PolicyDocument"],
}


def policy_documents(template: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(resource name, resource type, policy document) for every policy in the template."""
    for name, resource in template["Resources"].items():
        kind = resource.get("Type", "")
        props = resource.get("Properties", {})
        for prop in POLICY_PROPERTIES.get(kind, []):
            yield name, kind, props[prop]
        if kind == "AWS::IAM::Role":
            yield name, kind, props["AssumeRolePolicyDocument"]
            for policy in props.get("Policies", []):
                yield name, kind, policy["PolicyDocument"]


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resolve(value: Any, template: dict[str, Any], stage: str) -> Any:
    """Evaluate the Fn::If / Fn::Equals / Ref Stage / Condition parts of `value` for one stage."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref" and arg == "Stage":
            return stage
        if fn == "Fn::Equals":
            left, right = (resolve(v, template, stage) for v in arg)
            return left == right
        if fn == "Fn::If":
            condition, yes, no = arg
            chosen = yes if resolve(template["Conditions"][condition], template, stage) else no
            return resolve(chosen, template, stage)
    return value
