"""Board users, their company memberships and their API tokens (SPEC §2, issue #10).

The first board user of a stage comes from tools/admin.py (AWS credentials, no token); instance
admins create the others (POST /api/board-users). Lifecycle, all audited in the instance log
(GET /api/instance/activity) and, for memberships, in the company's log too:

- tokens: a board user lists, creates (shown once) and revokes its own tokens; instance admins anyone's.
  Authentication reads the credential consistently, so a revocation is effective on the next request.
- users: instance admins list users and change their name, e-mail, admin flag and status;
  `deactivated` stops every token of the user at once. Nobody deactivates or demotes themselves
  (the last way back in would be tools/admin.py).
- memberships: instance admins, or members holding `users:manage_permissions` in that company, set
  or remove a user's membership and permissions in the company.

Every write is an UpdateItem of what changes (or a guarded create), never a save of an item read.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.ids import is_uuid, new_board_token, new_id, token_hash
from chalicelib.services import activity
from chalicelib.services.access import permissions
from chalicelib.services.access.auth import memberships_of
from chalicelib.services.access.permissions import authorize
from chalicelib.services.access.principals import LOCAL_BOARD_ID, Principal
from chalicelib.store.companies import Company
from chalicelib.store.identity import DIRECTORY, BoardUser, Credential
from chalicelib.store.pages import Page, query_page
from chalicelib.store.transactions import Transaction, TransactionConflict

INSTANCE = activity.INSTANCE_LOG  # the activity partition of instance-level events
STATUSES = ("active", "deactivated")


# --- users ------------------------------------------------------------------------------------------

def create(principal: Principal | None, data: dict[str, Any], now: datetime) -> tuple[BoardUser, str]:
    """principal None means the admin command, which runs with AWS credentials instead of a token."""
    if principal is not None:
        permissions.precheck(principal, "board_user.create")
    memberships = {cid: sorted(permissions.normalize_permissions(perms)) for cid, perms in
                   (data.get("memberships") or {}).items()}
    _require_companies(list(memberships))
    stamp = iso(now)
    user = BoardUser(
        id=new_id(), directory=DIRECTORY, name=data["name"], email=data.get("email"),
        is_instance_admin=bool(data.get("isInstanceAdmin")), status="active", memberships=memberships,
        created_at=stamp, updated_at=stamp,
    )
    token = new_board_token()
    credential = _credential(user.id, token, "initial", stamp)
    tx = Transaction()
    tx.save(user, condition=BoardUser.id.does_not_exist())
    tx.save(credential, condition=Credential.token_hash.does_not_exist())
    tx.save(activity.entry(principal, INSTANCE, "board_user.created", "board_user", user.id, now,
                           {"name": user.name, "isInstanceAdmin": user.is_instance_admin,
                            "memberships": memberships}))
    tx.commit()
    return user, token


def _require_companies(company_ids: list[str]) -> None:
    unknown = [cid for cid in company_ids if not is_uuid(cid)]
    known = {c.id for c in Company.batch_get([c for c in company_ids if is_uuid(c)])} if company_ids else set()
    unknown += [cid for cid in company_ids if is_uuid(cid) and cid not in known]
    if unknown:
        raise Unprocessable("Unknown companies in memberships", {"memberships": unknown})


def find(user_id: str) -> BoardUser:
    if not is_uuid(user_id or ""):
        raise NotFound("Board user not found")
    try:
        return BoardUser.get(user_id, consistent_read=True)
    except BoardUser.DoesNotExist:
        raise NotFound("Board user not found")


def me(principal: Principal) -> dict[str, Any]:
    permissions.precheck(principal, "board_user.self")
    if principal.kind == "local_board":  # local_trusted mode: no stored user
        return {"id": LOCAL_BOARD_ID, "name": "Local board", "email": None, "isInstanceAdmin": True,
                "status": "active", "memberships": {}, "createdAt": None, "updatedAt": None}
    return to_json(find(principal.id))


def list_users(principal: Principal, limit: int, cursor: str | None) -> Page:
    permissions.precheck(principal, "board_user.manage")
    return query_page(BoardUser.by_directory, DIRECTORY, limit=limit, cursor=cursor)


def update(principal: Principal, user_id: str, data: dict[str, Any], now: datetime) -> BoardUser:
    permissions.precheck(principal, "board_user.manage")
    user = find(user_id)
    if user.id == principal.id and (data.get("status") == "deactivated" or data.get("isInstanceAdmin") is False):
        raise Conflict("You cannot deactivate or demote yourself", {"userId": user.id})
    fields = {"name": "name", "email": "email", "isInstanceAdmin": "is_instance_admin", "status": "status"}
    changes = {attr: data[key] for key, attr in fields.items() if key in data and data[key] != getattr(user, attr)}
    if not changes:
        return user
    stamp = iso(now)
    actions = [getattr(BoardUser, a).set(v) if v is not None else getattr(BoardUser, a).remove()
               for a, v in changes.items()] + [BoardUser.updated_at.set(stamp)]
    tx = Transaction()
    tx.update(BoardUser(id=user.id), actions=actions, condition=BoardUser.id.exists())
    action = {"deactivated": "board_user.deactivated", "active": "board_user.reactivated"}.get(
        changes.get("status"), "board_user.updated")
    tx.save(activity.entry(principal, INSTANCE, action, "board_user", user.id, now, {"fields": sorted(data)}))
    tx.commit()
    return find(user.id)


# --- memberships ------------------------------------------------------------------------------------

def set_membership(principal: Principal, company_id: str, user_id: str, perms: list[str] | None,
                   now: datetime) -> BoardUser:
    """perms None removes the membership."""
    authorize(principal, "membership.manage", company_id, by_id=False)
    if not _company_exists(company_id):
        raise NotFound("Company not found")
    user = find(user_id)
    stamp = iso(now)
    tx = Transaction()
    if perms is None:
        if company_id not in memberships_of(user):
            raise NotFound("Membership not found", {"companyId": company_id})
        action, update = "membership.removed", BoardUser.memberships[company_id].remove()
    else:
        normalized = sorted(permissions.normalize_permissions(perms))
        action, update = "membership.set", BoardUser.memberships[company_id].set(normalized)
    tx.update(BoardUser(id=user.id), actions=[update, BoardUser.updated_at.set(stamp)], condition=BoardUser.id.exists())
    details = {"userId": user.id, "permissions": None if perms is None else sorted(set(perms))}
    tx.save(activity.entry(principal, company_id, action, "board_user", user.id, now, details))
    tx.save(activity.entry(principal, INSTANCE, action, "board_user", user.id, now, {**details, "companyId": company_id}))
    tx.commit()
    return find(user.id)


def _company_exists(company_id: str) -> bool:
    try:
        Company.get(company_id)
        return True
    except Company.DoesNotExist:
        return False


# --- tokens -----------------------------------------------------------------------------------------

def _self_or_admin(principal: Principal, user_id: str) -> BoardUser:
    permissions.precheck(principal, "board_user.self")
    if principal.kind == "local_board" and user_id == LOCAL_BOARD_ID:
        raise NotFound("The local board has no tokens: it is the absence of one (local_trusted mode)")
    if user_id != principal.id and not principal.is_instance_admin:
        raise NotFound("Board user not found")  # others' existence is not for members to learn
    return find(user_id)


def list_tokens(principal: Principal, user_id: str) -> list[Credential]:
    user = _self_or_admin(principal, user_id)
    return [c for c in Credential.by_owner.query(user.id) if c.kind == "board"]


def create_token(principal: Principal, user_id: str, name: str | None, now: datetime) -> tuple[Credential, str]:
    user = _self_or_admin(principal, user_id)
    if user.status == "deactivated":
        raise Conflict("The user is deactivated", {"userId": user.id})
    token = new_board_token()
    credential = _credential(user.id, token, name, iso(now))
    tx = Transaction()
    tx.save(credential, condition=Credential.token_hash.does_not_exist())
    tx.check(BoardUser, user.id, condition=BoardUser.status != "deactivated", tag="user")
    tx.save(activity.entry(principal, INSTANCE, "board_token.created", "board_user", user.id, now,
                           {"tokenId": credential.id, "name": name}))
    try:
        tx.commit()
    except TransactionConflict:
        raise Conflict("The user is deactivated", {"userId": user.id})
    return credential, token


def revoke_token(principal: Principal, user_id: str, token_id: str, now: datetime) -> None:
    user = _self_or_admin(principal, user_id)
    matches = [c for c in Credential.by_owner.query(user.id, filter_condition=Credential.id == token_id)
               if c.kind == "board"]
    if not matches:
        raise NotFound("Token not found")
    credential = matches[0]
    tx = Transaction()
    tx.update(Credential(token_hash=credential.token_hash),
              actions=[Credential.revoked_at.set(credential.revoked_at or iso(now))],
              condition=Credential.token_hash.exists())
    tx.save(activity.entry(principal, INSTANCE, "board_token.revoked", "board_user", user.id, now,
                           {"tokenId": token_id}))
    tx.commit()


def _credential(user_id: str, token: str, name: str | None, stamp: str) -> Credential:
    return Credential(token_hash=token_hash(token), id=new_id(), kind="board", owner_id=user_id, name=name,
                      created_at=stamp)


# --- JSON -------------------------------------------------------------------------------------------

def to_json(user: BoardUser, token: str | None = None) -> dict[str, Any]:
    body = {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "isInstanceAdmin": bool(user.is_instance_admin),
        "status": user.status or "active",
        "memberships": {cid: sorted(perms) for cid, perms in memberships_of(user).items()},
        "createdAt": user.created_at,
        "updatedAt": user.updated_at or user.created_at,
    }
    if token is not None:
        body["token"] = token
    return body


def token_json(credential: Credential, token: str | None = None) -> dict[str, Any]:
    body = {"id": credential.id, "name": credential.name, "createdAt": credential.created_at,
            "lastUsedAt": credential.last_used_at, "revokedAt": credential.revoked_at}
    if token is not None:
        body["token"] = token
    return body
