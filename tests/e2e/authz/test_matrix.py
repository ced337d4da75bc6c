"""The authorization matrix, generated (issue #10): every route of the served OpenAPI document ×
(instance admin, board user outside the company, member with the permission the action requires,
member with every permission but that one, the agent the action is about, another agent of the
company, an agent of another company) → the status the permission table documents.

The expected status comes from services/access/permissions.py alone; the requests come from
cases/ (one module per domain). A route the table or the cases do not know fails here by name.
"""
from __future__ import annotations

import pytest

from chalicelib.services.access import permissions as p
from tests.e2e.authz.cases import CASES, Req
from tests.e2e.authz.world import actor, build_world

VARIANTS = ("admin", "outsider", "member_with", "member_without", "agent_self", "agent_other", "agent_foreign")


def _routes():
    import app  # noqa: F401 - registers every route
    from chalicelib.http.api import ROUTES

    return [r for r in ROUTES if not r.public]


def _documented_routes() -> set[tuple[str, str]]:
    from chalicelib.http.openapi import document

    return {(method.upper(), path.removeprefix("/api")) for path, ops in document()["paths"].items() for method in ops}


def expected_status(rule: p.Rule, path: str, variant: str, success: int) -> int:
    company_path = path.startswith("/companies/{companyId}/")
    by_id = rule.scope == "company" and not company_path
    unseen = 403 if company_path else 404  # SPEC §1: another company's path 403, its entity by id 404
    if variant.startswith("agent_"):
        if rule.agent == p.DENY:
            return 403  # refused for the kind, before anything is read
        if variant == "agent_foreign" and rule.scope == "company":
            return unseen
        if variant == "agent_other" and rule.agent == p.SELF:
            return 403
        return success
    if rule.board == p.DENY:
        return 403
    if variant == "admin":
        return success
    if rule.board == p.INSTANCE_ADMIN:
        return 403
    if variant == "outsider" and (company_path or by_id):
        return unseen
    if variant == "member_without" and rule.board not in (p.MEMBER,):
        return 403 if rule.scope == "company" else success
    return success


def test_every_route_names_an_action_and_has_a_case():
    routes = {(r.method, r.path): r for r in _routes()}
    assert set(routes) <= _documented_routes()
    assert sorted(k for k, r in routes.items() if r.action not in p.ACTIONS) == []
    assert sorted(set(routes) - set(CASES)) == [], "add a case under tests/e2e/authz/cases/"
    assert sorted(set(CASES) - set(routes)) == [], "a case for a route that no longer exists"


def test_expected_statuses_follow_the_table():
    """The generator itself, on rules whose outcome SPEC §1 fixes."""
    rule = p.Rule(p.TASKS_ASSIGN, p.SELF)
    assert [expected_status(rule, "/routines/{routineId}/run", v, 202) for v in VARIANTS] == \
        [202, 404, 202, 403, 202, 403, 404]
    assert [expected_status(rule, "/companies/{companyId}/routines", v, 201) for v in VARIANTS] == \
        [201, 403, 201, 403, 201, 403, 403]
    deny_agents = p.Rule(p.MEMBER, p.DENY)
    assert [expected_status(deny_agents, "/attachments/{id}", v, 204) for v in VARIANTS] == \
        [204, 404, 204, 204, 403, 403, 403]


@pytest.mark.parametrize("route_key", sorted(CASES), ids=lambda k: f"{k[0]} {k[1]}")
def test_authorization_matrix(api, clock, route_key):
    spec = next(r for r in _routes() if (r.method, r.path) == route_key)
    rule = p.ACTIONS[spec.action]
    case = CASES[route_key]
    world = build_world(api, clock)
    permission = rule.board if rule.board in p.PERMISSIONS else None
    mismatches = []
    for variant in VARIANTS:
        who = actor(world, variant, permission, p.PERMISSIONS, case.credential)
        req: Req = case.build(world, who)
        success = req.success or spec.status
        want = req.otherwise.get(variant) or expected_status(rule, spec.path, variant, success)
        r = api.call(spec.method, req.path, req.body, token=req.token or who.token, headers=req.headers,
                     raw=req.raw)
        if r.status != want:
            mismatches.append(f"{variant}: {r.status} (want {want}) {r.body[:160]!r}")
    assert mismatches == [], f"{spec.method} {spec.path} [{spec.action}]"
