"""Issue documents (SPEC §4 "Documents"): create/update with revision checks, history, delete, limits."""
from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.config import settings
from chalicelib.ids import is_uuid
from tests.helpers import make_world
from tests.issue_setup import make_issue

# 520,000 characters; 2.25 bytes of UTF-8 per character on average: about 1.17 MB.
UNIT = "ab\u20ac\U0001F600"  # a, b, euro sign (3 bytes), emoji (4 bytes, a surrogate pair in JSON)
BIG = (UNIT * 130_000)
BIG2 = "\u00e9\u20ac\U0001F600\n\U0001F680" * 103_999  # 519,995 characters, about 1.46 MB


def docs_url(issue: dict, key: str = "") -> str:
    return f"/api/issues/{issue['id']}/documents" + (f"/{key}" if key else "")


def put(api, issue, key, body: dict, **kw):
    # Sent as UTF-8 JSON, as real clients do.
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return api.put(docs_url(issue, key), raw=raw, **kw)


def all_pages(api, url: str) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        r = api.get(url + (f"{'&' if '?' in url else '?'}cursor={cursor}" if cursor else ""))
        assert r.status == 200, r
        pages.append(r.json)
        cursor = r.headers.get("x-next-cursor")
        if not cursor:
            return pages


def s3_keys(prefix: str) -> list[str]:
    s3 = boto3.client("s3", region_name="us-east-1")
    listing = s3.list_objects_v2(Bucket=settings().attachments_bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listing.get("Contents", []))


@pytest.fixture
def issue(api, world):
    return make_issue(api, world)


def test_large_body_round_trips_exactly_through_create_update_and_history(api, world, issue, clock):
    assert len(BIG) == 520_000 and len(BIG.encode("utf-8")) > 1_000_000
    assert len(BIG2) == 519_995 and len(BIG2.encode("utf-8")) > 1_000_000

    created = put(api, issue, "plan", {"title": "Plan", "format": "markdown", "body": BIG})
    assert created.status == 201, created
    doc = created.json
    assert doc["body"] == BIG
    assert (doc["key"], doc["title"], doc["format"], doc["latestRevisionNumber"]) == ("plan", "Plan", "markdown", 1)
    assert doc["createdAt"] == doc["updatedAt"] == "2026-03-01T12:00:00.000Z"
    assert is_uuid(doc["latestRevisionId"])

    got = api.get(docs_url(issue, "plan"))
    assert got.status == 200 and got.json == doc

    # The body lives in S3; DynamoDB keeps only the pointer.
    from chalicelib.store.documents import IssueDocument

    item = IssueDocument.get(issue["id"], "plan", consistent_read=True)
    assert item.body is None and item.body_blob and item.body_bytes == len(BIG.encode("utf-8"))
    assert s3_keys(f"documents/{world.cid}/{issue['id']}/") == [item.body_blob]

    clock.advance(minutes=5)
    updated = put(api, issue, "plan", {"format": "markdown", "body": BIG2, "baseRevisionId": doc["latestRevisionId"],
                                       "changeSummary": "rewrite"})
    assert updated.status == 200, updated
    assert updated.json["body"] == BIG2
    assert updated.json["latestRevisionNumber"] == 2
    assert updated.json["title"] == "Plan"  # omitted title: kept
    assert updated.json["createdAt"] == "2026-03-01T12:00:00.000Z"
    assert updated.json["updatedAt"] == "2026-03-01T12:05:00.000Z"
    assert api.get(docs_url(issue, "plan")).json["body"] == BIG2

    # Two bodies this size are more than one response should carry (pages are budgeted by their JSON
    # size with every non-ASCII character escaped, ~4 MB): one revision per page.
    pages = all_pages(api, docs_url(issue, "plan") + "/revisions")
    assert [[r["revisionNumber"] for r in page] for page in pages] == [[2], [1]]
    revisions = [r for page in pages for r in page]
    assert [(r["revisionNumber"], r["body"], r["changeSummary"]) for r in revisions] == [(2, BIG2, "rewrite"), (1, BIG, None)]
    assert [r["id"] for r in revisions] == [updated.json["latestRevisionId"], doc["latestRevisionId"]]


def test_small_bodies_stay_inline_and_empty_body_is_allowed(api, world, issue):
    r = put(api, issue, "notes", {"format": "markdown", "body": ""})
    assert r.status == 201 and r.json["body"] == "" and r.json["title"] is None
    r = put(api, issue, "notes", {"format": "markdown", "body": "x" * 32 * 1024, "baseRevisionId": r.json["latestRevisionId"]})
    assert r.status == 200
    assert api.get(docs_url(issue, "notes")).json["body"] == "x" * 32 * 1024
    assert s3_keys("documents/") == []


def test_revision_conflicts_report_the_current_revision(api, world, issue):
    first = put(api, issue, "design", {"format": "markdown", "body": "v1"}).json
    rev1 = first["latestRevisionId"]

    again = put(api, issue, "design", {"format": "markdown", "body": "create again"})
    assert again.status == 409
    assert again.json["details"]["currentRevisionId"] == rev1

    second = put(api, issue, "design", {"format": "markdown", "body": "v2", "baseRevisionId": rev1})
    assert second.status == 200
    rev2 = second.json["latestRevisionId"]

    stale = put(api, issue, "design", {"format": "markdown", "body": "v3", "baseRevisionId": rev1})
    assert stale.status == 409
    assert stale.json["details"]["currentRevisionId"] == rev2
    assert stale.json["details"]["currentRevisionNumber"] == 2

    unknown = put(api, issue, "design", {"format": "markdown", "body": "v3", "baseRevisionId": "not-a-revision"})
    assert unknown.status == 409 and unknown.json["details"]["currentRevisionId"] == rev2

    missing = put(api, issue, "nothing-here", {"format": "markdown", "body": "x", "baseRevisionId": rev1})
    assert missing.status == 409
    assert missing.json["details"]["currentRevisionId"] is None
    assert api.get(docs_url(issue, "nothing-here")).status == 404

    null_base = put(api, issue, "fresh", {"format": "markdown", "body": "x", "baseRevisionId": None})
    assert null_base.status == 201

    history = api.get(docs_url(issue, "design") + "/revisions").json
    assert [(r["revisionNumber"], r["body"]) for r in history] == [(2, "v2"), (1, "v1")]
    assert api.get(docs_url(issue, "design")).json["body"] == "v2"


INVALID_KEYS = ["Bad Key", "-lead", "_lead", "a" * 65, "dots.not.ok", "sl%2Fash", "\u00fcn\u00ef"]


def test_invalid_keys_are_400(api, issue):
    for key in INVALID_KEYS:
        r = put(api, issue, key, {"format": "markdown", "body": "x"})
        assert r.status == 400, (key, r)
        assert "key" in r.json["details"]
        assert api.get(docs_url(issue, key)).status == 400
        assert api.get(docs_url(issue, key) + "/revisions").status == 400
        assert api.delete(docs_url(issue, key)).status == 400
    assert api.get(docs_url(issue)).json == []


def test_keys_are_stored_lower_case(api, issue):
    r = put(api, issue, "PLAN", {"format": "markdown", "body": "x"})
    assert r.status == 201 and r.json["key"] == "plan"
    assert api.get(docs_url(issue, "plan")).json["key"] == "plan"
    assert api.get(docs_url(issue, "Plan")).status == 200
    assert put(api, issue, "a" * 64, {"format": "markdown", "body": "x"}).status == 201
    assert put(api, issue, "0-b_c", {"format": "markdown", "body": "x"}).status == 201


INVALID_BODIES = [
    ({"format": "markdown", "body": "x" * 524_289}, "body"),
    ({"format": "markdown", "body": "x", "title": "t" * 201}, "title"),
    ({"format": "markdown", "body": "x", "changeSummary": "c" * 501}, "changeSummary"),
    ({"format": "html", "body": "x"}, "format"),
    ({"body": "x"}, "format"),
    ({"format": "markdown"}, "body"),
    ({"format": "markdown", "body": 5}, "body"),
    ({"format": "markdown", "body": "x", "extra": 1}, "extra"),
]


def test_body_validation(api, issue):
    for body, field in INVALID_BODIES:
        r = put(api, issue, "plan", body)
        assert r.status == 400, (body if len(str(body)) < 200 else field, r)
        assert field in r.json["details"]
    assert api.put(docs_url(issue, "plan"), raw=b"{not json").status == 400
    assert api.put(docs_url(issue, "plan"), raw=b"[]").status == 400
    assert api.get(docs_url(issue)).json == []


def test_limits_are_inclusive(api, issue):
    body = {"format": "markdown", "body": "\x01" * 524_288, "title": "t" * 200, "changeSummary": "c" * 500}
    r = put(api, issue, "max", body)
    assert r.status == 201, r
    assert api.get(docs_url(issue, "max")).json["body"] == body["body"]


def test_a_body_that_would_not_fit_a_lambda_response_is_413(api, issue):
    """524,288 characters beyond the BMP are 6 MB once escaped for the Lambda envelope: GET document
    could never answer it (issue #11), so the write is refused and nothing is stored."""
    r = put(api, issue, "emoji", {"format": "markdown", "body": "\U0001F600" * 524_288})
    assert r.status == 413 and "body" in r.json["details"], r
    assert api.get(docs_url(issue)).json == []
    assert put(api, issue, "emoji", {"format": "markdown", "body": "\U0001F600" * 340_000}).status == 201


def test_revisions_newest_first_with_paging(api, issue, clock):
    base = None
    ids = []
    for n in range(1, 5):
        payload = {"format": "markdown", "body": f"body {n}", "title": f"T{n}", "changeSummary": f"change {n}"}
        if base:
            payload["baseRevisionId"] = base
        r = put(api, issue, "notes", payload)
        assert r.status == (201 if n == 1 else 200)
        assert r.json["latestRevisionNumber"] == n
        base = r.json["latestRevisionId"]
        ids.append(base)
        clock.advance(seconds=1)

    full = api.get(docs_url(issue, "notes") + "/revisions").json
    assert [r["revisionNumber"] for r in full] == [4, 3, 2, 1]
    assert [r["id"] for r in full] == ids[::-1]
    assert [(r["title"], r["body"], r["changeSummary"]) for r in full] == [(f"T{n}", f"body {n}", f"change {n}") for n in (4, 3, 2, 1)]
    assert [r["createdAt"] for r in full] == [f"2026-03-01T12:00:0{n}.000Z" for n in (3, 2, 1, 0)]
    assert set(full[0]) >= {"id", "revisionNumber", "title", "body", "changeSummary", "createdAt"}

    first = api.get(docs_url(issue, "notes") + "/revisions?limit=3")
    assert [r["revisionNumber"] for r in first.json] == [4, 3, 2]
    cursor = first.headers["x-next-cursor"]
    rest = api.get(docs_url(issue, "notes") + f"/revisions?limit=3&cursor={cursor}")
    assert [r["revisionNumber"] for r in rest.json] == [1]
    assert "x-next-cursor" not in rest.headers
    assert api.get(docs_url(issue, "notes") + "/revisions?limit=abc").status == 400
    assert api.get(docs_url(issue, "notes") + "/revisions?cursor=garbage").status == 400


def test_revision_pages_stop_at_the_body_budget(api, issue, monkeypatch):
    from chalicelib.services.issues import issue_documents

    base = None
    for n in range(5):
        payload = {"format": "markdown", "body": str(n) * 100}
        if base:
            payload["baseRevisionId"] = base
        base = put(api, issue, "plan", payload).json["latestRevisionId"]
    monkeypatch.setattr(issue_documents, "REVISIONS_PAGE_BODY_BUDGET", 250)  # two bodies of 102 JSON bytes per page

    pages = all_pages(api, docs_url(issue, "plan") + "/revisions")
    assert [[x["revisionNumber"] for x in page] for page in pages] == [[5, 4], [3, 2], [1]]
    pages = all_pages(api, docs_url(issue, "plan") + "/revisions?limit=3")  # limit and budget together
    assert [[x["revisionNumber"] for x in page] for page in pages] == [[5, 4], [3, 2], [1]]


def test_list_documents_has_summaries_without_bodies(api, world, issue):
    put(api, issue, "plan", {"format": "markdown", "body": "the plan", "title": "Plan"})
    put(api, issue, "design", {"format": "markdown", "body": BIG})
    r = api.get(docs_url(issue))
    assert r.status == 200
    assert [d["key"] for d in r.json] == ["design", "plan"]
    assert all("body" not in d for d in r.json)
    assert r.json[1]["title"] == "Plan" and r.json[1]["latestRevisionNumber"] == 1

    from chalicelib.services.issues.issue_documents import plan_and_summaries_json

    plan, summaries = plan_and_summaries_json(issue["id"])
    assert summaries == r.json
    assert plan["body"] == "the plan" and plan["key"] == "plan"
    other = make_issue(api, world, "Other")
    assert plan_and_summaries_json(other["id"]) == (None, [])


def test_issue_identifier_works_as_issue_id(api, issue):
    path = f"/api/issues/{issue['identifier'].lower()}/documents/plan"
    r = api.put(path, {"format": "markdown", "body": "by identifier"})
    assert r.status == 201
    assert api.get(f"/api/issues/{issue['identifier']}/documents/plan").json["body"] == "by identifier"
    assert api.get("/api/issues/NOPE-999/documents/plan").status == 404


def test_agents_read_and_write_but_only_the_board_deletes(api, world, issue):
    agent = world.alice_key
    created = put(api, issue, "plan", {"format": "markdown", "body": BIG}, token=agent)
    assert created.status == 201
    assert api.get(docs_url(issue, "plan"), token=agent).status == 200

    refused = api.delete(docs_url(issue, "plan"), token=agent)
    assert refused.status == 403
    assert api.get(docs_url(issue, "plan")).status == 200

    prefix = f"documents/{world.cid}/{issue['id']}/"
    assert len(s3_keys(prefix)) == 1
    assert api.delete(docs_url(issue, "plan")).status == 204
    assert api.get(docs_url(issue, "plan")).status == 404
    assert api.get(docs_url(issue, "plan") + "/revisions").status == 404
    assert api.delete(docs_url(issue, "plan")).status == 404
    assert s3_keys(prefix) == []

    from chalicelib.store.documents import DocumentRevision

    assert list(DocumentRevision.query(created.json["id"])) == []

    again = put(api, issue, "plan", {"format": "markdown", "body": "fresh start"})
    assert again.status == 201 and again.json["latestRevisionNumber"] == 1
    assert [r["body"] for r in api.get(docs_url(issue, "plan") + "/revisions").json] == ["fresh start"]


def test_other_companies_cannot_see_documents(api, world, issue):
    put(api, issue, "plan", {"format": "markdown", "body": "secret"})
    other = make_world(api, "Other Co")
    assert api.get(docs_url(issue, "plan"), token=other.alice_key).status == 404
    assert api.get(docs_url(issue), token=other.alice_key).status == 404
    assert put(api, issue, "plan", {"format": "markdown", "body": "x"}, token=other.alice_key).status == 404


def test_writes_are_in_the_activity_log(api, world, issue, clock):
    rev1 = put(api, issue, "plan", {"format": "markdown", "body": "a"}).json["latestRevisionId"]
    clock.advance(seconds=1)
    put(api, issue, "plan", {"format": "markdown", "body": "b", "baseRevisionId": rev1}, token=world.alice_key)
    clock.advance(seconds=1)
    api.delete(docs_url(issue, "plan"))
    log = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}").json
    mine = [(e["action"], e["actorType"], e["details"]["key"]) for e in log if e["action"].startswith("issue.document_")]
    assert mine == [
        ("issue.document_deleted", "board", "plan"),
        ("issue.document_updated", "agent", "plan"),
        ("issue.document_created", "board", "plan"),
    ]


def test_a_failed_write_leaves_no_body_behind(api, world, issue, monkeypatch):
    """Another writer creates the key between our read and our transaction: 409, and our S3 body is gone."""
    from chalicelib.services.issues import issue_documents

    put(api, issue, "plan", {"format": "markdown", "body": "small"})
    monkeypatch.setattr(issue_documents, "_find", lambda issue_id, key, _real=issue_documents._find: None if key == "plan" else _real(issue_id, key))
    r = put(api, issue, "plan", {"format": "markdown", "body": BIG})
    assert r.status == 409
    monkeypatch.undo()
    assert s3_keys("documents/") == []
    assert api.get(docs_url(issue, "plan")).json["body"] == "small"


def test_the_seed_examples_with_curl(live_server, api, world, issue):
    """The documents calls of seeds/issues-api.txt, as curl sends them to the local server."""
    import shutil
    import subprocess

    assert shutil.which("curl"), "curl is on every machine image the suite runs on"
    base = f"{live_server}/api/issues/{issue['id']}/documents"

    def curl(*args: str) -> tuple[int, str]:
        out = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=30, check=True)
        body, _, status = out.stdout.rpartition("\n")
        return int(status), body

    status, body = curl("-X", "PUT", f"{base}/plan", "-H", "Content-Type: application/json",
                        "-d", '{"title": "Implementation plan", "format": "markdown", "body": "# Plan\\n\\n..."}')
    assert status == 201, body
    created = json.loads(body)
    assert created["body"] == "# Plan\n\n..."
    status, body = curl("-X", "PUT", f"{base}/plan", "-H", "Content-Type: application/json",
                        "-d", json.dumps({"title": "Implementation plan", "format": "markdown", "body": "# Plan v2",
                                          "baseRevisionId": created["latestRevisionId"]}))
    assert status == 200 and json.loads(body)["latestRevisionNumber"] == 2
    status, body = curl(base)
    assert status == 200 and [d["key"] for d in json.loads(body)] == ["plan"]
    status, body = curl(f"{base}/plan")
    assert status == 200 and json.loads(body)["body"] == "# Plan v2"
    status, body = curl(f"{base}/plan/revisions")
    assert status == 200 and [r["revisionNumber"] for r in json.loads(body)] == [2, 1]
    status, body = curl("-X", "DELETE", f"{base}/plan")
    assert (status, body) == (204, "")


def test_get_issue_carries_the_plan_and_summaries(api, issue):
    assert api.get(f"/api/issues/{issue['id']}").json["planDocument"] is None
    plan = put(api, issue, "plan", {"format": "markdown", "body": BIG, "title": "Plan"}).json
    put(api, issue, "notes", {"format": "markdown", "body": "n"})
    got = api.get(f"/api/issues/{issue['identifier']}").json
    assert got["planDocument"] == plan
    assert got["documentSummaries"] == [
        {k: v for k, v in d.items() if k != "body"} for d in (api.get(docs_url(issue, "notes")).json, plan)
    ]


def test_list_documents_pages_by_key_and_filters_system_documents(api, issue):
    for key in ("a1", "a2", "continuation-summary", "b1", "plan"):
        assert put(api, issue, key, {"format": "markdown", "body": key}).status == 201

    pages = all_pages(api, docs_url(issue) + "?limit=2")
    # The system document is filtered out of its page (a page may then be short: one Query each).
    assert [[d["key"] for d in page] for page in pages] == [["a1", "a2"], ["b1"], ["plan"]]
    pages = all_pages(api, docs_url(issue) + "?limit=2&includeSystem=true")
    assert [[d["key"] for d in page] for page in pages] == [["a1", "a2"], ["b1", "continuation-summary"], ["plan"]]
    first = api.get(docs_url(issue) + "?limit=0")  # clamped to 1
    assert [d["key"] for d in first.json] == ["a1"] and first.headers.get("x-next-cursor")
    assert api.get(docs_url(issue) + "?limit=x").status == 400
    assert api.get(docs_url(issue) + "?cursor=forged").status == 400


def test_get_issue_embeds_the_first_summaries_and_still_the_plan_beyond_them(api, issue, monkeypatch):
    from chalicelib.services.issues import issue_documents

    for key in ("a1", "a2", "a3", "b1", "plan"):
        put(api, issue, key, {"format": "markdown", "body": f"body of {key}"})
    monkeypatch.setattr(issue_documents, "SUMMARIES_SHOWN", 3)
    got = api.get(f"/api/issues/{issue['id']}").json
    assert [d["key"] for d in got["documentSummaries"]] == ["a1", "a2", "a3"]
    assert got["planDocument"]["body"] == "body of plan"  # read by key when not among the first
    monkeypatch.setattr(issue_documents, "SUMMARIES_SHOWN", 5)
    got = api.get(f"/api/issues/{issue['id']}").json
    assert [d["key"] for d in got["documentSummaries"]] == ["a1", "a2", "a3", "b1", "plan"]
    assert got["planDocument"]["body"] == "body of plan"
