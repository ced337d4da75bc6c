"""Cases for the system, company, project and goal endpoints."""
from __future__ import annotations

from bench.cases.shapes import Call, Case, Listing, company_items, invoke, new_agent, seeded_many, unique, unique_letters
from bench.harness import World


def _company_named_like_others(world: World) -> Call:
    """A name whose three letters 3 companies already hold: the prefix is found by trying CLA, CLA2, …"""
    seeded_many(world, "clash", 3, lambda i: world.post("/api/companies", {"name": f"Clash {i}"}, token=world.admin))
    return Call("POST", "/api/companies", world.board, 201, {"name": unique("Clash")})


def _companies(w: World, n: int) -> tuple[str, str]:
    seeded_many(w, "companies", n, lambda i: w.post("/api/companies", {"name": unique_letters()}, token=w.admin))
    return "/api/companies", w.admin


def _activity(w: World, n: int) -> tuple[str, str]:
    company_items("goals", lambda i: {"title": f"Goal {i}"})(w, n)  # each creation appends an entry
    return f"/api/companies/{w.cid}/activity", w.board


def _empty_company_deleted(w: World) -> Call:
    """A company with nothing in it: the mark, one Query per table group, the final transaction."""
    company = w.post("/api/companies", {"name": unique_letters()})
    return Call("DELETE", f"/api/companies/{company['id']}", w.board, 200)


def _project_deleted(w: World) -> Call:
    project = w.post(f"/api/companies/{w.cid}/projects", {"name": unique("Doomed")})
    return Call("DELETE", f"/api/projects/{project['id']}", w.board, 200)


def _goal_deleted(w: World) -> Call:
    goal = w.post(f"/api/companies/{w.cid}/goals", {"title": unique("Doomed")})
    return Call("DELETE", f"/api/goals/{goal['id']}", w.board, 200)


CASES = [
    Case("GET", "/api/health", "public", lambda w: Call("GET", "/api/health", None)),
    Case("GET", "/api/openapi.json", "public", lambda w: Call("GET", "/api/openapi.json", None)),
    Case("POST", "/api/board-users", "admin board", lambda w: Call(
        "POST", "/api/board-users", w.admin, 201, {"name": unique("Op"), "memberships": {w.cid: ["tasks:assign"]}})),
    Case("POST", "/api/companies", "board", lambda w: Call("POST", "/api/companies", w.board, 201, {"name": unique_letters()}),
         situation="prefix free"),
    Case("POST", "/api/companies", "board", _company_named_like_others, situation="prefix taken 3 times",
         repeatable=False),
    Case("GET", "/api/companies", "board", lambda w: Call("GET", "/api/companies", w.board),
         situation="member of its companies"),
    Case("GET", "/api/companies/{companyId}", "board", lambda w: Call("GET", f"/api/companies/{w.cid}", w.board)),
    Case("PATCH", "/api/companies/{companyId}", "board", lambda w: Call(
        "PATCH", f"/api/companies/{w.cid}", w.board, body={"description": unique("About")})),
    Case("POST", "/api/companies/{companyId}/projects", "board", lambda w: Call(
        "POST", f"/api/companies/{w.cid}/projects", w.board, 201, {"name": unique("Project")})),
    Case("GET", "/api/projects/{projectId}", "board", lambda w: Call("GET", f"/api/projects/{w.project}", w.board)),
    Case("PATCH", "/api/projects/{projectId}", "board", lambda w: Call(
        "PATCH", f"/api/projects/{w.project}", w.board, body={"description": unique("About")})),
    Case("POST", "/api/companies/{companyId}/goals", "board", lambda w: Call(
        "POST", f"/api/companies/{w.cid}/goals", w.board, 201, {"title": unique("Goal")})),
    Case("GET", "/api/goals/{goalId}", "board", lambda w: Call("GET", f"/api/goals/{w.goal}", w.board)),
    Case("DELETE", "/api/companies/{companyId}", "board", _empty_company_deleted, situation="an empty company", repeatable=False),
    Case("DELETE", "/api/projects/{projectId}", "board", _project_deleted, situation="unreferenced", repeatable=False),
    Case("DELETE", "/api/goals/{goalId}", "board", _goal_deleted, situation="unreferenced", repeatable=False),
    Case("PATCH", "/api/goals/{goalId}", "board", lambda w: Call(
        "PATCH", f"/api/goals/{w.goal}", w.board, body={"description": unique("About")})),
]

LISTINGS = [
    Listing("/api/companies", "admin board", _companies),
    Listing("/api/companies/{companyId}/activity", "board", _activity),
    Listing("/api/companies/{companyId}/projects", "board", company_items("projects", lambda i: {"name": f"P{i}"})),
    Listing("/api/companies/{companyId}/goals", "board", company_items("goals", lambda i: {"title": f"Goal {i}"})),
]
