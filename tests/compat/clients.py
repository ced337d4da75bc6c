"""Runs the real clients as their users do: the `paperclipai` CLI, paperclip-mcp over stdio, curl.

Every runner returns what the CLIENT produced (exit status, stdout, stderr; the MCP tool results), so
tests assert the client's own view, not only our status codes.

CLI environment (notes/cli.md §1.2): `PAPERCLIP_API_URL` is the origin without `/api`, the key comes
from `PAPERCLIP_API_KEY`, the run id from `PAPERCLIP_RUN_ID`; HOME and cwd are an empty directory so no
context profile, auth store or `.paperclip/` of the machine is read; telemetry is off. Nothing but
loopback is reached.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.compat import install

DRIVER = Path(__file__).with_name("mcp_driver.py")
# A single CLI call or MCP session that takes this long is hung (they take about a second).
CLIENT_TIMEOUT_SEC = 120


@dataclass
class Result:
    """A client process's outcome. `json` parses stdout (the CLI's `--json` output)."""

    argv: list[str]
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error(self) -> str:
        """The CLI's error line: `API error <status>: <message>[ details=<json>]` (handleCommandError,
        notes/cli.md §1.4), after the Node-version warning the CLI prints on Node 20; "" if none."""
        lines = [line for line in self.err.splitlines() if line.startswith(("API error", "Error"))]
        return lines[-1] if lines else ""

    def __repr__(self) -> str:
        return f"<exit {self.code} {' '.join(self.argv)!r}\nstdout: {self.out[:1500]}\nstderr: {self.err[:1500]}>"


def _base_env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PAPERCLIP_HOME": str(home / ".paperclip"),
        "PAPERCLIP_TELEMETRY_DISABLED": "1",
        "DO_NOT_TRACK": "1",
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
        "TMPDIR": str(home),
    }


class Cli:
    """`paperclipai …` against one server with one credential (board token, agent key or run JWT)."""

    def __init__(self, base_url: str, home: Path, api_key: str | None = None, run_id: str | None = None):
        self.base_url = base_url
        self.home = home
        self.api_key = api_key
        self.run_id = run_id

    def env(self) -> dict[str, str]:
        env = _base_env(self.home)
        env["PAPERCLIP_API_URL"] = self.base_url
        if self.api_key:
            env["PAPERCLIP_API_KEY"] = self.api_key
        if self.run_id:
            env["PAPERCLIP_RUN_ID"] = self.run_id
        return env

    def as_(self, api_key: str | None, run_id: str | None = None) -> "Cli":
        return Cli(self.base_url, self.home, api_key, run_id)

    def __call__(self, *args: str) -> Result:
        argv = ["node", str(install.cli_entry()), *args]
        p = subprocess.run(argv, cwd=self.home, env=self.env(), capture_output=True, text=True,
                           timeout=CLIENT_TIMEOUT_SEC, stdin=subprocess.DEVNULL)
        return Result(list(args), p.returncode, p.stdout, p.stderr)

    def ok(self, *args: str) -> Any:
        """Runs a `--json` command that must succeed; returns its printed JSON."""
        r = self(*args, "--json")
        assert r.code == 0, r
        return r.json

    def fails(self, *args: str) -> Result:
        r = self(*args)
        assert r.code == 1, r
        return r


@dataclass
class ToolResult:
    """One MCP tool call as the MCP client saw it (notes/mcp.md §3: HTTP failures are ordinary results
    whose JSON has `isError`/`status`; `protocol_error` is the MCP-level flag)."""

    name: str
    protocol_error: bool
    data: Any  # the tool's JSON result (dict or list); [] when the tool returned an empty list
    text: str

    @property
    def failed(self) -> bool:
        return isinstance(self.data, dict) and bool(self.data.get("isError"))

    @property
    def status(self) -> int | None:
        return self.data.get("status") if isinstance(self.data, dict) else None


def mcp_session(base_url: str, company_id: str, api_key: str, calls: list[tuple[str, dict]]) -> tuple[list[str], list[ToolResult]]:
    """One paperclip-mcp process over stdio; runs `calls` in order. Returns (tool names, results)."""
    request = {
        "env": {"PAPERCLIP_BASE_URL": f"{base_url}/api", "PAPERCLIP_COMPANY_ID": company_id,
                "PAPERCLIP_API_KEY": api_key},
        "calls": [[name, args] for name, args in calls],
    }
    p = subprocess.run([str(install.mcp_python()), str(DRIVER)], input=json.dumps(request), capture_output=True,
                       text=True, timeout=CLIENT_TIMEOUT_SEC, env={**_base_env(Path(os.environ.get("TMPDIR", "/tmp"))),
                                                                  "PYTHONDONTWRITEBYTECODE": "1"})
    assert p.returncode == 0, f"driver failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}"
    answer = json.loads(p.stdout)
    results = [ToolResult(r["name"], r["protocolError"], r["data"], r["text"]) for r in answer["results"]]
    return answer["tools"], results


def curl(*args: str, env: dict[str, str] | None = None) -> Result:
    """curl as the skill's snippets run it; prints the body, then the status on a last line."""
    argv = ["curl", "-sS", "-w", "\n%{http_code}", *args]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=CLIENT_TIMEOUT_SEC, env=env)
    return Result(argv, p.returncode, p.stdout, p.stderr)


def python_exe() -> str:
    return sys.executable
