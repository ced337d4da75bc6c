"""Who may do what: ONE table, principal kind × action → what is required (issue #10, SPEC §1–2).

Every route names its action (chalicelib/http/api.py `route(..., action=...)`); the route wrapper
refuses what the table refuses before any read (`precheck`), and services call `authorize` with the
entity's company once they have read it. tests/e2e/authz/ generates the authorization matrix from
this table and the OpenAPI route list, so a route cannot be left out.

Principal kinds (services/access/principals.py): the local board (`local_trusted` mode) and instance
admins may do everything; a **board user** acts in the companies it is a member of, with the
permissions of its membership; an **agent** (API key or run JWT) acts in its own company.

What a rule requires:
- of a board member: `MEMBER` (any membership), a permission key, `INSTANCE_ADMIN`, or `DENY`;
- of an agent: `COMPANY` (any agent of the company), `SELF` (only on itself, or on what is assigned to
  it: the service names the target agent), or `DENY`.

Permission keys are upstream Paperclip's where it has one (`tasks:assign`, `agents:create`,
`agents:configure`, `users:manage_permissions`); `company:manage` is ours (upstream has no key for
changing or deleting a company). The legacy key `agents:manage` of earlier versions counts as both
`agents:create` and `agents:configure` (see `normalize_permissions`).

Refusals follow SPEC §1: outside the caller's companies a company path is 403 and an entity read by
id is 404 (existence never leaks); inside, a missing permission or a kind the rule denies is 403.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from chalicelib.errors import Forbidden, NotFound
from chalicelib.services.access.principals import Principal

# Permission keys a membership may hold.
TASKS_ASSIGN = "tasks:assign"
AGENTS_CREATE = "agents:create"
AGENTS_CONFIGURE = "agents:configure"
COMPANY_MANAGE = "company:manage"
USERS_MANAGE_PERMISSIONS = "users:manage_permissions"
PERMISSIONS = (TASKS_ASSIGN, AGENTS_CREATE, AGENTS_CONFIGURE, COMPANY_MANAGE, USERS_MANAGE_PERMISSIONS)
LEGACY_ALIASES = {"agents:manage": (AGENTS_CREATE, AGENTS_CONFIGURE)}

# What a rule may require.
MEMBER = "member"
INSTANCE_ADMIN = "instance_admin"
DENY = "deny"
COMPANY = "company"
SELF = "self"


@dataclass(frozen=True)
class Rule:
    board: str  # MEMBER | INSTANCE_ADMIN | DENY | a permission key
    agent: str  # COMPANY | SELF | DENY
    scope: str = "company"  # "company": acts inside one company; "instance": no company (users, the company list)
    summary: str = ""


def _r(board: str, agent: str, summary: str, scope: str = "company") -> Rule:
    return Rule(board, agent, scope, summary)


ACTIONS: dict[str, Rule] = {
    # instance
    "company.list": _r(MEMBER, COMPANY, "list the companies one can see", "instance"),
    "company.create": _r(MEMBER, DENY, "create a company (the creator becomes a member with every permission)", "instance"),
    "board_user.create": _r(INSTANCE_ADMIN, DENY, "create board users", "instance"),
    "board_user.manage": _r(INSTANCE_ADMIN, DENY, "list, change and deactivate board users", "instance"),
    "board_user.self": _r(MEMBER, DENY, "one's own board user and tokens (instance admins: anyone's)", "instance"),
    "instance.activity": _r(INSTANCE_ADMIN, DENY, "the instance-level audit log", "instance"),
    "agent.me": _r(DENY, COMPANY, "the calling agent", "instance"),
    # companies
    "company.read": _r(MEMBER, COMPANY, "read a company and its activity"),
    "company.update": _r(COMPANY_MANAGE, DENY, "change a company"),
    "company.delete": _r(COMPANY_MANAGE, DENY, "delete a company"),
    "membership.manage": _r(USERS_MANAGE_PERMISSIONS, DENY, "change board users' memberships in the company"),
    # agents
    "agent.read": _r(MEMBER, COMPANY, "read agents"),
    "agent.create": _r(AGENTS_CREATE, DENY, "create agents"),
    "agent.update": _r(AGENTS_CONFIGURE, SELF, "change an agent (agents: only themselves)"),
    "agent.lifecycle": _r(AGENTS_CONFIGURE, DENY, "pause, resume, terminate or delete an agent"),
    "agent.keys": _r(AGENTS_CONFIGURE, DENY, "create, list and revoke an agent's API keys"),
    "agent.wakeup": _r(MEMBER, SELF, "ask for an agent to be woken (a queued run; agents: only themselves)"),
    # heartbeat runs
    "heartbeat.read": _r(MEMBER, COMPANY, "read heartbeat runs, their events and the runs of issues"),
    "heartbeat.invoke": _r(AGENTS_CONFIGURE, SELF, "start a run, which mints a run token for the agent"),
    "heartbeat.finish": _r(AGENTS_CONFIGURE, SELF, "finish or cancel a run (agents: their own)"),
    "heartbeat.cancel": _r(AGENTS_CONFIGURE, DENY, "cancel a queued or running run as a board operator"),
    # projects and goals
    "planning.read": _r(MEMBER, COMPANY, "read projects and goals"),
    "planning.write": _r(MEMBER, COMPANY, "create and change projects and goals"),
    "planning.delete": _r(COMPANY_MANAGE, DENY, "delete projects and goals"),
    # issues
    "issue.read": _r(MEMBER, COMPANY, "read issues, comments, documents and attachments"),
    "issue.write": _r(MEMBER, COMPANY, "create and change issues, comment, write documents and attachments"),
    "issue.assign": _r(TASKS_ASSIGN, COMPANY, "assign an issue to an agent (on create, PATCH or board checkout)"),
    "issue.checkout": _r(TASKS_ASSIGN, SELF, "check an issue out for a run (the board: on behalf of an agent)"),
    "issue.release": _r(TASKS_ASSIGN, COMPANY, "release a checked-out issue (agents: only the assignee, else 409)"),
    "issue.delete": _r(MEMBER, COMPANY, "delete an issue (agents: their own or unassigned ones, else 403)"),
    "issue.document_delete": _r(MEMBER, DENY, "delete an issue's documents (their revisions are the record)"),
    # routines
    "routine.read": _r(MEMBER, COMPANY, "read routines, triggers, runs and fire-time previews"),
    "routine.create": _r(TASKS_ASSIGN, SELF, "create a routine (agents: assigned to themselves)"),
    "routine.update": _r(MEMBER, SELF, "change a routine (reassigning or activating also needs issue.assign)"),
    "routine.manage": _r(TASKS_ASSIGN, SELF, "manage triggers and secrets, run a routine"),
}


def rule(action: str) -> Rule:
    return ACTIONS[action]


def normalize_permissions(keys: Iterable[str]) -> frozenset[str]:
    """Stored permission keys with legacy aliases expanded."""
    out: set[str] = set()
    for key in keys or ():
        out.update(LEGACY_ALIASES.get(key, (key,)))
    return frozenset(out)


def precheck(principal: Principal, action: str) -> None:
    """What can be refused from the principal alone, before anything is read: a kind the rule denies,
    or an instance-level rule the caller does not meet. 403."""
    r = ACTIONS[action]
    if principal.is_agent:
        if r.agent == DENY:
            raise Forbidden(f"Agents may not {r.summary}", {"action": action})
        return
    if r.board == DENY:  # a kind-level refusal: instance admins are board principals too
        raise Forbidden(f"Board users may not {r.summary}", {"action": action})
    if principal.is_instance_admin:
        return
    if r.scope == "instance" and r.board == INSTANCE_ADMIN:
        raise Forbidden("Instance admin access required", {"action": action})


def authorize(principal: Principal, action: str, company_id: str | None, *, by_id: bool = True,
              what: str = "Entity", target_agent_id: str | None = None) -> None:
    """Refuse `action` on something of `company_id` unless the table allows it.

    `by_id`: the entity was named by id (not a /companies/{companyId}/… path), so a company the caller
    cannot see is 404 "{what} not found" rather than 403. `target_agent_id`: for SELF rules, the agent
    the action is about (itself, or the assignee of the routine or issue); agents acting on anything
    else get 403.
    """
    r = ACTIONS[action]
    if not principal.can_access_company(company_id):
        if by_id:
            raise NotFound(f"{what} not found")
        raise Forbidden("You do not have access to this company")
    precheck(principal, action)
    if principal.is_agent:
        if r.agent == SELF and target_agent_id != principal.id:
            raise Forbidden(f"Agents may only {r.summary.split(' (')[0]} for themselves", {"action": action})
        return
    if principal.is_instance_admin or r.board == MEMBER:
        return
    if r.board == INSTANCE_ADMIN or not principal.has_permission(company_id, r.board):
        raise Forbidden(f"Missing permission: {r.board}", {"permission": r.board, "action": action})


def allowed(principal: Principal, action: str, company_id: str | None, *, target_agent_id: str | None = None) -> bool:
    """Whether `authorize` would let the call through (for decisions that refuse later, or not at all)."""
    try:
        authorize(principal, action, company_id, target_agent_id=target_agent_id)
        return True
    except (Forbidden, NotFound):
        return False
