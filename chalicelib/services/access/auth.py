"""Verifying bearer credentials: board tokens, agent API keys and run JWTs (SPEC §2)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.clock import iso
from chalicelib.config import jwt_secret, settings
from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.ids import is_uuid, token_hash
from chalicelib.services.access.permissions import normalize_permissions
from chalicelib.services.access.principals import Principal
from chalicelib.store.agents import Agent
from chalicelib.store.heartbeats import HeartbeatRun
from chalicelib.store.identity import BoardUser, Credential
from chalicelib.store.reads import get_many

JWT_ISSUER = "paperclip"
JWT_AUDIENCE = "paperclip-api"
JWT_ALGORITHM = "HS256"  # pinned: tokens naming any other algorithm, "none" included, are refused
BLOCKED_AGENT_STATUSES = ("terminated", "pending_approval")
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one last_used_at write per key per minute


def authenticate(token: str, run_id_header: str | None, now: datetime, *, reading: bool = False) -> Principal:
    """The principal a bearer token names, with the heartbeat run of `X-Paperclip-Run-Id` (SPEC §2 as
    issue 14 rewrote it; docs/compatibility.md "Run id"):

    - `reading` (GET): the header is ignored, and no run is read;
    - board tokens: the header is ignored;
    - agent keys: a header naming a run of this agent makes it the call's run; one naming no run (not
      a UUID, or no such run: paperclip-mcp sends a fresh random id on every request) is no run, so
      run-scoped actions then answer "Agent run id required"; one naming ANOTHER agent's run is 403:
      work is never attributed to another agent's run;
    - run JWTs: the token's run; a header naming another run is 403 (upstream: 422).
    """
    if reading:
        run_id_header = None
    if token.startswith(("pcb_", "pcp_")):
        return _authenticate_stored_token(token, run_id_header, now)
    return _authenticate_run_jwt(token, run_id_header, now)


def _authenticate_stored_token(token: str, run_id_header: str | None, now: datetime) -> Principal:
    try:
        credential = Credential.get(token_hash(token), consistent_read=True)
    except Credential.DoesNotExist:
        raise Unauthorized("Invalid token")
    if credential.revoked_at:
        raise Unauthorized("Token revoked")
    _touch(credential, now)
    if credential.kind == "board":
        try:
            user = BoardUser.get(credential.owner_id, consistent_read=True)
        except BoardUser.DoesNotExist:
            raise Unauthorized("Invalid token")
        if user.status == "deactivated":
            raise Unauthorized("User deactivated")
        return Principal(
            kind="board",
            id=user.id,
            is_instance_admin=bool(user.is_instance_admin),
            memberships=memberships_of(user),
            credential="board_token",
        )
    if not run_id_header or not is_uuid(run_id_header):  # names no run: nothing to read
        agent = _active_agent(credential.owner_id)
        return Principal(kind="agent", id=agent.id, company_id=agent.company_id, credential="agent_key")
    # The agent and the named run in one request (an agent key with a run id is the checkout path).
    found = get_many([(Agent, credential.owner_id), (HeartbeatRun, run_id_header)])
    agent = _usable_agent(found[(Agent, credential.owner_id)])
    run = found[(HeartbeatRun, run_id_header)]
    if run is None:
        return Principal(kind="agent", id=agent.id, company_id=agent.company_id, credential="agent_key")
    if run.agent_id != agent.id:
        raise Forbidden("Run id belongs to another agent", {"X-Paperclip-Run-Id": run_id_header})
    return Principal(kind="agent", id=agent.id, company_id=agent.company_id, run_id=run.id, credential="agent_key")


def _authenticate_run_jwt(token: str, run_id_header: str | None, now: datetime) -> Principal:
    import jwt  # on first use: PyJWT imports `cryptography` (~100 ms), which most cold starts never need

    try:
        claims = jwt.decode(
            token,
            jwt_secret(),
            algorithms=[JWT_ALGORITHM],
            audience=JWT_AUDIENCE,
            issuer=JWT_ISSUER,
            # Expiry is checked below against the injected clock, not the machine's.
            options={"require": ["exp", "iat", "sub", "iss", "aud"], "verify_exp": False},
        )
    except jwt.PyJWTError:
        raise Unauthorized("Invalid token")
    exp, sub, company_id, run_id = (claims.get(k) for k in ("exp", "sub", "company_id", "run_id"))
    if not isinstance(exp, (int, float)) or now.timestamp() >= exp:
        raise Unauthorized("Token expired")
    if not all(isinstance(v, str) and v for v in (sub, company_id, run_id)):
        raise Unauthorized("Invalid token")
    agent = _active_agent(sub)
    if agent.company_id != company_id:
        raise Unauthorized("Invalid token")
    if run_id_header and run_id_header != run_id:
        raise Forbidden("X-Paperclip-Run-Id does not match the run token")
    return Principal(kind="agent", id=agent.id, company_id=agent.company_id, run_id=run_id, credential="run_jwt")


def memberships_of(user: BoardUser) -> dict[str, frozenset[str]]:
    raw = user.memberships
    raw = raw.as_dict() if hasattr(raw, "as_dict") else (raw or {})
    return {company_id: normalize_permissions(perms or []) for company_id, perms in raw.items()}


def _active_agent(agent_id: str) -> Agent:
    """The agent, read for what authentication needs only (its config can be tens of KiB)."""
    try:
        return _usable_agent(Agent.get(agent_id, attributes_to_get=["id", "company_id", "status"]))
    except Agent.DoesNotExist:
        raise Unauthorized("Invalid token")


def _usable_agent(agent: Agent | None) -> Agent:
    if agent is None:
        raise Unauthorized("Invalid token")
    if agent.status in BLOCKED_AGENT_STATUSES:
        raise Unauthorized(f"Agent is {agent.status}")
    return agent


def _touch(credential: Credential, now: datetime) -> None:
    """Record last use, at most once a minute, so authentication stays read-only on the hot path."""
    if credential.last_used_at and credential.last_used_at > iso(now - LAST_USED_RESOLUTION):
        return
    try:
        credential.update(
            actions=[Credential.last_used_at.set(iso(now))],
            condition=Credential.token_hash.exists(),
        )
    except UpdateError:  # a lost timestamp is not worth failing the request over
        pass


def mint_run_token(agent_id: str, company_id: str, run_id: str, now: datetime, expires_at: datetime) -> str:
    claims: dict[str, Any] = {
        "sub": agent_id,
        "company_id": company_id,
        "run_id": run_id,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "iss": JWT_ISSUER,
        "aud": JWT_AUDIENCE,
    }
    import jwt  # on first use, as in _authenticate_run_jwt

    return jwt.encode(claims, jwt_secret(), algorithm=JWT_ALGORITHM)


def run_token_ttl() -> timedelta:
    return timedelta(seconds=settings().run_token_ttl_sec)
