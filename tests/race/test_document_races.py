"""Concurrent document writes (moto server, real HTTP server, many threads): one winner per revision."""
from concurrent.futures import ThreadPoolExecutor

import boto3
import requests

from chalicelib.config import settings
from tests.issue_setup import make_issue

WRITERS = 32


def test_concurrent_updates_from_one_base_make_exactly_one_revision(live_server, api, world):
    issue = make_issue(api, world)
    url = f"{live_server}/api/issues/{issue['id']}/documents/plan"
    first = requests.put(url, json={"format": "markdown", "body": "v1"}, timeout=60)
    assert first.status_code == 201, first.text
    base = first.json()["latestRevisionId"]

    def write(i):
        # Half of them large enough to go to S3, so the losers' bodies must be cleaned up too.
        body = f"writer {i}\n" + ("é" * 20_000 if i % 2 else "")
        r = requests.put(url, json={"format": "markdown", "body": body, "baseRevisionId": base}, timeout=60)
        return r.status_code, r.json(), body

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(write, range(WRITERS)))

    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200] + [409] * (WRITERS - 1)
    (_, winner, winner_body), = [r for r in results if r[0] == 200]
    assert winner["latestRevisionNumber"] == 2
    assert all(loser["details"]["currentRevisionId"] == winner["latestRevisionId"] for status, loser, _ in results if status == 409)

    revisions = requests.get(url + "/revisions", timeout=60).json()
    assert [(r["revisionNumber"], r["body"]) for r in revisions] == [(2, winner_body), (1, "v1")]
    assert requests.get(url, timeout=60).json()["body"] == winner_body

    # Only the winner's body (if it was large) is left in S3.
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=settings().attachments_bucket, Prefix="documents/").get("Contents", [])]
    assert keys == ([f"documents/{world.cid}/{issue['id']}/{winner['id']}/{winner['latestRevisionId']}"] if len(winner_body) > 20_000 else [])


def test_concurrent_creates_of_one_key_make_one_document(live_server, api, world):
    issue = make_issue(api, world)
    url = f"{live_server}/api/issues/{issue['id']}/documents/design"

    def create(i):
        r = requests.put(url, json={"format": "markdown", "body": f"creator {i}"}, timeout=60)
        return r.status_code, r.json()

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(create, range(WRITERS)))
    assert sorted(s for s, _ in results) == [201] + [409] * (WRITERS - 1)
    (_, winner), = [r for r in results if r[0] == 201]
    assert all(body["details"]["currentRevisionId"] == winner["latestRevisionId"] for s, body in results if s == 409)
    revisions = requests.get(url + "/revisions", timeout=60).json()
    assert [(r["revisionNumber"], r["id"]) for r in revisions] == [(1, winner["latestRevisionId"])]
