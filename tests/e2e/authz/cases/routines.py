"""Authorization matrix cases: routines and triggers."""
from __future__ import annotations

from tests.e2e.authz.cases import Req, case

# --- routines ---------------------------------------------------------------------------------------

case("POST", "/companies/{companyId}/routines")(lambda w, a: Req(
    f"/api/companies/{w.cid}/routines", {"title": "R", "projectId": w.project["id"], "assigneeAgentId": w.alice["id"]}))
case("GET", "/companies/{companyId}/routines")(lambda w, a: Req(f"/api/companies/{w.cid}/routines"))
case("GET", "/routines/{routineId}")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}"))
case("PATCH", "/routines/{routineId}")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}", {"description": "x"}))
case("POST", "/routines/{routineId}/run")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}/run", {}))
case("GET", "/routines/{routineId}/runs")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}/runs"))
case("POST", "/routines/{routineId}/triggers")(lambda w, a: Req(f"/api/routines/{w.routine()['id']}/triggers", {"kind": "api"}))
case("PATCH", "/routine-triggers/{triggerId}")(lambda w, a: Req(
    f"/api/routine-triggers/{w.trigger(w.routine()['id'])['id']}", {"label": "x"}))
case("DELETE", "/routine-triggers/{triggerId}")(lambda w, a: Req(f"/api/routine-triggers/{w.trigger(w.routine()['id'])['id']}"))
case("POST", "/routine-triggers/{triggerId}/rotate-secret")(lambda w, a: Req(
    f"/api/routine-triggers/{w.trigger(w.routine()['id'])['id']}/rotate-secret"))
case("GET", "/routine-triggers/{triggerId}/preview")(lambda w, a: Req(
    f"/api/routine-triggers/{w.trigger(w.routine()['id'], 'schedule')['id']}/preview"))
