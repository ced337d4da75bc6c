"""Board users and their tokens. The first one of a stage comes from tools/admin.py."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import Unprocessable
from chalicelib.ids import is_uuid, new_board_token, new_id, token_hash
from chalicelib.services.access import permissions
from chalicelib.services.access.auth import memberships_of
from chalicelib.services.access.principals import Principal
from chalicelib.store.companies import Company
from chalicelib.store.identity import BoardUser, Credential
from chalicelib.store.transactions import Transaction


def create(principal: Principal | None, data: dict[str, Any], now: datetime) -> tuple[BoardUser, str]:
    """principal None means the admin command, which runs with AWS credentials instead of a token."""
    if principal is not None:
        permissions.precheck(principal, "board_user.create")
    memberships = data.get("memberships") or {}
    unknown = [cid for cid in memberships if not is_uuid(cid)]
    known = {c.id for c in Company.batch_get([c for c in memberships if is_uuid(c)])} if memberships else set()
    unknown += [cid for cid in memberships if is_uuid(cid) and cid not in known]
    if unknown:
        raise Unprocessable("Unknown companies in memberships", {"memberships": unknown})
    stamp = iso(now)
    user = BoardUser(
        id=new_id(),
        name=data["name"],
        email=data.get("email"),
        is_instance_admin=bool(data.get("isInstanceAdmin")),
        memberships={cid: sorted(set(perms)) for cid, perms in memberships.items()},
        created_at=stamp,
    )
    token = new_board_token()
    credential = Credential(token_hash=token_hash(token), id=new_id(), kind="board", owner_id=user.id, name="initial", created_at=stamp)
    tx = Transaction()
    tx.save(user, condition=BoardUser.id.does_not_exist())
    tx.save(credential, condition=Credential.token_hash.does_not_exist())
    tx.commit()
    return user, token


def to_json(user: BoardUser, token: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "isInstanceAdmin": bool(user.is_instance_admin),
        "memberships": {cid: sorted(perms) for cid, perms in memberships_of(user).items()},
        "token": token,
        "createdAt": user.created_at,
    }
