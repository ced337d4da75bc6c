from chalice import Blueprint

from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, limit, one_of, page_reply, param
from chalicelib.http.schemas.runtime import (
    AgentCreate, AgentKeyCreate, AgentKeyCreated, AgentKeyOut, AgentOut, AgentUpdate, HeartbeatRunOut,
    RunFinish, RunStatus, RunWithToken,
)
from chalicelib.services.issues import agent_work
from chalicelib.services.runtime import agents, heartbeats

bp = Blueprint(__name__)
TAG = "Agents"


@route(bp, "/companies/{companyId}/agents", "POST", action="agent.create", summary="Create an agent", tag=TAG, body=AgentCreate, response=AgentOut, status=201)
def create_agent(ctx: RequestContext, companyId: str):
    return agents.to_json(agents.create(ctx.principal, companyId, ctx.body, ctx.now))


@route(bp, "/companies/{companyId}/agents", "GET", action="agent.read", summary="List a company's agents", tag=TAG, response=list[AgentOut], query=PAGING)
def list_agents(ctx: RequestContext, companyId: str):
    return page_reply(agents.list_for_company(ctx.principal, companyId, limit(ctx), ctx.query.get("cursor")), agents.to_json)


@route(bp, "/agents/me", "GET", action="agent.me", summary="The calling agent", tag=TAG, response=AgentOut)
def get_me(ctx: RequestContext):
    return agents.to_json(agents.me(ctx.principal))


@route(bp, "/agents/{agentId}", "GET", action="agent.read", summary="Get an agent", tag=TAG, response=AgentOut)
def get_agent(ctx: RequestContext, agentId: str):
    return agents.to_json(agents.get(ctx.principal, agentId))


@route(bp, "/agents/{agentId}", "PATCH", action="agent.update", summary="Update an agent", tag=TAG, body=AgentUpdate, response=AgentOut)
def update_agent(ctx: RequestContext, agentId: str):
    return agents.to_json(agents.update(ctx.principal, agentId, ctx.body, ctx.now))


def _lifecycle(action: str):
    @route(bp, f"/agents/{{agentId}}/{action}", "POST", action="agent.lifecycle", summary=f"{action.capitalize()} an agent",
           tag=TAG, response=AgentOut)
    def change(ctx: RequestContext, agentId: str):
        if action == "terminate":  # frees its runs and its issues too
            return agents.to_json(agent_work.terminate(ctx.principal, agentId, ctx.now))
        return agents.to_json(agents.change_status(ctx.principal, agentId, action, ctx.now))

    change.__name__ = f"{action}_agent"
    return change


pause_agent, resume_agent, terminate_agent = (_lifecycle(a) for a in ("pause", "resume", "terminate"))


@route(bp, "/agents/{agentId}/keys", "POST", action="agent.keys", summary="Create an agent API key (the token is shown once)", tag=TAG,
       body=AgentKeyCreate, response=AgentKeyCreated, status=201)
def create_key(ctx: RequestContext, agentId: str):
    credential, token = agents.create_key(ctx.principal, agentId, ctx.body.get("name"), ctx.now)
    return agents.key_to_json(credential, token)


@route(bp, "/agents/{agentId}/keys", "GET", action="agent.keys", summary="List an agent's API keys (never the tokens)", tag=TAG, response=list[AgentKeyOut])
def list_keys(ctx: RequestContext, agentId: str):
    return [agents.key_to_json(c) for c in agents.list_keys(ctx.principal, agentId)]


@route(bp, "/agents/{agentId}/keys/{keyId}", "DELETE", action="agent.keys", summary="Revoke an agent API key", tag=TAG, status=204)
def revoke_key(ctx: RequestContext, agentId: str, keyId: str):
    agents.revoke_key(ctx.principal, agentId, keyId, ctx.now)
    return Reply(status=204)


@route(bp, "/agents/{agentId}/heartbeat-runs", "GET", action="heartbeat.read", summary="List an agent's heartbeat runs, newest first", tag=TAG,
       response=list[HeartbeatRunOut], query={"status": param("filter by run status", **one_of(RunStatus)), **PAGING})
def list_runs(ctx: RequestContext, agentId: str):
    page = heartbeats.list_for_agent(ctx.principal, agentId, ctx.query.get("status") or None, limit(ctx), ctx.query.get("cursor"), ctx.now)
    return page_reply(page, lambda r: heartbeats.to_json(r, ctx.now))


@route(bp, "/agents/{agentId}/heartbeat/invoke", "POST", action="heartbeat.invoke", summary="Start a heartbeat run now (takes over the queued run)", tag=TAG,
       response=RunWithToken)
def invoke(ctx: RequestContext, agentId: str):
    run, token = heartbeats.invoke(ctx.principal, agentId, ctx.now)
    return {"run": heartbeats.to_json(run, ctx.now), "token": token}


@route(bp, "/heartbeat-runs/{runId}/start", "POST", action="heartbeat.invoke", summary="Start a queued heartbeat run", tag=TAG, response=RunWithToken)
def start_run(ctx: RequestContext, runId: str):
    run, token = heartbeats.start(ctx.principal, runId, ctx.now)
    return {"run": heartbeats.to_json(run, ctx.now), "token": token}


@route(bp, "/heartbeat-runs/{runId}/finish", "POST", action="heartbeat.finish", summary="Finish a heartbeat run", tag=TAG, body=RunFinish, response=HeartbeatRunOut)
def finish_run(ctx: RequestContext, runId: str):
    run = heartbeats.finish(ctx.principal, runId, ctx.body["status"], ctx.body.get("error"), ctx.now)
    return heartbeats.to_json(run, ctx.now)
