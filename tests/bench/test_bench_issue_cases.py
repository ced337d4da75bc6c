"""The benchmark cases of issue #14's issue routes run (each answers its documented status) and their
reads stay bounded: one Query per listing, no request per item."""
from bench.cases import issues
from bench.harness import app_client, build_world
from bench.requests_per_endpoint import count_case

NEW_ROUTES = {
    "/api/issues/{issueId}/comments/{commentId}", "/api/issues/{issueId}/heartbeat-context", "/api/agents/me/inbox-lite",
    "/api/issues/{issueId}/children", "/api/issues/{issueId}", "/api/issues/{issueId}/work-products",
    "/api/work-products/{workProductId}",
}


def test_the_new_issue_cases_run_with_bounded_requests(aws, clock, authenticated):
    cases = [c for c in issues.CASES if c.route in NEW_ROUTES and (c.route != "/api/issues/{issueId}" or c.method == "DELETE")]
    assert len(cases) == 9
    with app_client() as client:
        world = build_world(client)
        counts = {(c.method, c.route): count_case(world, c) for c in cases}
    listing = counts[("GET", "/api/issues/{issueId}/work-products")]
    assert listing["Query"] == 1, listing
    one_comment = counts[("GET", "/api/issues/{issueId}/comments/{commentId}")]
    assert sum(one_comment.values()) <= 4, one_comment
    inbox = counts[("GET", "/api/agents/me/inbox-lite")]
    assert inbox["Query"] == 1 and sum(inbox.values()) <= 6, inbox
    assert counts[("POST", "/api/issues/{issueId}/children")]["TransactWriteItems"] == 1
