from chalice import Blueprint

from chalicelib.http.api import RequestContext, route
from chalicelib.http.params import PAGING, limit, page_reply
from chalicelib.http.schemas.org import GoalCreate, GoalOut, GoalUpdate, ProjectCreate, ProjectOut, ProjectUpdate
from chalicelib.services.org import planning

bp = Blueprint(__name__)


@route(bp, "/companies/{companyId}/projects", "POST", action="planning.write", summary="Create a project", tag="Projects", body=ProjectCreate, response=ProjectOut, status=201)
def create_project(ctx: RequestContext, companyId: str):
    return planning.project_to_json(planning.create_project(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/projects", "GET", action="planning.read", summary="List projects", tag="Projects", response=list[ProjectOut], query=PAGING)
def list_projects(ctx: RequestContext, companyId: str):
    return page_reply(planning.list_projects(ctx.principal, companyId, limit(ctx), ctx.query.get("cursor")), planning.project_to_json)


@route(bp, "/projects/{projectId}", "GET", action="planning.read", summary="Get a project", tag="Projects", response=ProjectOut)
def get_project(ctx: RequestContext, projectId: str):
    return planning.project_to_json(planning.get_project(ctx.principal, projectId))


@route(bp, "/projects/{projectId}", "PATCH", action="planning.write", summary="Update a project", tag="Projects", body=ProjectUpdate, response=ProjectOut)
def update_project(ctx: RequestContext, projectId: str):
    return planning.project_to_json(planning.update_project(ctx.principal, projectId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/goals", "POST", action="planning.write", summary="Create a goal", tag="Goals", body=GoalCreate, response=GoalOut, status=201)
def create_goal(ctx: RequestContext, companyId: str):
    return planning.goal_to_json(planning.create_goal(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/goals", "GET", action="planning.read", summary="List goals", tag="Goals", response=list[GoalOut], query=PAGING)
def list_goals(ctx: RequestContext, companyId: str):
    return page_reply(planning.list_goals(ctx.principal, companyId, limit(ctx), ctx.query.get("cursor")), planning.goal_to_json)


@route(bp, "/goals/{goalId}", "GET", action="planning.read", summary="Get a goal", tag="Goals", response=GoalOut)
def get_goal(ctx: RequestContext, goalId: str):
    return planning.goal_to_json(planning.get_goal(ctx.principal, goalId))


@route(bp, "/goals/{goalId}", "PATCH", action="planning.write", summary="Update a goal", tag="Goals", body=GoalUpdate, response=GoalOut)
def update_goal(ctx: RequestContext, goalId: str):
    return planning.goal_to_json(planning.update_goal(ctx.principal, goalId, ctx.body, ctx.now))
