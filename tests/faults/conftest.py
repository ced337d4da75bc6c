"""The `faults` fixture: an Injector (tests/faults/injector.py) installed on every DynamoDB client."""
from __future__ import annotations

import pytest

from tests.faults.injector import Injector, install


@pytest.fixture
def faults(aws, monkeypatch):
    import botocore.retries.standard as standard

    # botocore's standard retries still run (4 attempts per call), but without sleeping and without
    # draining the per-client retry quota across the many injected failures of this directory.
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(standard.RetryQuotaChecker, "acquire_retry_quota", lambda self, context: True)
    injector = Injector()
    uninstall = install(injector)
    yield injector
    injector.disarm()
    uninstall()
