"""References to entities of another company (SPEC §1, issue #10).

An issue, routine, project or agent may point only at entities of its own company. When a request
names one of another company, the answer must not tell the caller more than it may know: if it can
see that company (an instance admin, a member of both) the reference is a 422 naming the field; if it
cannot, the entity is answered as missing (404), exactly as an id that does not exist. Either way the
details repeat what the caller sent, never an id it did not send (a parent named by identifier is
not echoed back as the other company's UUID).
"""
from __future__ import annotations

from chalicelib.errors import NotFound, Unprocessable
from chalicelib.services.access.principals import Principal


def require_same_company(principal: Principal | None, entity_company_id: str, company_id: str, field: str,
                         given: str, label: str) -> None:
    """`principal` None: an internal caller (the scheduler), which may know."""
    if entity_company_id == company_id:
        return
    if principal is None or principal.can_access_company(entity_company_id):
        raise Unprocessable(f"{field} must reference an entity of the same company", {field: given})
    raise NotFound(f"{label} not found", {field: given})
