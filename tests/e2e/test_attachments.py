"""Issue attachments (SPEC §4 "Attachments"): multipart upload, list, download, delete, limits."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess

import boto3
import pytest
import requests
from urllib3.filepost import encode_multipart_formdata

from chalicelib.config import settings
from chalicelib.ids import is_uuid
from tests.helpers import make_world
from tests.issue_setup import make_issue

# Every byte value, CRLFs and something that looks like a boundary: the bytes must come back exactly.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16 + b"\r\n--boundary\r\n\x00\xff"


def multipart(filename: str | None = "pic.png", data: bytes = PNG, content_type: str | None = "image/png",
              field: str = "file", extra: dict | None = None) -> tuple[bytes, dict]:
    if filename is None and content_type is None:
        value = data  # a plain form field: no filename, no Content-Type
    else:
        value = (filename, data, content_type) if content_type else (filename, data)
    fields = {**(extra or {}), field: value}
    body, ctype = encode_multipart_formdata(fields)
    return body, {"Content-Type": ctype}


def upload(api, world, issue, **kw):
    token = kw.pop("token", None)
    body, headers = multipart(**kw)
    return api.post(f"/api/companies/{issue['companyId']}/issues/{issue['id']}/attachments", raw=body, headers=headers, token=token)


def s3():
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def issue(api, world):
    return make_issue(api, world)


@pytest.fixture
def small_limit(monkeypatch):
    """attachment_max_bytes = 1024 for one test. settings() is cached: clear it before and after, and read
    it again at once, here; chalice.test patches in the .chalice/config.json stage's variables while it
    handles a request, so a first read inside a request would see that stage, not the test's."""
    monkeypatch.setenv("PAPERCLIP_ATTACHMENT_MAX_BYTES", "1024")
    settings.cache_clear()
    assert settings().attachment_max_bytes == 1024
    yield 1024
    monkeypatch.delenv("PAPERCLIP_ATTACHMENT_MAX_BYTES")
    settings.cache_clear()
    settings()


def test_upload_list_download_round_trip(api, world, issue):
    r = upload(api, world, issue)
    assert r.status == 201, r
    record = r.json
    assert is_uuid(record["id"])
    assert record == {
        "id": record["id"],
        "companyId": world.cid,
        "issueId": issue["id"],
        "contentType": "image/png",
        "byteSize": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "originalFilename": "pic.png",
        "contentPath": f"/api/attachments/{record['id']}/content",
        "createdAt": "2026-03-01T12:00:00.000Z",
        # upstream's IssueAttachment fields (issue #14)
        "issueCommentId": None,
        "originatingRunId": None,
        "createdByAgentId": None,
        "createdByUserId": "local-board",
        "openPath": f"/api/attachments/{record['id']}/content",
        "downloadPath": f"/api/attachments/{record['id']}/content?download=1",
        "updatedAt": "2026-03-01T12:00:00.000Z",
    }

    listed = api.get(f"/api/issues/{issue['id']}/attachments")
    assert listed.status == 200 and listed.json == [record]
    assert api.get(f"/api/issues/{issue['identifier']}/attachments").json == [record]

    content = api.get(record["contentPath"], headers={"Accept": "*/*"})
    assert content.status == 200
    assert content.body == PNG
    assert content.headers["content-type"] == "image/png"
    assert content.headers["content-disposition"] == 'inline; filename="pic.png"'
    assert content.headers["x-content-type-options"] == "nosniff"

    stored = s3().get_object(Bucket=settings().attachments_bucket, Key=f"attachments/{world.cid}/{issue['id']}/{record['id']}")
    assert stored["Body"].read() == PNG


def test_upload_by_identifier_and_with_other_fields(api, world, issue):
    body, headers = multipart(extra={"note": "hello"})
    r = api.post(f"/api/companies/{world.cid}/issues/{issue['identifier']}/attachments", raw=body, headers=headers)
    assert r.status == 201 and r.json["issueId"] == issue["id"]


def test_binary_download_needs_an_accept_header_that_allows_it(api, world, issue):
    record = upload(api, world, issue).json
    refused = api.get(record["contentPath"])  # no Accept header at all
    assert refused.status == 406
    assert refused.json["details"] == {"contentType": "image/png"}
    assert api.get(record["contentPath"], headers={"Accept": "image/png"}).body == PNG
    assert api.get(record["contentPath"], headers={"Accept": "text/html,*/*;q=0.8"}).body == PNG


def test_text_attachments_download_without_accept(api, world, issue):
    text = "naïve café 😀\r\nline two\n".encode("utf-8")
    record = upload(api, world, issue, filename="notes.md", data=text, content_type="text/markdown").json
    r = api.get(record["contentPath"])
    assert r.status == 200 and r.body == text
    assert r.headers["content-type"] == "text/markdown"

    latin = b"caf\xe9;not utf-8"
    record = upload(api, world, issue, filename="data.csv", data=latin, content_type="text/csv").json
    assert record["contentType"] == "text/csv"
    r = api.get(record["contentPath"], headers={"Accept": "*/*"})
    assert r.body == latin and r.headers["content-type"] == "application/octet-stream"


def test_filenames_are_sanitized_and_encoded(api, world, issue):
    boundary = b"b0undary"
    body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; "
            b"filename=\"../../etc/\\\"quoted\\\" r\xc3\xa9sum\xc3\xa9\x07.pdf\"\r\n"
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--b0undary--\r\n")
    r = api.post(f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body,
                 headers={"Content-Type": "multipart/form-data; boundary=" + boundary.decode()})
    assert r.status == 201, r
    record = r.json
    assert record["originalFilename"] == '"quoted" résumé.pdf'
    r = api.get(record["contentPath"], headers={"Accept": "*/*"})
    assert r.headers["content-disposition"] == (
        "inline; filename=\"\\\"quoted\\\" resume.pdf\"; filename*=UTF-8''%22quoted%22%20r%C3%A9sum%C3%A9.pdf"
    )
    assert r.body == b"%PDF-1.7"

    nameless = upload(api, world, issue, filename=None, data=b"plain", content_type=None)  # a plain form field: text/plain
    assert nameless.status == 201, nameless
    assert nameless.json["originalFilename"] is None and nameless.json["contentType"] == "text/plain"
    assert api.get(nameless.json["contentPath"]).headers["content-disposition"] == 'inline; filename="attachment"'


def test_size_limit_is_inclusive_and_413_beyond(api, world, issue, small_limit):
    assert upload(api, world, issue, data=b"x" * small_limit).status == 201
    too_big = upload(api, world, issue, data=b"x" * (small_limit + 1))
    assert too_big.status == 413
    assert too_big.json["details"] == {"maxBytes": 1024, "byteSize": 1025}
    assert len(api.get(f"/api/issues/{issue['id']}/attachments").json) == 1


def test_rejections(api, world, issue):
    url = f"/api/companies/{world.cid}/issues/{issue['id']}/attachments"
    empty = upload(api, world, issue, data=b"")
    assert empty.status == 422

    bad_type = upload(api, world, issue, filename="x.html", data=b"<html>", content_type="text/html")
    assert bad_type.status == 415 and bad_type.json["details"]["contentType"] == "text/html"

    not_multipart = api.post(url, {"file": "not a file"})
    assert not_multipart.status == 415
    assert api.post(url, raw=b"raw bytes", headers={"Content-Type": "application/octet-stream"}).status == 415
    assert api.post(url, raw=b"", headers={"Content-Type": ""}).status == 415

    body, headers = multipart(field="document")
    missing = api.post(url, raw=body, headers=headers)
    assert missing.status == 400 and missing.json["details"] == {"file": "required"}

    body, headers = multipart()
    assert api.post(url, raw=body[:-20], headers=headers).status == 400  # cut short
    assert api.post(url, raw=body, headers={"Content-Type": "multipart/form-data"}).status == 400  # no boundary
    assert api.post(url, raw=b"nothing like it", headers=headers).status == 400

    assert api.get(f"/api/issues/{issue['id']}/attachments").json == []
    assert s3().list_objects_v2(Bucket=settings().attachments_bucket).get("KeyCount") == 0


def test_company_and_issue_must_match(api, world, issue):
    other = make_world(api, "Other Co")
    other_issue = make_issue(api, other, company=other.company)
    body, headers = multipart()
    # The issue belongs to another company than the path says: 404.
    r = api.post(f"/api/companies/{other.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers)
    assert r.status == 404
    # An agent on another company's path: 403.
    r = api.post(f"/api/companies/{world.cid}/issues/{issue['id']}/attachments", raw=body, headers=headers, token=other.alice_key)
    assert r.status == 403
    r = api.post(f"/api/companies/{world.cid}/issues/00000000-0000-4000-8000-000000000000/attachments", raw=body, headers=headers)
    assert r.status == 404
    # An agent of the company may upload; other companies see nothing.
    mine = upload(api, world, issue, token=world.alice_key)
    assert mine.status == 201
    assert api.get(mine.json["contentPath"], token=other.alice_key, headers={"Accept": "*/*"}).status == 404
    assert api.get(f"/api/issues/{issue['id']}/attachments", token=other.alice_key).status == 404
    assert api.delete(f"/api/attachments/{mine.json['id']}", token=other.alice_key).status == 404
    assert api.get(f"/api/issues/{other_issue['id']}/attachments", token=other.alice_key).json == []


def test_delete_removes_record_and_object(api, world, issue, clock):
    record = upload(api, world, issue).json
    key = f"attachments/{world.cid}/{issue['id']}/{record['id']}"
    assert s3().head_object(Bucket=settings().attachments_bucket, Key=key)["ContentLength"] == len(PNG)

    clock.advance(seconds=1)
    assert api.delete(f"/api/attachments/{record['id']}", token=world.alice_key).status == 204
    with pytest.raises(s3().exceptions.ClientError) as missing:
        s3().head_object(Bucket=settings().attachments_bucket, Key=key)
    assert missing.value.response["Error"]["Code"] == "404"
    assert api.get(record["contentPath"], headers={"Accept": "*/*"}).status == 404
    assert api.get(f"/api/issues/{issue['id']}/attachments").json == []
    assert api.delete(f"/api/attachments/{record['id']}").status == 404
    assert api.delete("/api/attachments/not-a-uuid").status == 404

    log = api.get(f"/api/companies/{world.cid}/activity?entityType=issue&entityId={issue['id']}").json
    assert [(e["action"], e["actorType"], e["details"]["attachmentId"]) for e in log if "attachment" in e["action"]] == [
        ("issue.attachment_deleted", "agent", record["id"]),
        ("issue.attachment_added", "board", record["id"]),
    ]


def test_list_pages_in_upload_order(api, world, issue, clock):
    ids = []
    for n in range(3):
        ids.append(upload(api, world, issue, filename=f"{n}.png").json["id"])
        clock.advance(seconds=1)
    first = api.get(f"/api/issues/{issue['id']}/attachments?limit=2")
    assert [a["id"] for a in first.json] == ids[:2]
    rest = api.get(f"/api/issues/{issue['id']}/attachments?limit=2&cursor={first.headers['x-next-cursor']}")
    assert [a["id"] for a in rest.json] == ids[2:]


def test_through_a_real_http_server(live_server, api, world, issue):
    """The raw bytes survive a real socket both ways (chalice local's server), with requests and curl."""
    url = f"{live_server}/api/companies/{world.cid}/issues/{issue['id']}/attachments"
    r = requests.post(url, files={"file": ("pic.png", PNG, "image/png")}, timeout=30)
    assert r.status_code == 201, r.text
    record = r.json()
    assert record["byteSize"] == len(PNG) and record["sha256"] == hashlib.sha256(PNG).hexdigest()

    got = requests.get(live_server + record["contentPath"], timeout=30)  # requests sends Accept: */*
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Length"] == str(len(PNG))
    assert got.headers["Content-Disposition"] == 'inline; filename="pic.png"'
    download = requests.get(live_server + record["contentPath"] + "?download=1", timeout=30)
    assert download.headers["Content-Disposition"] == 'attachment; filename="pic.png"'
    assert download.content == PNG

    assert shutil.which("curl"), "curl is on every machine image the suite runs on"
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"upload-{record['id']}.png")
    with open(path, "wb") as f:
        f.write(PNG)
    try:
        out = subprocess.run(["curl", "-sS", "-F", f"file=@{path}", url], capture_output=True, timeout=30, check=True)
        uploaded = __import__("json").loads(out.stdout)
        assert (uploaded["byteSize"], uploaded["contentType"]) == (len(PNG), "image/png")  # curl names the type from the extension
        down = subprocess.run(["curl", "-sS", live_server + uploaded["contentPath"]], capture_output=True, timeout=30, check=True)
        assert down.stdout == PNG
    finally:
        os.remove(path)
