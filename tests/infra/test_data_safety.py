"""Data outlives the stack (issue 11): tables, the attachments bucket and the KMS key are retained when
the stack is deleted or a change would replace them, and the bucket keeps old versions for a while.

Checked on the packaged template (what deploys), for both stages."""
from __future__ import annotations

import json

import pytest

from chalicelib.store.registry import ALL_MODELS
from infra.template import storage
from tests.infra.conftest import STAGES

DATA_TYPES = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::KMS::Key")


def _resources(packaged, stage: str) -> dict:
    return json.loads((packaged[stage] / "sam.json").read_text())["Resources"]


@pytest.mark.parametrize("stage", STAGES)
def test_every_data_resource_is_retained_on_delete_and_on_replacement(packaged, stage):
    data = {name: r for name, r in _resources(packaged, stage).items() if r.get("Type") in DATA_TYPES}
    kinds = [r["Type"] for r in data.values()]
    assert (kinds.count("AWS::DynamoDB::Table"), kinds.count("AWS::S3::Bucket"), kinds.count("AWS::KMS::Key")) == \
        (len(ALL_MODELS), 1, 1)
    for name, resource in data.items():
        assert resource.get("DeletionPolicy") == "Retain", name
        assert resource.get("UpdateReplacePolicy") == "Retain", name


@pytest.mark.parametrize("stage", STAGES)
def test_the_bucket_is_versioned_and_old_versions_expire(packaged, stage):
    bucket = _resources(packaged, stage)[storage.BUCKET]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert all(rule["Status"] == "Enabled" for rule in rules.values())
    versions = rules["expire-noncurrent-versions"]
    assert versions["NoncurrentVersionExpiration"] == {"NoncurrentDays": storage.NONCURRENT_VERSION_DAYS}
    assert 7 <= storage.NONCURRENT_VERSION_DAYS <= 90  # long enough to notice a loss, short enough to bound cost
    assert versions["ExpiredObjectDeleteMarker"] is True
    assert rules["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
