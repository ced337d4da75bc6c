"""Every benchmark case, by area. A route of the OpenAPI document with no case here is an error."""
from bench.cases import core, issues, routines

CASES = core.CASES + issues.CASES + routines.CASES
LISTINGS = core.LISTINGS + issues.LISTINGS + routines.LISTINGS
