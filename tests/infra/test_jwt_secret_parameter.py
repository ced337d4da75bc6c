"""Deployed stages read the run-JWT secret from SSM through botocore (the one the package ships and the
tests pin), not through the Lambda runtime's own boto3."""
from __future__ import annotations

import sys

import botocore.session
import pytest

from chalicelib import config


@pytest.fixture
def secret_from_parameter(aws, monkeypatch):
    monkeypatch.delenv("PAPERCLIP_JWT_SECRET", raising=False)
    monkeypatch.setenv("PAPERCLIP_JWT_SECRET_PARAM", "/paperclip/test/jwt-secret")
    config.jwt_secret.cache_clear()
    yield
    config.jwt_secret.cache_clear()


def test_the_secret_comes_from_the_ssm_parameter_without_boto3(secret_from_parameter, monkeypatch):
    ssm = botocore.session.get_session().create_client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="/paperclip/test/jwt-secret", Type="SecureString", Value="from-ssm-0123456789")
    monkeypatch.setitem(sys.modules, "boto3", None)  # an `import boto3` now fails
    assert config.jwt_secret() == "from-ssm-0123456789"
