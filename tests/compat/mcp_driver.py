"""Drives paperclip-mcp 0.2.1 over stdio with the official `mcp` client. Runs in the MCP virtualenv
(tests/compat/install.py), never in the project's: it imports only that venv's packages.

stdin: {"env": {PAPERCLIP_BASE_URL, PAPERCLIP_COMPANY_ID, PAPERCLIP_API_KEY}, "calls": [[tool, args], …]}
stdout: {"tools": [names], "results": [{"name", "protocolError", "data", "text"}, …]} where `data` is the
tool's JSON (a dict, a list, or [] for an empty list: notes/mcp.md §3, an empty list has no content).

The server is started as its users start it (`python -m paperclip_mcp --transport stdio`); the stdio
client passes only the env given here (plus HOME/PATH…), as MCP hosts do (notes/mcp.md §6a).
"""
import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main(request: dict) -> dict:
    env = {**request["env"], "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "paperclip_mcp", "--transport", "stdio"],
                                   env=env)
    results = []
    with open(os.devnull, "w") as quiet:  # FastMCP's banner and logs go to stderr
        async with stdio_client(params, errlog=quiet) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = sorted(t.name for t in (await session.list_tools()).tools)
                for name, args in request["calls"]:
                    res = await session.call_tool(name, args)
                    text = "".join(getattr(c, "text", "") for c in res.content)
                    data = json.loads(text) if text else []
                    results.append({"name": name, "protocolError": bool(getattr(res, "is_error", False)),
                                    "data": data, "text": text})
    return {"tools": tools, "results": results}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.load(sys.stdin)))))
