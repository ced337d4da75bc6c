"""Fixtures of the clients' suite: the service behind a real HTTP server, credentials, client runners.

`service` is the app on chalice's threaded LocalDevServer (tests/conftest.py `live_server`) against
this test's fresh moto server, with the injected FakeClock, in `AUTH_MODE=authenticated`: the clients
carry credentials as they do against a hosted stage. Setup goes through the in-process API (`api`,
same app, same tables) with the same credentials; only the call under test goes through the client.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.compat import install
from tests.compat.clients import Cli


@pytest.fixture(scope="session")
def cli_installed():
    """Installs (once per machine, under a lock) the CLI; the skill comes with @paperclipai/server."""
    return install.cli_entry()


@pytest.fixture(scope="session")
def mcp_installed():
    return install.mcp_python()


@pytest.fixture
def board(api, clock, authenticated):
    """A board user (not an instance admin) who created the company "Acme Corp": every permission in it."""
    from chalicelib.services.org import board_users

    user, token = board_users.create(None, {"name": "Dana"}, clock.now())
    company = api.post("/api/companies", {"name": "Acme Corp"}, token=token)
    assert company.status == 201, company
    return SimpleNamespace(user_id=user.id, token=token, company=company.json, cid=company.json["id"],
                           prefix=company.json["issuePrefix"])


@pytest.fixture
def service(live_server, board):
    return live_server


@pytest.fixture
def cli(cli_installed, service, board, tmp_path):
    """The CLI as the board user (board token in PAPERCLIP_API_KEY)."""
    home = tmp_path / "home"
    home.mkdir()
    return Cli(service, home, board.token)
