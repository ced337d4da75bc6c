"""Authorization matrix cases: board users, tokens and memberships."""
from __future__ import annotations

from tests.e2e.authz.cases import Req, case

# --- board users, tokens, memberships -----------------------------------------------------------------

def _user(w, memberships=None) -> str:
    from chalicelib.services.org import board_users

    user, _ = board_users.create(None, {"name": w.unique("User"), "memberships": memberships or {}}, w.clock.now())
    return user.id


def _own_user(w, a) -> str:
    """The caller's own board user (admins act on someone else's: they may); agents name anyone's."""
    if a.is_agent or a.variant == "admin":
        return _user(w)
    return w.api.get("/api/board-users/me", token=a.token).json["id"]


case("GET", "/board-users")(lambda w, a: Req("/api/board-users"))
case("GET", "/board-users/me")(lambda w, a: Req("/api/board-users/me"))
case("PATCH", "/board-users/{userId}")(lambda w, a: Req(f"/api/board-users/{_user(w)}", {"name": "Renamed"}))
case("GET", "/board-users/{userId}/tokens")(lambda w, a: Req(f"/api/board-users/{_own_user(w, a)}/tokens"))
case("POST", "/board-users/{userId}/tokens")(lambda w, a: Req(f"/api/board-users/{_own_user(w, a)}/tokens", {"name": "ci"}))


@case("DELETE", "/board-users/{userId}/tokens/{tokenId}")
def _revoke_board_token(w, a):
    user_id = _own_user(w, a)
    extra = w.api.post(f"/api/board-users/{user_id}/tokens", {"name": "spare"}).json  # as the local board
    return Req(f"/api/board-users/{user_id}/tokens/{extra['id']}")


case("PUT", "/companies/{companyId}/board-members/{userId}")(lambda w, a: Req(
    f"/api/companies/{w.cid}/board-members/{_user(w)}", {"permissions": ["tasks:assign"]}))
case("DELETE", "/companies/{companyId}/board-members/{userId}")(lambda w, a: Req(
    f"/api/companies/{w.cid}/board-members/{_user(w, {w.cid: []})}"))
case("GET", "/instance/activity")(lambda w, a: Req("/api/instance/activity"))
