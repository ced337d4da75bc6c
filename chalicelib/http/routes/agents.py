"""Agents and their API keys, plus the per-agent heartbeat routes (wakeup, invoke, the agent's runs).

Every `/agents/{agentId}…` route takes an id or, as upstream does, a url key ("shortname") with
`?companyId=` (services/runtime/agent_refs.py).
"""
from chalice import Blueprint

from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, limit, one_of, page_reply, param
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.services.issues import agent_admin, agent_work
from chalicelib.services.runtime import agent_keys, agent_refs, agents, heartbeats, run_shapes, wakeups

bp = Blueprint(__name__)
schemas = SchemaModule("runtime")  # chalicelib/http/schemas/runtime.py, imported on first use
TAG = "Agents"
AGENT_REF = {"companyId": "the company in which a non-UUID {agentId} is looked up as an agent url key "
                          "(agents: their own by default)"}


def _agent_id(ctx: RequestContext, ref: str) -> str:
    return agent_refs.resolve(ctx.principal, ref, ctx.query.get("companyId"))


def _agent_json(ctx: RequestContext, agent) -> dict:
    return agents.to_json(agent, config=agents.may_read_config(ctx.principal, agent))


@route(bp, "/companies/{companyId}/agents", "POST", action="agent.create", summary="Create an agent", tag=TAG,
       body=schemas.AgentCreate, response=schemas.AgentOut, status=201)
def create_agent(ctx: RequestContext, companyId: str):
    return _agent_json(ctx, agents.create(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/agents", "GET", action="agent.read", summary="List a company's agents", tag=TAG,
       response=list[schemas.AgentOut], query=PAGING)
def list_agents(ctx: RequestContext, companyId: str):
    return page_reply(agents.list_for_company(ctx.principal, companyId, limit(ctx), ctx.query.get("cursor")),
                      lambda agent: _agent_json(ctx, agent))


@route(bp, "/agents/me", "GET", action="agent.me", summary="The calling agent, with its chain of command", tag=TAG,
       response=schemas.AgentDetailOut)
def get_me(ctx: RequestContext):
    return agents.detail(ctx.principal, agents.me(ctx.principal))


@route(bp, "/agents/{agentId}", "GET", action="agent.read", summary="Get an agent, with its chain of command", tag=TAG,
       response=schemas.AgentDetailOut, query=AGENT_REF)
def get_agent(ctx: RequestContext, agentId: str):
    return agents.detail(ctx.principal, agents.get(ctx.principal, _agent_id(ctx, agentId)))


@route(bp, "/agents/{agentId}", "PATCH", action="agent.update", summary="Update an agent", tag=TAG, body=schemas.AgentUpdate,
       response=schemas.AgentOut, query=AGENT_REF)
def update_agent(ctx: RequestContext, agentId: str):
    return _agent_json(ctx, agent_admin.update(ctx.principal, _agent_id(ctx, agentId), ctx.body, ctx.now))


@route(bp, "/agents/{agentId}", "DELETE", action="agent.lifecycle",
       summary="Delete an agent (terminates it and frees its work first)",
       tag=TAG, status=204, query=AGENT_REF)
def delete_agent(ctx: RequestContext, agentId: str):
    agent_admin.delete(ctx.principal, _agent_id(ctx, agentId), ctx.now)
    return Reply(status=204)


def _lifecycle(action: str):
    @route(bp, f"/agents/{{agentId}}/{action}", "POST", action="agent.lifecycle", summary=f"{action.capitalize()} an agent",
           tag=TAG, response=schemas.AgentOut, query=AGENT_REF)
    def change(ctx: RequestContext, agentId: str):
        agent_id = _agent_id(ctx, agentId)
        if action == "terminate":  # frees its runs and its issues too
            return _agent_json(ctx, agent_work.terminate(ctx.principal, agent_id, ctx.now))
        return _agent_json(ctx, agents.change_status(ctx.principal, agent_id, action, ctx.now))

    change.__name__ = f"{action}_agent"
    return change


pause_agent, resume_agent, approve_agent, terminate_agent = (_lifecycle(a) for a in ("pause", "resume", "approve", "terminate"))


@route(bp, "/agents/{agentId}/keys", "POST", action="agent.keys",
       summary="Create an agent API key (the token is shown once)", tag=TAG,
       body=schemas.AgentKeyCreate, response=schemas.AgentKeyCreated, status=201, query=AGENT_REF)
def create_key(ctx: RequestContext, agentId: str):
    credential, token = agent_keys.create(ctx.principal, _agent_id(ctx, agentId), ctx.body.get("name"), ctx.body.get("scope"), ctx.now)
    return agent_keys.to_json(credential, token)


@route(bp, "/agents/{agentId}/keys", "GET", action="agent.keys",
       summary="List an agent's API keys (never the tokens)", tag=TAG,
       response=list[schemas.AgentKeyOut], query=AGENT_REF)
def list_keys(ctx: RequestContext, agentId: str):
    return [agent_keys.to_json(c) for c in agent_keys.list_for_agent(ctx.principal, _agent_id(ctx, agentId))]


@route(bp, "/agents/{agentId}/keys/{keyId}", "DELETE", action="agent.keys", summary="Revoke an agent API key",
       tag=TAG, status=204,
       query=AGENT_REF)
def revoke_key(ctx: RequestContext, agentId: str, keyId: str):
    agent_keys.revoke(ctx.principal, _agent_id(ctx, agentId), keyId, ctx.now)
    return Reply(status=204)


@route(bp, "/agents/{agentId}/wakeup", "POST", action="agent.wakeup",
       summary="Wake an agent: its queued heartbeat run (202)",
       tag=TAG, body=schemas.WakeupRequest, response=schemas.HeartbeatRunOut, status=202, query=AGENT_REF)
def wakeup(ctx: RequestContext, agentId: str):
    run, replayed = wakeups.request(ctx.principal, _agent_id(ctx, agentId), ctx.body, ctx.now)
    return Reply(body=run_shapes.detail_json(run, ctx.now), headers={"Idempotent-Replayed": "true"} if replayed else {})


@route(bp, "/agents/{agentId}/heartbeat-runs", "GET", action="heartbeat.read",
       summary="List an agent's heartbeat runs, newest first", tag=TAG,
       response=list[schemas.HeartbeatRunOut], query={"status": param("filter by run status", **one_of(heartbeats.STATUSES)), **PAGING, **AGENT_REF})
def list_runs(ctx: RequestContext, agentId: str):
    page = heartbeats.list_for_agent(ctx.principal, _agent_id(ctx, agentId), ctx.query.get("status") or None, limit(ctx),
                                     ctx.query.get("cursor"), ctx.now)
    return page_reply(page, lambda r: run_shapes.to_json(r, ctx.now))


@route(bp, "/agents/{agentId}/heartbeat/invoke", "POST", action="heartbeat.invoke",
       summary="Start a heartbeat run now (takes over the queued run)", tag=TAG,
       body=schemas.InvokeRequest, response=schemas.RunWithToken, query=AGENT_REF)
def invoke(ctx: RequestContext, agentId: str):
    run, token = heartbeats.invoke(ctx.principal, _agent_id(ctx, agentId), ctx.now, ctx.body)
    return {"run": run_shapes.detail_json(run, ctx.now), "token": token}
