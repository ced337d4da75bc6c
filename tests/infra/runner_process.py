"""The real `make run` runner (`python -m infra.local.run`) as a child process of a test.

Its environment is the machine's, without what tests/conftest.py set for the in-process tests (AWS
endpoints, stage, auth mode, JWT secret), so it configures itself as it would for a user. Waiting for
it to come up polls /api/health (allowed: no timing is asserted).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from infra.local.aws import free_port
from infra.local.dynamodb_local import QUICK_START

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SEC = 240  # JVM start + table creation on a busy 2-core machine running the suite


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "PAPERCLIP_", "PYTEST_")) and k not in ("AUTH_MODE", "LOG_LEVEL")}
    env.update(extra)
    return env


class Runner:
    def __init__(self, data_dir: Path, port: int | None = None, **env: str):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Quick-start JVM unless the caller says otherwise (benchmarks pass PAPERCLIP_DYNAMODB_JAVA_OPTS="").
        self.env = clean_env(PAPERCLIP_DATA_DIR=str(data_dir), PORT=str(self.port),
                             **{"PAPERCLIP_DYNAMODB_JAVA_OPTS": " ".join(QUICK_START), **env})
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"runner-{data_dir.name}.log"

    def start(self) -> "Runner":
        log = open(self.log, "ab")
        # Its own process group: shutdown() can take its children (DynamoDB Local's JVM) down with it.
        self.process = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_SEC
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"runner exited: {self.log.read_text()[-3000:]}"
            try:
                if requests.get(f"{self.url}/api/health", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)  # polling for the server to come up, not timing anything
        self.shutdown()
        raise AssertionError(f"runner did not come up: {self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=60)

    def shutdown(self) -> None:
        """SIGTERM, as Ctrl-C would; the whole process group killed if that does not end it in a minute."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.stop()
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def call(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, f"{self.url}{path}", timeout=60, **kw)
