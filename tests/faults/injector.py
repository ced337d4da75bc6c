"""DynamoDB fault injection through botocore events, on every client PynamoDB uses.

Logical calls (one per `client._make_api_call`, i.e. one per PynamoDB request, whatever botocore's
retries do underneath) are numbered from 1 at the `before-call.dynamodb` event, the same event
chalicelib.store.request_count counts, so position N here is position N in a `counting()` run.

Two layers, chosen per fault:

- "send" (HTTP layer, `before-send.dynamodb`, *below* botocore's retry handler): every HTTP attempt
  of the Nth call gets the error response (or a connection reset) instead of reaching DynamoDB. The
  request is never applied. botocore's standard-mode retries (PynamoDB's max_retry_attempts=3 → 4
  attempts) run and all fail, so the error then reaches PynamoDB and our code exactly as a persistent
  throttle/outage would. `transient_attempts=k` fails only the first k attempts instead (a blip that
  botocore's own retries absorb). Backoff sleeps and the retry quota are patched out by the fixture
  so that the retries cost no wall time and never run dry across tests.
- "lost" (`after-call.dynamodb`, above the retry handler): the Nth request reaches DynamoDB and is
  applied, then its response is replaced by a ClientError: the ambiguous "the write landed but the
  caller saw an InternalServerError / reset" case.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ConnectionClosedError

# code -> (HTTP status, __type) as DynamoDB answers it
ERRORS = {
    "ProvisionedThroughputExceededException": (400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"),
    "ThrottlingException": (400, "com.amazon.coral.availability#ThrottlingException"),
    "InternalServerError": (500, "com.amazonaws.dynamodb.v20120810#InternalServerError"),
}
RESET = "ConnectionReset"  # not an HTTP answer: the connection dies (botocore ConnectionClosedError)


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_kw):
        yield self._body


def _error_response(url: str, code: str) -> AWSResponse:
    status, type_ = ERRORS[code]
    body = json.dumps({"__type": type_, "message": f"injected {code}"}).encode()
    headers = {"x-amzn-RequestId": "injected-fault", "Content-Type": "application/x-amz-json-1.0",
               "Content-Length": str(len(body))}
    return AWSResponse(url, status, headers, _Raw(body))


@dataclass
class Injector:
    at: int | None = None  # 1-based position of the faulty call; None: off
    code: str = "ProvisionedThroughputExceededException"
    layer: str = "send"  # send | lost
    transient_attempts: int | None = None  # send layer: fail only this many attempts of the call
    calls: list[str] = field(default_factory=list)  # operation names of the logical calls seen while armed
    attempts: int = 0  # HTTP attempts made for the faulty call
    fired: bool = False
    _current: int = 0

    def arm(self, at: int, code: str, layer: str = "send", transient_attempts: int | None = None) -> None:
        self.at, self.code, self.layer, self.transient_attempts = at, code, layer, transient_attempts
        self.calls, self.attempts, self.fired, self._current = [], 0, False, 0

    def disarm(self) -> None:
        self.at = None

    def record(self) -> None:
        """Number calls without injecting (to count a clean run)."""
        self.arm(at=0, code=self.code)

    @property
    def armed(self) -> bool:
        return self.at is not None

    # botocore handlers ---------------------------------------------------------------------
    def before_call(self, model=None, **_kw):
        if not self.armed or model is None:
            return None
        self.calls.append(model.name)
        self._current = len(self.calls)
        return None

    def before_send(self, request=None, **_kw):
        if not self.armed or self._current != self.at or self.layer != "send":
            return None
        self.attempts += 1
        if self.transient_attempts is not None and self.attempts > self.transient_attempts:
            return None
        self.fired = True
        if self.code == RESET:
            raise ConnectionClosedError(endpoint_url=request.url)
        return _error_response(request.url, self.code)

    def after_call(self, model=None, **_kw):
        if not self.armed or self._current != self.at or self.layer != "lost":
            return
        self.fired = True
        status, _ = ERRORS.get(self.code, (500, ""))
        raise ClientError({"Error": {"Code": self.code, "Message": f"injected {self.code} after the request was applied"},
                           "ResponseMetadata": {"HTTPStatusCode": status}}, model.name)


def clients():
    """Every botocore client PynamoDB uses here (as chalicelib.store.request_count._hook_all)."""
    from chalicelib.store.registry import ALL_MODELS
    from chalicelib.store.transactions import _conn

    seen = {}
    for model in ALL_MODELS:
        client = model._get_connection().connection.client
        seen[id(client)] = client
    client = _conn().client
    seen[id(client)] = client
    return list(seen.values())


def install(injector: Injector):
    """Register the injector's handlers on every client; returns a function that removes them."""
    registered = []
    for client in clients():
        events = client.meta.events
        for event, handler, uid in (("before-call.dynamodb", injector.before_call, "fault-before-call"),
                                    ("before-send.dynamodb", injector.before_send, "fault-before-send"),
                                    ("after-call.dynamodb", injector.after_call, "fault-after-call")):
            events.register(event, handler, unique_id=uid)
            registered.append((events, event, uid))

    def uninstall():
        for events, event, uid in registered:
            events.unregister(event, unique_id=uid)

    return uninstall
