"""Heartbeat runs by id, by company and by issue, as upstream's CLI (`run …`, `heartbeat run`,
`issue runs|live-runs|active-run`) calls them (validators.md §9.11)."""
from chalice import Blueprint

from chalicelib.errors import BadRequest, NotFound
from chalicelib.http.api import RequestContext, route
from chalicelib.http.params import PAGING, limit, page_reply, param
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.services.issues import issue_runs
from chalicelib.services.runtime import heartbeats, run_queries, run_shapes

bp = Blueprint(__name__)
schemas = SchemaModule("runtime")  # chalicelib/http/schemas/runtime.py, imported on first use
TAG = "Heartbeat runs"
LOG_LIMIT_BYTES_MAX = 1_048_576  # upstream's clamp of limitBytes


def _count(ctx: RequestContext, name: str, default: int, high: int, low: int = 0) -> int:
    """A whole-number query parameter, clamped to low..high (400 when it is not a number)."""
    raw = ctx.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer", {name: raw})
    return max(low, min(high, value))


@route(bp, "/companies/{companyId}/heartbeat-runs", "GET", action="heartbeat.read",
       summary="List a company's heartbeat runs, newest first",
       tag=TAG, response=list[schemas.HeartbeatRunOut], query={
           "agentId": "only this agent's runs",
           "summary": param("accepted for upstream's clients: rows are always the summary shape",
       enum=["true", "false", "1", "0"]),
           **PAGING})
def list_company_runs(ctx: RequestContext, companyId: str):
    summary = ctx.query.get("summary")
    if summary not in (None, "", "true", "false", "1", "0"):
        raise BadRequest("summary must be true or false", {"summary": summary})
    page = run_queries.list_for_company(ctx.principal, companyId, ctx.query.get("agentId") or None, limit(ctx), ctx.query.get("cursor"))
    return page_reply(page, lambda r: run_shapes.to_json(r, ctx.now))


@route(bp, "/companies/{companyId}/live-runs", "GET", action="heartbeat.read",
       summary="A company's queued and running runs, newest first",
       tag=TAG, response=list[schemas.LiveRunOut], query={
           "limit": param("at most this many (1..50, default 50)", type="integer"),
           "minCount": param("pad with the most recent finished runs up to this many (0..50, default 0)", type="integer")})
def list_live_runs(ctx: RequestContext, companyId: str):
    runs = run_queries.live_for_company(ctx.principal, companyId, _count(ctx, "limit", 50, 50, low=1),
                                        _count(ctx, "minCount", 0, 50), ctx.now)
    agents = run_queries.agents_of(runs)
    return [run_shapes.live_row(r, agents.get(r.agent_id), ctx.now) for r in runs]


@route(bp, "/heartbeat-runs/{runId}", "GET", action="heartbeat.read", summary="Get a heartbeat run", tag=TAG,
       response=schemas.HeartbeatRunOut)
def get_run(ctx: RequestContext, runId: str):
    return run_shapes.detail_json(heartbeats.get(ctx.principal, runId), ctx.now)


@route(bp, "/heartbeat-runs/{runId}/cancel", "POST", action="heartbeat.cancel",
       summary="Cancel a queued or running run (board; any other run is returned unchanged)", tag=TAG, response=schemas.HeartbeatRunOut)
def cancel_run(ctx: RequestContext, runId: str):
    return run_shapes.detail_json(heartbeats.cancel(ctx.principal, runId, ctx.now), ctx.now)


@route(bp, "/heartbeat-runs/{runId}/start", "POST", action="heartbeat.invoke", summary="Start a queued heartbeat run",
       tag=TAG, response=schemas.RunWithToken)
def start_run(ctx: RequestContext, runId: str):
    run, token = heartbeats.start(ctx.principal, runId, ctx.now)
    return {"run": run_shapes.detail_json(run, ctx.now), "token": token}


@route(bp, "/heartbeat-runs/{runId}/finish", "POST", action="heartbeat.finish", summary="Finish a heartbeat run",
       tag=TAG, body=schemas.RunFinish, response=schemas.HeartbeatRunOut)
def finish_run(ctx: RequestContext, runId: str):
    run = heartbeats.finish(ctx.principal, runId, ctx.body["status"], ctx.body.get("error"), ctx.now)
    return run_shapes.detail_json(run, ctx.now)


@route(bp, "/heartbeat-runs/{runId}/events", "GET", action="heartbeat.read",
       summary="A run's status changes as events, by seq",
       tag=TAG, response=list[schemas.RunEventOut], query={
           "afterSeq": param("only events after this seq (default 0)", type="integer"),
           "limit": param("at most this many (1..1000, default 200)", type="integer")})
def list_run_events(ctx: RequestContext, runId: str):
    after, size = _count(ctx, "afterSeq", 0, 2**31), _count(ctx, "limit", 200, 1000, low=1)
    events = run_shapes.events(heartbeats.get(ctx.principal, runId), ctx.now)
    return [e for e in events if e["seq"] > after][:size]


@route(bp, "/heartbeat-runs/{runId}/log", "GET", action="heartbeat.read",
       summary="A run's log: none is kept (404 Run log not found)",
       tag=TAG, response=schemas.RunLogOut, query={
           "offset": param("byte offset (default 0)", type="integer"),
           "limitBytes": param("at most this many bytes (1..1048576)", type="integer")})
def get_run_log(ctx: RequestContext, runId: str):
    _count(ctx, "offset", 0, 2**53), _count(ctx, "limitBytes", 256_000, LOG_LIMIT_BYTES_MAX, low=1)
    heartbeats.get(ctx.principal, runId)
    raise NotFound("Run log not found", {"runId": runId})  # upstream's answer for a run without a log


@route(bp, "/heartbeat-runs/{runId}/issues", "GET", action="heartbeat.read", summary="The issues a run was woken for",
       tag=TAG,
       response=list[schemas.RunIssueOut])
def list_run_issues(ctx: RequestContext, runId: str):
    return issue_runs.issues_of_run(ctx.principal, runId, ctx.now)


@route(bp, "/issues/{issueId}/runs", "GET", action="heartbeat.read",
       summary="The runs woken for an issue, newest first", tag=TAG,
       response=list[schemas.IssueRunOut], query=PAGING)
def list_issue_runs(ctx: RequestContext, issueId: str):
    page = issue_runs.runs(ctx.principal, issueId, limit(ctx), ctx.query.get("cursor"), ctx.now)
    return page_reply(page, lambda row: row)


@route(bp, "/issues/{issueId}/live-runs", "GET", action="heartbeat.read",
       summary="An issue's queued and running runs", tag=TAG,
       response=list[schemas.LiveRunOut])
def list_issue_live_runs(ctx: RequestContext, issueId: str):
    return issue_runs.live_runs(ctx.principal, issueId, ctx.now)


@route(bp, "/issues/{issueId}/active-run", "GET", action="heartbeat.read",
       summary="The run working on an issue now, or null", tag=TAG,
       response=schemas.ActiveRunOrNull)
def get_issue_active_run(ctx: RequestContext, issueId: str):
    return issue_runs.active_run(ctx.principal, issueId, ctx.now)
