"""Cases for board users, their tokens, company memberships and the instance log."""
from __future__ import annotations

from bench.cases.shapes import Call, Case, Listing, seeded_many, unique
from bench.harness import World


def _user(w: World) -> str:
    return w.post("/api/board-users", {"name": unique("Member"), "memberships": {w.cid: []}}, token=w.admin)["id"]


def _me(w: World) -> str:
    return w.seeded("board-me", lambda: w.get("/api/board-users/me")["id"])


def _revoke(w: World) -> Call:
    token = w.post(f"/api/board-users/{_me(w)}/tokens", {"name": unique("spare")})
    return Call("DELETE", f"/api/board-users/{_me(w)}/tokens/{token['id']}", w.board, 204)


def _users(w: World, n: int) -> tuple[str, str]:
    seeded_many(w, "board-users", n, lambda i: _user(w))
    return "/api/board-users", w.admin


def _tokens(w: World, n: int) -> tuple[str, str]:
    seeded_many(w, "board-tokens", n, lambda i: w.post(f"/api/board-users/{_me(w)}/tokens", {"name": f"t{i}"}))
    return f"/api/board-users/{_me(w)}/tokens", w.board


def _instance_log(w: World, n: int) -> tuple[str, str]:
    seeded_many(w, "board-users", n, lambda i: _user(w))  # each creation is an instance log entry
    return "/api/instance/activity", w.admin


CASES = [
    Case("GET", "/api/board-users/me", "board", lambda w: Call("GET", "/api/board-users/me", w.board)),
    Case("PATCH", "/api/board-users/{userId}", "admin board", lambda w: Call(
        "PATCH", f"/api/board-users/{_user(w)}", w.admin, body={"name": unique("Renamed")})),
    Case("POST", "/api/board-users/{userId}/tokens", "board", lambda w: Call(
        "POST", f"/api/board-users/{_me(w)}/tokens", w.board, 201, {"name": unique("ci")}), situation="its own"),
    Case("DELETE", "/api/board-users/{userId}/tokens/{tokenId}", "board", _revoke, situation="its own"),
    Case("PUT", "/api/companies/{companyId}/board-members/{userId}", "board", lambda w: Call(
        "PUT", f"/api/companies/{w.cid}/board-members/{_user(w)}", w.board, body={"permissions": ["tasks:assign"]})),
    Case("DELETE", "/api/companies/{companyId}/board-members/{userId}", "board", lambda w: Call(
        "DELETE", f"/api/companies/{w.cid}/board-members/{_user(w)}", w.board, 204)),
]

LISTINGS = [
    Listing("/api/board-users", "admin board", _users),
    Listing("/api/board-users/{userId}/tokens", "board", _tokens, paged=False),
    Listing("/api/instance/activity", "admin board", _instance_log),
]
