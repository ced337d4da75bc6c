"""Authorization matrix cases: instance-level routes, companies, projects and goals."""
from __future__ import annotations

from tests.e2e.authz.cases import Req, case

# --- instance ---------------------------------------------------------------------------------------

case("GET", "/companies")(lambda w, a: Req("/api/companies"))
case("POST", "/companies")(lambda w, a: Req("/api/companies", {"name": w.unique("Newco")}))
case("POST", "/board-users")(lambda w, a: Req("/api/board-users", {"name": w.unique("Op")}))
case("GET", "/agents/me")(lambda w, a: Req("/api/agents/me"))

# --- companies --------------------------------------------------------------------------------------

case("GET", "/companies/{companyId}")(lambda w, a: Req(f"/api/companies/{w.cid}"))
case("PATCH", "/companies/{companyId}")(lambda w, a: Req(f"/api/companies/{w.cid}", {"description": "x"}))
case("GET", "/companies/{companyId}/activity")(lambda w, a: Req(f"/api/companies/{w.cid}/activity"))

# --- projects and goals -----------------------------------------------------------------------------

case("POST", "/companies/{companyId}/projects")(lambda w, a: Req(f"/api/companies/{w.cid}/projects", {"name": w.unique("P")}))
case("GET", "/companies/{companyId}/projects")(lambda w, a: Req(f"/api/companies/{w.cid}/projects"))
case("GET", "/projects/{projectId}")(lambda w, a: Req(f"/api/projects/{w.project['id']}"))
case("PATCH", "/projects/{projectId}")(lambda w, a: Req(f"/api/projects/{w.project['id']}", {"description": "x"}))
case("POST", "/companies/{companyId}/goals")(lambda w, a: Req(f"/api/companies/{w.cid}/goals", {"title": w.unique("G")}))
case("GET", "/companies/{companyId}/goals")(lambda w, a: Req(f"/api/companies/{w.cid}/goals"))
case("GET", "/goals/{goalId}")(lambda w, a: Req(f"/api/goals/{w.goal['id']}"))
case("PATCH", "/goals/{goalId}")(lambda w, a: Req(f"/api/goals/{w.goal['id']}", {"description": "x"}))


# --- deletions (each call deletes a fresh entity) ----------------------------------------------------

def _deletable_company(w, a) -> Req:
    """The permitted variants delete a company of their own (made for the call, the member given
    company:manage in it); the others are refused on the world's company, which stays for them."""
    if a.variant not in ("admin", "member_with"):
        return Req(f"/api/companies/{w.cid}")
    company = w.post("/api/companies", {"name": w.unique("Gone")})
    if a.variant == "member_with":
        me = w.api.get("/api/board-users/me", token=a.token).json
        w.api.put(f"/api/companies/{company['id']}/board-members/{me['id']}", {"permissions": ["company:manage"]})
    return Req(f"/api/companies/{company['id']}")


case("DELETE", "/companies/{companyId}")(_deletable_company)
case("DELETE", "/projects/{projectId}")(lambda w, a: Req(
    f"/api/projects/{w.post(f'/api/companies/{w.cid}/projects', {'name': w.unique('Gone')})['id']}"))
case("DELETE", "/goals/{goalId}")(lambda w, a: Req(
    f"/api/goals/{w.post(f'/api/companies/{w.cid}/goals', {'title': w.unique('Gone')})['id']}"))
