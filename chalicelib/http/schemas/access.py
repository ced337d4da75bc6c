"""Schemas for board users, their tokens and company memberships (SPEC §2, issue #10)."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from chalicelib.http.schemas.base import Id, RequestBody, ResponseBody, Timestamp, not_null, text

# services/access/permissions.py PERMISSIONS, plus the legacy alias it expands
PermissionKey = Literal["tasks:assign", "agents:create", "agents:configure", "company:manage", "users:manage_permissions",
                        "agents:manage"]
UserStatus = Literal["active", "deactivated"]


class BoardUserCreate(RequestBody):
    name: text(1, 200, strip=True)
    email: Optional[text(0, 320)] = None
    is_instance_admin: bool = False
    memberships: dict[Id, list[PermissionKey]] = Field(
        default_factory=dict, description="companyId -> permissions (agents:manage is the legacy name of "
                                          "agents:create + agents:configure)"
    )


class BoardUserUpdate(RequestBody):
    name: text(1, 200, strip=True) = not_null()
    email: Optional[text(0, 320)] = None
    is_instance_admin: bool = not_null()
    status: UserStatus = not_null("deactivated: every token of the user stops working at once")


class BoardUserOut(ResponseBody):
    id: str
    name: str
    email: Optional[str]
    is_instance_admin: bool
    status: UserStatus
    memberships: dict[str, list[str]]
    created_at: Optional[Timestamp]
    updated_at: Optional[Timestamp]


class BoardUserCreated(BoardUserOut):
    token: str


class MembershipPut(RequestBody):
    permissions: list[PermissionKey] = Field(max_length=10, description="the member's permissions in the company")


class BoardTokenCreate(RequestBody):
    name: Optional[text(0, 100)] = None


class BoardTokenOut(ResponseBody):
    id: str
    name: Optional[str]
    created_at: Timestamp
    last_used_at: Optional[Timestamp]
    revoked_at: Optional[Timestamp]


class BoardTokenCreated(BoardTokenOut):
    token: str = Field(description="shown once; stored only as its SHA-256")
