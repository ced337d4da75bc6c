"""Every benchmark case, by area. A route of the OpenAPI document with no case here is an error."""
from bench.cases import board_users, issues, org, routines, runtime

CASES = org.CASES + runtime.CASES + issues.CASES + routines.CASES + board_users.CASES
LISTINGS = org.LISTINGS + runtime.LISTINGS + issues.LISTINGS + routines.LISTINGS + board_users.LISTINGS
