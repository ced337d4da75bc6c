"""The benchmarks stay runnable: every route has a case, and the request counter measures real calls."""
from bench.cases import CASES, LISTINGS
from bench.harness import app_client, build_world
from bench.requests_per_endpoint import count_case, count_listing, coverage_problems


def _case(route: str, principal: str, situation: str):
    return next(c for c in CASES if (c.route, c.principal, c.situation) == (route, principal, situation))


def test_request_counts_of_checkout_and_a_list(aws, clock, authenticated):
    with app_client() as client:
        world = build_world(client)
        assert coverage_problems(world) == []

        checkout = count_case(world, _case("/api/issues/{issueId}/checkout", "run JWT", "unassigned todo issue"))
        assert checkout["GetItem"] >= 1 and checkout["TransactWriteItems"] == 1, checkout  # the JWT's agent is read
        assert sum(checkout.values()) <= 4, checkout

        projects = next(l for l in LISTINGS if l.route == "/api/companies/{companyId}/projects")
        small, large = count_listing(world, projects, sizes=(1, 10))
        assert (small.items, large.items) == (1, 10)
        assert small.requests == large.requests and small.requests["Query"] == 1, (small, large)
