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
