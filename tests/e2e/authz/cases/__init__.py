"""One request per route for the authorization matrix, by domain (one module each, so engineers
adding routes in different areas do not edit the same file): `CASES[(method, path)](world, actor)` builds a
request that succeeds for a caller the permission table allows. Targets belong to Alice, so for SELF
rules Alice (agent_self) acts on her own and Bob (agent_other) on someone else's.

A route without a case fails the matrix test by name: adding a route means adding its case in the
module of its domain.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from tests.e2e.authz.world import Actor, AuthzWorld


@dataclass
class Req:
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None  # default: the actor's
    raw: bytes | None = None
    success: int | None = None  # default: the route's documented status
    # statuses the contract gives some callers for reasons other than authorization (e.g. SPEC §4's 409
    # for an agent releasing another agent's issue), by variant
    otherwise: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    build: Callable[[AuthzWorld, Actor], Req]
    credential: str = "jwt"  # which credential agent callers use: "jwt" (a running run) or "key"


CASES: dict[tuple[str, str], Case] = {}


def case(method: str, path: str, credential: str = "jwt"):
    def register(fn: Callable[[AuthzWorld, Actor], Req]):
        CASES[(method, path)] = Case(fn, credential)
        return fn
    return register


def _multipart(filename: str = "notes.txt", data: bytes = b"hello") -> tuple[bytes, dict[str, str]]:
    boundary = "authzboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}




def _register_all() -> None:
    from tests.e2e.authz.cases import board_users, issues, org, routines, runtime  # noqa: F401 - they register


_register_all()
