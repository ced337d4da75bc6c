"""What an `{agentId}` path segment names (upstream `router.param("id")`, validators.md §9.5): an id,
or the url key ("shortname") of a live agent of a company.

- UUID-like (any version, either case) → that id, whatever `companyId` says.
- Otherwise the company is `?companyId=` (the caller must be in it: 403) or, for an agent, its own;
  a board caller without one → 422 `Agent shortname lookup requires companyId query parameter`.
- The url key (`normalizeAgentUrlKey` of the reference) of a live agent of that company → its id, with
  one read of the guarded key; none → 404 `Agent not found`. A percent-encoded reference (`Bob%20Builder`)
  is decoded first. Url keys are unique among live agents
  (agents.py), so upstream's 409 for an ambiguous shortname cannot happen here.
"""
from __future__ import annotations

from urllib.parse import unquote

from chalicelib.errors import Forbidden, NotFound, Unprocessable
from chalicelib.logic import agent_url_key
from chalicelib.services.access.principals import Principal
from chalicelib.store.uniques import UniqueKey, agent_url_key as url_key_item


def resolve(principal: Principal, ref: str, company_id: str | None = None) -> str:
    if agent_url_key.is_uuid_like(ref):
        return ref.strip().lower()
    company = company_id or (principal.company_id if principal.is_agent else None)
    if not company:
        raise Unprocessable("Agent shortname lookup requires companyId query parameter", {"agentId": ref})
    if not principal.can_access_company(company):
        raise Forbidden("You do not have access to this company")
    # API Gateway decodes path parameters, `chalice local` does not: the CLI sends encodeURIComponent(name).
    key = agent_url_key.normalize(unquote(ref))
    if key is None:
        raise NotFound("Agent not found")
    try:
        item = UniqueKey.get(url_key_item(company, key), consistent_read=True)
    except UniqueKey.DoesNotExist:
        raise NotFound("Agent not found")
    if not item.ref:
        raise NotFound("Agent not found")
    return item.ref
