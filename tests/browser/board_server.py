"""`make run`'s server (`python -m infra.local.run`) as a child process, for the browser tests.

Its environment is the machine's without what tests/conftest.py set for the in-process tests (AWS
endpoints, stage, auth mode, JWT secret), so it configures itself as it does for a user, plus: a free
PORT, a data directory of its own, and webhook URLs on that port. Waiting for it polls /api/health
(no timing is asserted).
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import requests

from infra.local.aws import free_port
from tests.infra.runner_process import ROOT, Runner


class BoardServer:
    """The runner (tests/infra/runner_process.Runner) with what the browser tests need besides: the local
    board (AUTH_MODE local_trusted), a moto port of its own for the S3/KMS emulation, and webhook URLs
    on its port."""

    def __init__(self, workdir: Path, **env: str):
        port, self.moto_port = free_port(), free_port()
        url = f"http://127.0.0.1:{port}"
        self.runner = Runner(workdir / "data", port, MOTO_PORT=str(self.moto_port), PAPERCLIP_PUBLIC_BASE_URL=url,
                             AUTH_MODE="local_trusted", **env)
        self.port, self.url, self.data_dir, self.env = port, url, self.runner.data_dir, self.runner.env

    def start(self) -> "BoardServer":
        self.runner.start()
        return self

    def stop(self) -> None:
        self.runner.shutdown()

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
