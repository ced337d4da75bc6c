"""Health and the OpenAPI document."""
from chalice import Blueprint

from chalicelib.config import settings
from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.services import health

bp = Blueprint(__name__)
schemas = SchemaModule("org")  # chalicelib/http/schemas/org.py, imported on first use


@route(bp, "/health", "GET", summary="Service health", tag="System", response=schemas.HealthOut, public=True,
       extra_statuses=(503,))
def get_health(ctx: RequestContext):
    if not health.database_reachable():
        return Reply({"status": "unhealthy", "error": "database_unreachable"}, status=503)
    return {"status": "ok", "version": settings().version, "authMode": settings().auth_mode}


@route(bp, "/openapi.json", "GET", summary="This API's OpenAPI 3.1 document", tag="System", public=True)
def get_openapi(ctx: RequestContext):
    from chalicelib.http.openapi import document

    return document()
