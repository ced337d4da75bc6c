"""Every blueprint, in one list for app.py. The fallback (405s and the 404 catch-all) comes last: it
is built from the routes the others registered."""
from chalicelib.http import fallback
from chalicelib.http.routes import agents, board_users, companies, planning, system
from chalicelib.http.routes import routines
from chalicelib.http.routes import issue_files
from chalicelib.http.routes import issues
from chalicelib.http.routes import heartbeat_runs

ALL_BLUEPRINTS = [system.bp, board_users.bp, companies.bp, agents.bp, planning.bp, routines.bp, issue_files.bp, issues.bp,
                 heartbeat_runs.bp, fallback.blueprint()]
