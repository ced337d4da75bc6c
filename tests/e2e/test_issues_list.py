"""GET /api/companies/{companyId}/issues: order, filters, pagination (SPEC §4)."""
from tests.helpers import make_world
from tests.issue_helpers import new_issue


def ids(response):
    assert response.status == 200, response
    return [i["id"] for i in response.json]


def all_pages(api, path, limit):
    seen, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in path else "?"
        r = api.get(f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        seen += ids(r)
        pages += 1
        cursor = r.headers.get("x-next-cursor")
        if not cursor:
            return seen, pages


def test_priority_then_most_recently_updated(api, world, clock):
    made = {}
    for name, priority in [("low1", "low"), ("med1", "medium"), ("crit1", "critical"), ("high1", "high"),
                           ("med2", "medium"), ("low2", "low"), ("crit2", "critical")]:
        clock.advance(seconds=1)
        made[name] = new_issue(api, world, title=name, priority=priority)["id"]
    order = ["crit2", "crit1", "high1", "med2", "med1", "low2", "low1"]
    assert ids(api.get(f"/api/companies/{world.cid}/issues")) == [made[n] for n in order]

    clock.advance(seconds=1)  # updating an issue moves it to the front of its priority
    assert api.patch(f"/api/issues/{made['med1']}", {"title": "med1 again"}).status == 200
    clock.advance(seconds=1)  # and a priority change moves it to its new group
    assert api.patch(f"/api/issues/{made['low1']}", {"priority": "critical"}).status == 200
    order = ["low1", "crit2", "crit1", "high1", "med1", "med2", "low2"]
    assert ids(api.get(f"/api/companies/{world.cid}/issues")) == [made[n] for n in order]


def test_filters(api, world, clock):
    parent = new_issue(api, world, title="parent")
    clock.advance(seconds=1)
    a = new_issue(api, world, title="a", assigneeAgentId=world.alice["id"], projectId=world.project["id"])
    clock.advance(seconds=1)
    b = new_issue(api, world, title="b", status="blocked", parentId=parent["id"])
    clock.advance(seconds=1)
    c = new_issue(api, world, title="c", assigneeAgentId=world.bob["id"], status="backlog", parentId=parent["id"])
    base = f"/api/companies/{world.cid}/issues"
    assert ids(api.get(f"{base}?status=todo")) == [a["id"]]
    assert ids(api.get(f"{base}?status=todo,blocked")) == [b["id"], a["id"]]
    assert ids(api.get(f"{base}?status=backlog")) == [c["id"], parent["id"]]
    assert ids(api.get(f"{base}?status=done")) == []
    assert ids(api.get(f"{base}?assigneeAgentId={world.bob['id']}")) == [c["id"]]
    assert ids(api.get(f"{base}?projectId={world.project['id']}")) == [a["id"]]
    assert ids(api.get(f"{base}?parentId={parent['id']}")) == [c["id"], b["id"]]
    assert ids(api.get(f"{base}?parentId={parent['id']}&status=blocked")) == [b["id"]]
    assert ids(api.get(f"{base}?status=&assigneeAgentId=")) == [c["id"], b["id"], a["id"], parent["id"]]


def test_invalid_status_filter_is_400(api, world):
    r = api.get(f"/api/companies/{world.cid}/issues?status=todo,doing")
    assert r.status == 400, r
    assert r.json["details"]["status"] == "unknown status: doing"


def test_pagination_has_no_duplicates_or_gaps(api, world, clock):
    made = []
    for n in range(11):
        clock.advance(seconds=1)
        made.append(new_issue(api, world, title=f"i{n}", priority=["high", "low", "medium"][n % 3],
                              status="todo" if n % 2 else "backlog")["id"])
    full = ids(api.get(f"/api/companies/{world.cid}/issues?limit=200"))
    assert sorted(full) == sorted(made)
    for limit in (1, 3, 4, 11):
        seen, pages = all_pages(api, f"/api/companies/{world.cid}/issues", limit)
        assert seen == full, limit
    # with a filter, pages may be short but the union is still exact and in order
    todo = ids(api.get(f"/api/companies/{world.cid}/issues?status=todo"))
    assert len(todo) == 5
    seen, _ = all_pages(api, f"/api/companies/{world.cid}/issues?status=todo", 2)
    assert seen == todo


def test_limit_and_cursor_validation(api, world):
    base = f"/api/companies/{world.cid}/issues"
    assert api.get(f"{base}?limit=abc").status == 400
    assert api.get(f"{base}?cursor=garbage!!").status == 400


def test_other_companies_are_403_and_never_mixed(api, world):
    other = make_world(api, "Globex")
    mine = new_issue(api, world)
    theirs = api.post(f"/api/companies/{other.cid}/issues", {"title": "theirs"}).json
    assert ids(api.get(f"/api/companies/{world.cid}/issues")) == [mine["id"]]
    assert ids(api.get(f"/api/companies/{other.cid}/issues")) == [theirs["id"]]
    assert ids(api.get(f"/api/companies/{world.cid}/issues", token=world.alice_key)) == [mine["id"]]
    assert api.get(f"/api/companies/{other.cid}/issues", token=world.alice_key).status == 403
