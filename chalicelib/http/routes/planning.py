from chalice import Blueprint

from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, limit, page_reply, param
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.services.org import planning, planning_deletion

bp = Blueprint(__name__)
schemas = SchemaModule("org")  # chalicelib/http/schemas/org.py, imported on first use

# `/projects/{projectId}` takes an id or a url key (upstream §9.5); the key is looked up in this company.
BY_URL_KEY = {"companyId": "the company whose project url key {projectId} is (agents: their own by default)"}


@route(bp, "/companies/{companyId}/projects", "POST", action="planning.write",
       summary="Create a project (200: an idempotent repeat)",
       tag="Projects", body=schemas.ProjectCreate, response=schemas.ProjectOut, status=201, also_succeeds_with=(200,))
def create_project(ctx: RequestContext, companyId: str):
    project, created = planning.create_project(ctx.principal, companyId, ctx.body, ctx.now)
    return Reply(body=planning.project_to_json(project), status=201 if created else 200)


@route(bp, "/companies/{companyId}/projects", "GET", action="planning.read",
       summary="List projects (archived ones on request)", tag="Projects",
       response=list[schemas.ProjectOut],
       query={"includeArchived": param("true: archived projects too (default: left out)", enum=["true", "false"]), **PAGING})
def list_projects(ctx: RequestContext, companyId: str):
    include = planning.flag(ctx.query, "includeArchived")
    return page_reply(planning.list_projects(ctx.principal, companyId, include, limit(ctx), ctx.query.get("cursor")),
                      planning.project_to_json)


@route(bp, "/projects/{projectId}", "GET", action="planning.read", summary="Get a project by id or url key", tag="Projects",
       response=schemas.ProjectOut, query=BY_URL_KEY)
def get_project(ctx: RequestContext, projectId: str):
    return planning.project_to_json(planning.resolve_project(ctx.principal, projectId, ctx.query.get("companyId")))


@route(bp, "/projects/{projectId}", "PATCH", action="planning.write", summary="Update a project", tag="Projects",
       body=schemas.ProjectUpdate,
       response=schemas.ProjectOut, query=BY_URL_KEY)
def update_project(ctx: RequestContext, projectId: str):
    project = planning.resolve_project(ctx.principal, projectId, ctx.query.get("companyId"), "planning.write")
    return planning.project_to_json(planning.update_project(ctx.principal, project, ctx.body, ctx.now))


@route(bp, "/projects/{projectId}", "DELETE", action="planning.delete",
       summary="Delete a project (409 while issues or routines use it)",
       tag="Projects", response=schemas.ProjectOut, query=BY_URL_KEY)
def delete_project(ctx: RequestContext, projectId: str):
    project = planning.resolve_project(ctx.principal, projectId, ctx.query.get("companyId"), "planning.delete")
    return planning.project_to_json(planning_deletion.delete_project(ctx.principal, project, ctx.now))


@route(bp, "/companies/{companyId}/goals", "POST", action="planning.write", summary="Create a goal", tag="Goals",
       body=schemas.GoalCreate, response=schemas.GoalOut, status=201)
def create_goal(ctx: RequestContext, companyId: str):
    return planning.goal_to_json(planning.create_goal(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/goals", "GET", action="planning.read", summary="List goals", tag="Goals",
       response=list[schemas.GoalOut], query=PAGING)
def list_goals(ctx: RequestContext, companyId: str):
    return page_reply(planning.list_goals(ctx.principal, companyId, limit(ctx), ctx.query.get("cursor")), planning.goal_to_json)


@route(bp, "/goals/{goalId}", "GET", action="planning.read", summary="Get a goal", tag="Goals", response=schemas.GoalOut)
def get_goal(ctx: RequestContext, goalId: str):
    return planning.goal_to_json(planning.get_goal(ctx.principal, goalId))


@route(bp, "/goals/{goalId}", "PATCH", action="planning.write", summary="Update a goal", tag="Goals",
       body=schemas.GoalUpdate, response=schemas.GoalOut)
def update_goal(ctx: RequestContext, goalId: str):
    return planning.goal_to_json(planning.update_goal(ctx.principal, goalId, ctx.body, ctx.now))


@route(bp, "/goals/{goalId}", "DELETE", action="planning.delete",
       summary="Delete a goal (409 while anything references it)", tag="Goals",
       response=schemas.GoalOut)
def delete_goal(ctx: RequestContext, goalId: str):
    goal = planning.get_goal(ctx.principal, goalId, "planning.delete")
    return planning.goal_to_json(planning_deletion.delete_goal(ctx.principal, goal, ctx.now))
