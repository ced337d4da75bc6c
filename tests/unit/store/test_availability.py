"""Storage failures that mean "try again later" (503) versus bugs (500)."""
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from pynamodb.exceptions import GetError, TransactWriteError

from chalicelib.store.availability import is_transient


def client_error(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetItem")


def wrapped(pynamodb_error, cause):
    try:
        raise pynamodb_error("failed", cause=cause) from cause
    except pynamodb_error as exc:
        return exc


@pytest.mark.parametrize("cause", [
    client_error("ProvisionedThroughputExceededException"),
    client_error("ThrottlingException"),
    client_error("InternalServerError", 500),
    client_error("SomethingNew", 503),
    EndpointConnectionError(endpoint_url="http://db"),
])
def test_transient_causes(cause):
    assert is_transient(wrapped(GetError, cause))
    assert is_transient(cause)


@pytest.mark.parametrize("error", [
    wrapped(GetError, client_error("ValidationException")),
    wrapped(TransactWriteError, client_error("TransactionCanceledException")),
    KeyError("id"),
    ValueError("bug"),
])
def test_bugs_are_not_transient(error):
    assert not is_transient(error)
