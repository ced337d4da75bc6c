"""Routes name their schemas without importing them (chalicelib/http/schema_refs.py, issue 11's cold
start): every name resolves to a pydantic model, `import app` imports no pydantic, a request with a body
imports only its own schema module, and the query vocabularies that moved to the domain tuples agree
with the schemas' Literal types."""
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

import app  # noqa: F401  (registers every route)
from chalicelib.http import schema_refs
from chalicelib.http.api import ROUTES
from chalicelib.logic import issue_status
from chalicelib.services.routines import routines
from chalicelib.services.runtime import heartbeats

ROOT = Path(__file__).resolve().parents[2]


def _is_model(annotation) -> bool:
    if typing.get_origin(annotation) is list:
        return _is_model(typing.get_args(annotation)[0])
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def test_every_route_schema_resolves_to_a_model():
    named = 0
    for spec in ROUTES:
        for annotation in (spec.body_schema, spec.response_schema):
            if annotation is None:
                continue
            named += 1
            assert _is_model(schema_refs.resolve(annotation)), f"{spec.method} {spec.path}: {annotation!r}"
        if spec.body_schema is not None:
            assert isinstance(spec.body, type) and issubclass(spec.body, BaseModel)
    assert named > 100  # most routes document a response, many take a body


def test_a_misspelt_schema_name_fails_when_resolved():
    ref = schema_refs.SchemaModule("issues").IssueCreat
    with pytest.raises(LookupError, match="IssueCreat"):
        ref.resolve()
    assert schema_refs.resolve(list[schema_refs.SchemaModule("issues").IssueOut]).__args__[0].__name__ == "IssueOut"
    with pytest.raises(AttributeError):
        schema_refs.SchemaModule("issues")._private  # noqa: B018


def _run(code: str, auth_mode: str = "local_trusted") -> str:
    env = {"PATH": "/usr/bin:/bin", "PAPERCLIP_STAGE": "test", "AUTH_MODE": auth_mode,
           "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_import_app_imports_no_pydantic_and_a_body_imports_only_its_schema_module():
    out = _run(
        "import sys, app\n"
        "from chalicelib.http.api import ROUTES\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')"
        " or m.startswith('chalicelib.http.schemas.')))\n"
        "spec = next(s for s in ROUTES if s.method == 'POST' and s.path == '/companies/{companyId}/goals')\n"
        "spec.body\n"
        "print('pydantic' in sys.modules, sorted(m for m in sys.modules if m.startswith('chalicelib.http.schemas.')))\n")
    before, after = out.splitlines()
    assert before == "[]"
    # org.py's models, and base.py they are built on; not the issues', routines' or runtime's
    assert after == "True ['chalicelib.http.schemas.base', 'chalicelib.http.schemas.org']"


def test_a_request_without_a_body_goes_through_the_route_wrapper_without_pydantic():
    # No credential: the wrapper resolves the principal (401) without any AWS call.
    out = _run(
        "import json, sys, app\n"
        "event = {'resource': '/api/companies', 'path': '/api/companies', 'httpMethod': 'GET', 'headers': {},\n"
        "         'multiValueHeaders': {}, 'queryStringParameters': None, 'multiValueQueryStringParameters': None,\n"
        "         'pathParameters': None, 'stageVariables': None, 'body': None, 'isBase64Encoded': False,\n"
        "         'requestContext': {'resourcePath': '/api/companies', 'httpMethod': 'GET', 'requestId': 'r1',\n"
        "                            'identity': {'sourceIp': '127.0.0.1'}}}\n"
        "response = app.app(event, None)\n"
        "print(response['statusCode'], json.loads(response['body'])['error'], 'pydantic' in sys.modules)\n",
        auth_mode="authenticated")
    status, *_, imported = out.splitlines()[-1].split()  # the request's log line comes first
    assert (status, imported) == ("401", "False"), out


def test_query_vocabularies_match_the_schemas():
    from chalicelib.http.schemas.issues import IssueStatus
    from chalicelib.http.schemas.routines import RoutineStatus
    from chalicelib.http.schemas.runtime import RunStatus

    assert typing.get_args(IssueStatus) == issue_status.STATUSES
    assert typing.get_args(RoutineStatus) == routines.STATUSES
    assert typing.get_args(RunStatus) == heartbeats.STATUSES
