"""Authorization rules shared by every service.

Two shapes of refusal, as SPEC §1 demands: an entity read by id from a company the caller cannot see is
404 (existence never leaks); a company-scoped path of another company is 403.
"""
from __future__ import annotations

from chalicelib.errors import Forbidden, NotFound
from chalicelib.services.access.principals import Principal


def require_company_path(principal: Principal, company_id: str) -> None:
    """For /api/companies/{companyId}/... paths."""
    if not principal.can_access_company(company_id):
        raise Forbidden("You do not have access to this company")


def require_visible(principal: Principal, company_id: str | None, what: str) -> None:
    """For reads and writes by entity id: invisible entities look exactly like missing ones."""
    if not principal.can_access_company(company_id):
        raise NotFound(f"{what} not found")


def require_board(principal: Principal, action: str = "perform this action") -> None:
    if not principal.is_board:
        raise Forbidden(f"Only board users may {action}")


def require_instance_admin(principal: Principal) -> None:
    if not principal.is_instance_admin:
        raise Forbidden("Instance admin access required")


def require_permission(principal: Principal, company_id: str, permission: str) -> None:
    if principal.is_board and not principal.has_permission(company_id, permission):
        raise Forbidden(f"Missing permission: {permission}", {"permission": permission})
