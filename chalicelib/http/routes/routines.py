"""Routines, triggers, runs and the public webhook endpoint (SPEC §5–6)."""
from chalice import Blueprint

from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, limit, one_of, page_reply, paged_json, param
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.services.routines import (
    routine_dispatch, routine_lookup, routine_shapes, routine_triggers, routines, webhook_intake,
)

bp = Blueprint(__name__)
schemas = SchemaModule("routines")  # chalicelib/http/schemas/routines.py, imported on first use
TAG = "Routines"


def _run_reply(result: routine_dispatch.DispatchResult) -> Reply:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return Reply(body=routine_shapes.run_json(result.run), status=202, headers=headers)


@route(bp, "/companies/{companyId}/routines", "POST", action="routine.create", summary="Create a routine", tag=TAG,
       body=schemas.RoutineCreate,
       response=schemas.RoutineOut, status=201)
def create_routine(ctx: RequestContext, companyId: str):
    return routine_shapes.routine_json(routines.create(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/routines", "GET", action="routine.read",
       summary="List a company's routines, newest update first", tag=TAG,
       response=list[schemas.RoutineListItem],
       query={"projectId": "filter by project",
       "status": param("active|paused|archived", **one_of(routines.STATUSES)), **PAGING})
def list_routines(ctx: RequestContext, companyId: str):
    page = routines.list_for_company(ctx.principal, companyId, ctx.query.get("projectId") or None,
                                     ctx.query.get("status") or None, limit(ctx), ctx.query.get("cursor"))
    return paged_json(page, routines.list_summaries(page.items))


@route(bp, "/routines/{routineId}", "GET", action="routine.read",
       summary="Get a routine with triggers, recent runs and its active issue", tag=TAG,
       response=schemas.RoutineDetail)
def get_routine(ctx: RequestContext, routineId: str):
    return routines.detail(ctx.principal, routineId)


@route(bp, "/routines/{routineId}", "PATCH", action="routine.update", summary="Update a routine", tag=TAG,
       body=schemas.RoutineUpdate, response=schemas.RoutineOut)
def update_routine(ctx: RequestContext, routineId: str):
    return routine_shapes.routine_json(routines.update(ctx.principal, routineId, ctx.body, ctx.now))


@route(bp, "/routines/{routineId}/triggers", "POST", action="routine.manage",
       summary="Add a trigger (webhook secrets are shown once)", tag=TAG,
       body=schemas.TriggerCreate, response=schemas.TriggerWithSecret, status=201)
def create_trigger(ctx: RequestContext, routineId: str):
    trigger, material = routine_triggers.create(ctx.principal, routineId, ctx.body, ctx.now)
    return {"trigger": routine_shapes.trigger_json(trigger), "secretMaterial": material}


@route(bp, "/routine-triggers/{triggerId}", "PATCH", action="routine.manage", summary="Update a trigger", tag=TAG,
       body=schemas.TriggerUpdate,
       response=schemas.TriggerOut)
def update_trigger(ctx: RequestContext, triggerId: str):
    return routine_shapes.trigger_json(routine_triggers.update(ctx.principal, triggerId, ctx.body, ctx.now))


@route(bp, "/routine-triggers/{triggerId}", "DELETE", action="routine.manage",
       summary="Delete a trigger and its secret", tag=TAG, status=204)
def delete_trigger(ctx: RequestContext, triggerId: str):
    routine_triggers.delete(ctx.principal, triggerId, ctx.now)
    return Reply(status=204)


@route(bp, "/routine-triggers/{triggerId}/rotate-secret", "POST", action="routine.manage",
       summary="Rotate a webhook secret (URL unchanged)",
       tag=TAG, response=schemas.TriggerWithSecret)
def rotate_secret(ctx: RequestContext, triggerId: str):
    trigger, material = routine_triggers.rotate_secret(ctx.principal, triggerId, ctx.now)
    return {"trigger": routine_shapes.trigger_json(trigger), "secretMaterial": material}


@route(bp, "/routine-triggers/{triggerId}/preview", "GET", action="routine.read",
       summary="Next fire times of a schedule trigger", tag=TAG,
       response=schemas.TriggerPreview, query={"count": param("1..50, default 5", type="integer", minimum=1, maximum=50)})
def preview_trigger(ctx: RequestContext, triggerId: str):
    return routine_triggers.preview(ctx.principal, triggerId, ctx.query.get("count"), ctx.now)


@route(bp, "/routines/{routineId}/run", "POST", action="routine.manage",
       summary="Run a routine now (202 with the run)", tag=TAG, body=schemas.RunCreate,
       response=schemas.RunOut, status=202)
def run_routine(ctx: RequestContext, routineId: str):
    return _run_reply(routine_dispatch.run_manually(ctx.principal, routineId, ctx.body, ctx.now))


@route(bp, "/routines/{routineId}/runs", "GET", action="routine.read", summary="A routine's runs, newest first",
       tag=TAG, response=list[schemas.RunOut],
       query=PAGING)
def list_runs(ctx: RequestContext, routineId: str):
    routine = routine_lookup.get_visible(ctx.principal, routineId)
    return page_reply(routine_dispatch.list_runs(routine, limit(ctx), ctx.query.get("cursor")), routine_shapes.run_json)


@route(bp, "/routine-triggers/public/{publicId}/fire", "POST", summary="Fire a webhook trigger (signed by its mode)",
       tag=TAG, response=schemas.RunOut, status=202, public=True, raw_body=True, content_type="application/json",
       extra_statuses=(401, 409, 429))
def fire_public(ctx: RequestContext, publicId: str):
    return _run_reply(webhook_intake.fire(publicId, ctx.headers, ctx.raw_body, ctx.source_ip, ctx.now))
