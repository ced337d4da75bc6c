"""Every benchmark case, by area. A route of the OpenAPI document with no case here is an error."""
from bench.cases import board_users, core, issues, routines

CASES = core.CASES + issues.CASES + routines.CASES + board_users.CASES
LISTINGS = core.LISTINGS + issues.LISTINGS + routines.LISTINGS + board_users.LISTINGS
