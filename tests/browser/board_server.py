"""`make run`'s server (`python -m infra.local.run`) as a child process, for the browser tests.

Its environment is the machine's without what tests/conftest.py set for the in-process tests (AWS
endpoints, stage, auth mode, JWT secret), so it configures itself as it does for a user, plus: a free
PORT, a data directory of its own, and webhook URLs on that port. Waiting for it polls /api/health
(no timing is asserted).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import requests

from infra.local.aws import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SEC = 240  # a busy 2-core machine running the rest of the suite beside it


class BoardServer:
    def __init__(self, workdir: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "runner.log"
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith(("AWS_", "PAPERCLIP_", "PYTEST_")) and k not in ("AUTH_MODE", "LOG_LEVEL", "MOTO_PORT")}
        self.data_dir = workdir / "data"
        self.moto_port = free_port()
        self.env = {**clean, "PORT": str(self.port), "PAPERCLIP_DATA_DIR": str(self.data_dir), "MOTO_PORT": str(self.moto_port),
                    "PAPERCLIP_PUBLIC_BASE_URL": self.url, "AUTH_MODE": "local_trusted", **env}
        self.process: subprocess.Popen | None = None

    def start(self) -> "BoardServer":
        log = open(self.log, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_SEC
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"make run's runner exited: {self.log.read_text()[-3000:]}"
            try:
                if requests.get(f"{self.url}/api/health", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)  # polling for the server to come up, not timing anything
        self.stop()
        raise AssertionError(f"make run's runner did not come up: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def tool_env(self) -> dict[str, str]:
        """The environment of a tool process that works on this server's tables (its endpoints and stage)."""
        stack = self.data_dir / "stack.json"
        if stack.exists():  # the runner says where its stores are
            from infra.local import stack_file

            return {**self.env, **stack_file.client_env(json.loads(stack.read_text()))}
        from infra.local.aws import local_aws_env

        return {**self.env, **local_aws_env(f"http://127.0.0.1:{self.moto_port}"), "PAPERCLIP_STAGE": "local"}

    def tick(self, at: datetime) -> dict:
        """One scheduler tick at `at` against this server's tables (tests/browser/fire_tick.py)."""
        result = subprocess.run([sys.executable, "-m", "tests.browser.fire_tick", at.isoformat()], cwd=ROOT,
                                env={**self.tool_env(), "LOG_LEVEL": "WARNING"}, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    # The API, as a client script would call it.
    def call(self, method: str, path: str, body=None, *, token: str | None = None, run_id: str | None = None,
             expect: int | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if run_id:
            headers["X-Paperclip-Run-Id"] = run_id
        response = requests.request(method, f"{self.url}/api{path}", json=body, headers=headers, timeout=60)
        if expect is not None:
            assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content and response.headers.get("content-type", "").startswith("application/json") else None
