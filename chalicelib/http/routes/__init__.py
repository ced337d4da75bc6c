"""Every blueprint, in one list for app.py."""
from chalicelib.http.routes import agents, companies, planning, system
from chalicelib.http.routes import routines
from chalicelib.http.routes import issue_files
from chalicelib.http.routes import issues

ALL_BLUEPRINTS = [system.bp, companies.bp, agents.bp, planning.bp, routines.bp, issue_files.bp, issues.bp]
