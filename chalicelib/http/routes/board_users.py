"""Board users, their tokens and company memberships; the instance audit log (SPEC §2, issue #10)."""
from chalice import Blueprint

from chalicelib.http.api import Reply, RequestContext, route
from chalicelib.http.params import PAGING, limit, page_reply
from chalicelib.http.schema_refs import SchemaModule
from chalicelib.services import activity
from chalicelib.services.org import board_users

bp = Blueprint(__name__)
access_schemas = SchemaModule("access")  # chalicelib/http/schemas/access.py, imported on first use
org_schemas = SchemaModule("org")  # chalicelib/http/schemas/org.py, imported on first use
TAG = "Board users"


@route(bp, "/board-users", "POST", action="board_user.create", tag=TAG, body=access_schemas.BoardUserCreate,
       response=access_schemas.BoardUserCreated, status=201, summary="Create a board user and its first token (instance admin)")
def create_board_user(ctx: RequestContext):
    user, token = board_users.create(ctx.principal, ctx.body, ctx.now)
    return board_users.to_json(user, token)


@route(bp, "/board-users", "GET", action="board_user.manage", tag=TAG, response=list[access_schemas.BoardUserOut],
       query=PAGING,
       summary="List board users, oldest first (instance admin)")
def list_board_users(ctx: RequestContext):
    return page_reply(board_users.list_users(ctx.principal, limit(ctx), ctx.query.get("cursor")), board_users.to_json)


@route(bp, "/board-users/me", "GET", action="board_user.self", tag=TAG, response=access_schemas.BoardUserOut,
       summary="The calling board user")
def get_me(ctx: RequestContext):
    return board_users.me(ctx.principal)


@route(bp, "/board-users/{userId}", "PATCH", action="board_user.manage", tag=TAG, body=access_schemas.BoardUserUpdate,
       response=access_schemas.BoardUserOut, summary="Change a board user; status deactivated stops all its tokens (instance admin)")
def update_board_user(ctx: RequestContext, userId: str):
    return board_users.to_json(board_users.update(ctx.principal, userId, ctx.body, ctx.now))


@route(bp, "/board-users/{userId}/tokens", "GET", action="board_user.self", tag=TAG,
       response=list[access_schemas.BoardTokenOut],
       summary="List a board user's tokens, never the secrets (itself, or an instance admin)")
def list_tokens(ctx: RequestContext, userId: str):
    return [board_users.token_json(c) for c in board_users.list_tokens(ctx.principal, userId)]


@route(bp, "/board-users/{userId}/tokens", "POST", action="board_user.self", tag=TAG, body=access_schemas.BoardTokenCreate,
       response=access_schemas.BoardTokenCreated, status=201, summary="Create a board token (shown once)")
def create_token(ctx: RequestContext, userId: str):
    credential, token = board_users.create_token(ctx.principal, userId, ctx.body.get("name"), ctx.now)
    return board_users.token_json(credential, token)


@route(bp, "/board-users/{userId}/tokens/{tokenId}", "DELETE", action="board_user.self", tag=TAG, status=204,
       summary="Revoke a board token (effective on the next request)")
def revoke_token(ctx: RequestContext, userId: str, tokenId: str):
    board_users.revoke_token(ctx.principal, userId, tokenId, ctx.now)
    return Reply(status=204)


@route(bp, "/companies/{companyId}/board-members/{userId}", "PUT", action="membership.manage", tag=TAG,
       body=access_schemas.MembershipPut, response=access_schemas.BoardUserOut, summary="Set a board user's membership and permissions in the company")
def put_membership(ctx: RequestContext, companyId: str, userId: str):
    user = board_users.set_membership(ctx.principal, companyId, userId, ctx.body["permissions"], ctx.now)
    return board_users.to_json(user)


@route(bp, "/companies/{companyId}/board-members/{userId}", "DELETE", action="membership.manage", tag=TAG, status=204,
       summary="Remove a board user from the company")
def delete_membership(ctx: RequestContext, companyId: str, userId: str):
    board_users.set_membership(ctx.principal, companyId, userId, None, ctx.now)
    return Reply(status=204)


@route(bp, "/instance/activity", "GET", action="instance.activity", tag=TAG, response=list[org_schemas.ActivityOut],
       query=PAGING,
       summary="The instance-level audit log (board users, tokens, memberships), newest first (instance admin)")
def instance_activity(ctx: RequestContext):
    return page_reply(activity.list_instance(ctx.principal, limit(ctx), ctx.query.get("cursor")), activity.to_json)
