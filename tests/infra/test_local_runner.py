"""`make run` as a user sees it: data kept across restarts (SIGTERM and SIGKILL), configuration honoured
(AUTH_MODE, PORT), bursts of connections served, local tools (admin, scheduler view) that need no
extra environment. Each test starts the real runner (`python -m infra.local.run`) as a process.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from urllib3.filepost import encode_multipart_formdata

from tests.infra.runner_process import ROOT, Runner, clean_env

BIG = "".join(chr(0x41 + i % 26) for i in range(512 * 1024 - 3)) + "é✓🙂"  # 512K characters, not all ASCII
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64


def _ok(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:500])
    return response.json()


def _write_everything(r: Runner) -> dict:
    """Company, agent, issue, comment, 512K-character document, attachment, webhook trigger; returns
    what each GET answered right after the writes, and the webhook's secret."""
    cid = _ok(r.call("POST", "/api/companies", json={"name": "Durable Corp"}), 201)["id"]
    alice = _ok(r.call("POST", f"/api/companies/{cid}/agents", json={"name": "Alice"}), 201)
    issue = _ok(r.call("POST", f"/api/companies/{cid}/issues", json={"title": "Keep me", "status": "todo"}), 201)
    iid = issue["id"]
    _ok(r.call("POST", f"/api/issues/{iid}/comments", json={"body": "remember this, @Alice"}), 201)
    doc_body = json.dumps({"title": "Plan", "format": "markdown", "body": BIG}, ensure_ascii=False).encode()
    _ok(r.call("PUT", f"/api/issues/{iid}/documents/plan", data=doc_body,
               headers={"Content-Type": "application/json"}), 201)
    body, ctype = encode_multipart_formdata({"file": ("pic.png", PNG, "image/png")})
    attachment = _ok(r.call("POST", f"/api/companies/{cid}/issues/{iid}/attachments", data=body,
                            headers={"Content-Type": ctype}), 201)
    project = _ok(r.call("POST", f"/api/companies/{cid}/projects", json={"name": "Launch"}), 201)
    routine = _ok(r.call("POST", f"/api/companies/{cid}/routines",
                         json={"title": "On webhook", "assigneeAgentId": alice["id"], "projectId": project["id"]}), 201)
    hook = _ok(r.call("POST", f"/api/routines/{routine['id']}/triggers", json={"kind": "webhook", "signingMode": "bearer"}), 201)
    return {"cid": cid, "iid": iid, "attachment": attachment, "routine": routine["id"],
            "trigger": hook["trigger"], "secret": hook["secretMaterial"]["webhookSecret"], "seen": _read_everything(r, cid, iid, attachment)}


def _read_everything(r: Runner, cid: str, iid: str, attachment: dict) -> dict:
    return {
        "company": _ok(r.call("GET", f"/api/companies/{cid}"), 200),
        "issue": _ok(r.call("GET", f"/api/issues/{iid}"), 200),
        "comments": _ok(r.call("GET", f"/api/issues/{iid}/comments"), 200),
        "document": _ok(r.call("GET", f"/api/issues/{iid}/documents/plan"), 200),
        "attachments": _ok(r.call("GET", f"/api/issues/{iid}/attachments"), 200),
        "content": r.call("GET", attachment["contentPath"], headers={"Accept": "*/*"}).content,
    }


def _written_then_restarted(tmp_path: Path, sig: int) -> tuple[Runner, dict]:
    first = Runner(tmp_path / "data").start()
    try:
        written = _write_everything(first)
    finally:
        first.stop(sig)  # SIGKILL: right after the last 2xx, nothing gets to shut down cleanly
    return Runner(tmp_path / "data", port=first.port).start(), written


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_every_byte_survives_a_restart_and_reset_empties(tmp_path, sig):
    again, w = _written_then_restarted(tmp_path, sig)
    try:
        now = _read_everything(again, w["cid"], w["iid"], w["attachment"])
        assert now == w["seen"]
        assert now["document"]["body"] == BIG and now["content"] == PNG
        assert [c["body"] for c in now["comments"]] == ["remember this, @Alice"]
        # The webhook secret was sealed with the KMS key before the restart: it must still open.
        fire = f"/api/routine-triggers/public/{w['trigger']['publicId']}/fire"
        assert again.call("POST", fire, json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401
        fired = _ok(again.call("POST", fire, json={"payload": {"n": 1}}, headers={"Authorization": f"Bearer {w['secret']}"}), 202)
        assert fired["triggerId"] == w["trigger"]["id"] and fired["status"] == "issue_created"
        # `make reset` refuses while the runner holds the data directory ...
        assert _reset(again).returncode == 1
    finally:
        again.stop()
    # ... and empties it afterwards: nothing is left for the next start to find.
    assert _reset(again).returncode == 0
    assert [p.name for p in again.data_dir.iterdir()] == [".lock"]


def _reset(runner: Runner) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infra.local.run", "--reset-only"], cwd=ROOT, capture_output=True,
                          text=True, env=runner.env)


@pytest.fixture(scope="module")
def authenticated_runner(tmp_path_factory):
    runner = Runner(tmp_path_factory.mktemp("auth") / "data", AUTH_MODE="authenticated").start()
    yield runner
    runner.stop()


def _tool(runner: Runner, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          env=clean_env(PAPERCLIP_DATA_DIR=str(runner.data_dir)))


def test_auth_mode_and_port_are_honoured(authenticated_runner):
    r = authenticated_runner
    assert _ok(r.call("GET", "/api/health"), 200)["authMode"] == "authenticated"
    assert r.call("GET", "/api/companies").status_code == 401
    assert r.call("POST", "/api/companies", json={"name": "Nope"}).status_code == 401
    servers = _ok(r.call("GET", "/api/openapi.json"), 200)["servers"]
    assert servers == [{"url": f"http://localhost:{r.port}"}]

    # The admin command finds the running stack by itself (no endpoint, no AWS keys in its environment).
    made = _tool(r, "tools.admin", "create-board-user", "--stage", "local", "--name", "Ops", "--instance-admin")
    assert made.returncode == 0, made.stderr
    auth = {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}
    cid = _ok(r.call("POST", "/api/companies", json={"name": "Port Corp"}, headers=auth), 201)["id"]
    agent = _ok(r.call("POST", f"/api/companies/{cid}/agents", json={"name": "Al"}, headers=auth), 201)
    project = _ok(r.call("POST", f"/api/companies/{cid}/projects", json={"name": "P"}, headers=auth), 201)
    routine = _ok(r.call("POST", f"/api/companies/{cid}/routines",
                         json={"title": "Hook", "assigneeAgentId": agent["id"], "projectId": project["id"]}, headers=auth), 201)
    hook = _ok(r.call("POST", f"/api/routines/{routine['id']}/triggers", json={"kind": "webhook"}, headers=auth), 201)
    assert hook["secretMaterial"]["webhookUrl"].startswith(f"http://localhost:{r.port}/api/routine-triggers/public/")


def test_a_burst_of_48_clients_gets_no_connection_error(authenticated_runner):
    start = threading.Barrier(48)
    results: list = []

    def client() -> None:
        start.wait()
        try:  # a new connection per client, all at once
            results.append(requests.get(f"{authenticated_runner.url}/api/health", timeout=120).status_code)
        except requests.RequestException as exc:
            results.append(repr(exc))

    threads = [threading.Thread(target=client) for _ in range(48)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 48


def test_scheduler_view_lists_due_triggers_and_ticks_now(authenticated_runner):
    r = authenticated_runner
    made = _tool(r, "tools.admin", "create-board-user", "--stage", "local", "--name", "Sched", "--instance-admin")
    auth = {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}
    cid = _ok(r.call("POST", "/api/companies", json={"name": "Cron Corp"}, headers=auth), 201)["id"]
    agent = _ok(r.call("POST", f"/api/companies/{cid}/agents", json={"name": "Al"}, headers=auth), 201)
    project = _ok(r.call("POST", f"/api/companies/{cid}/projects", json={"name": "P"}, headers=auth), 201)
    routine = _ok(r.call("POST", f"/api/companies/{cid}/routines",
                         json={"title": "Daily", "assigneeAgentId": agent["id"], "projectId": project["id"]}, headers=auth), 201)
    trigger = _ok(r.call("POST", f"/api/routines/{routine['id']}/triggers",
                         json={"kind": "schedule", "cronExpression": "0 9 * * *", "timezone": "UTC"}, headers=auth), 201)["trigger"]
    due = _tool(r, "infra.local.scheduler_cli", "due", "--within", "1440")
    assert due.returncode == 0, due.stderr
    assert f"trigger {trigger['id']}" in due.stdout and trigger["nextRunAt"] in due.stdout
    assert due.stdout.strip().endswith("within 1440 min")
    tick = _tool(r, "infra.local.scheduler_cli", "tick")
    assert tick.returncode == 0, tick.stderr
    report = json.loads(tick.stdout)
    assert {"due", "fired", "dropped", "lost", "errors", "more"} <= set(report)


def test_local_tools_say_what_is_missing_instead_of_a_traceback(tmp_path):
    no_stack = clean_env(PAPERCLIP_DATA_DIR=str(tmp_path / "nothing-here"))
    admin = subprocess.run([sys.executable, "-m", "tools.admin", "create-board-user", "--stage", "local", "--name", "Ops"],
                           cwd=ROOT, capture_output=True, text=True, env=no_stack)
    assert admin.returncode == 2 and "make run" in admin.stderr and "Traceback" not in admin.stderr
    no_credentials = clean_env(AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    admin = subprocess.run([sys.executable, "-m", "tools.admin", "create-board-user", "--stage", "prod", "--name", "Ops"],
                           cwd=ROOT, capture_output=True, text=True, env=no_credentials)
    assert admin.returncode == 2, admin.stderr
    assert "no AWS credentials" in admin.stderr and "Traceback" not in admin.stderr
    view = subprocess.run([sys.executable, "-m", "infra.local.scheduler_cli", "due"], cwd=ROOT, capture_output=True,
                          text=True, env=no_stack)
    assert view.returncode == 2 and "make run" in view.stderr and "Traceback" not in view.stderr
