"""Every blueprint, in one list for app.py."""
from chalicelib.http.routes import agents, companies, planning, system
from chalicelib.http.routes import routines

ALL_BLUEPRINTS = [system.bp, companies.bp, agents.bp, planning.bp, routines.bp]
