"""Health, the OpenAPI document, and instance-admin user management."""
from chalice import Blueprint

from chalicelib.config import settings
from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.schemas.core import BoardUserCreate, BoardUserCreated, HealthOut
from chalicelib.services import health
from chalicelib.services.access import board_users

bp = Blueprint(__name__)


@route(bp, "/health", "GET", summary="Service health", tag="System", response=HealthOut, public=True, extra_statuses=(503,))
def get_health(ctx: RequestContext):
    if not health.database_reachable():
        return Reply({"status": "unhealthy", "error": "database_unreachable"}, status=503)
    return {"status": "ok", "version": settings().version, "authMode": settings().auth_mode}


@route(bp, "/openapi.json", "GET", summary="This API's OpenAPI 3.1 document", tag="System", public=True)
def get_openapi(ctx: RequestContext):
    from chalicelib.http.openapi import document

    return document()


@route(bp, "/board-users", "POST", action="board_user.create", summary="Create a board user and its first token (instance admin only)", tag="System",
       body=BoardUserCreate, response=BoardUserCreated, status=201)
def create_board_user(ctx: RequestContext):
    user, token = board_users.create(ctx.principal, ctx.body, ctx.now)
    return board_users.to_json(user, token)
