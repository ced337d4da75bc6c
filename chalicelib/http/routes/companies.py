from chalice import Blueprint

from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, limit, one_of, page_reply, param
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.services import activity
from chalicelib.services.org import companies, company_deletion

bp = Blueprint(__name__)
schemas = SchemaModule("org")  # chalicelib/http/schemas/org.py, imported on first use
TAG = "Companies"


@route(bp, "/companies", "POST", action="company.create", summary="Create a company", tag=TAG,
       body=schemas.CompanyCreate, response=schemas.CompanyOut, status=201)
def create_company(ctx: RequestContext):
    return companies.to_json(companies.create(ctx.principal, ctx.body, ctx.now))


@route(bp, "/companies", "GET", action="company.list", summary="List the companies the caller can see", tag=TAG,
       response=list[schemas.CompanyOut],
       query={"scope": param("accessible (upstream's only value; what this list always is)", enum=["accessible"]), **PAGING})
def list_companies(ctx: RequestContext):
    companies.check_scope(ctx.query.get("scope"))
    page = companies.list_visible(ctx.principal, limit(ctx), ctx.query.get("cursor"))
    return page_reply(page, companies.to_json)


@route(bp, "/companies/{companyId}", "GET", action="company.read", summary="Get a company", tag=TAG,
       response=schemas.CompanyOut)
def get_company(ctx: RequestContext, companyId: str):
    return companies.to_json(companies.get(ctx.principal, companyId))


@route(bp, "/companies/{companyId}", "PATCH", action="company.update", summary="Update a company", tag=TAG,
       body=schemas.CompanyUpdate, response=schemas.CompanyOut)
def update_company(ctx: RequestContext, companyId: str):
    return companies.to_json(companies.update(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}", "DELETE", action="company.delete", tag=TAG, response=schemas.CompanyDeleted,
       also_succeeds_with=(202,),
       summary="Delete a company and everything it owns (202: not finished yet, DELETE again to continue)")
def delete_company(ctx: RequestContext, companyId: str):
    body, finished = company_deletion.delete(ctx.principal, companyId, ctx.now)
    return Reply(body=body, status=200 if finished else 202)


@route(
    bp, "/companies/{companyId}/activity", "GET", action="company.read", summary="The company's activity log, newest first", tag=TAG,
    response=list[schemas.ActivityOut],
    query={"agentId": "entries by this agent", "entityType": "entries about entities of this type",
           "entityId": "entries about this entity (with or without entityType)",
           "limit": param("page size (clamped to 1..500, default 100: upstream's)", type="integer"),
           "cursor": PAGING["cursor"]},
)
def list_activity(ctx: RequestContext, companyId: str):
    page = activity.list_for_company(
        ctx.principal,
        companyId,
        agent_id=ctx.query.get("agentId") or None,
        entity_type=ctx.query.get("entityType") or None,
        entity_id=ctx.query.get("entityId") or None,
        limit=limit(ctx, default=100, high=500),
        cursor=ctx.query.get("cursor"),
    )
    return page_reply(companies.require_listable(page, companyId, ctx.query.get("cursor")), activity.to_json)
