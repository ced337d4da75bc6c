"""The HTTP server in front of the Chalice app, for `make run` and the tests' live server.

It is chalice local's own request handling (`LocalDevServer`: API Gateway-style routing, binary types,
the same event shape as a deployed stage) in a process we control, replacing `chalice local`:

- TCP_NODELAY (NoDelayHandler): without it every keep-alive response waited ~40 ms for a delayed ACK;
- listen backlog 1024 instead of socketserver's 5: with 5, clients connecting at once while the
  threads are busy see "connection reset" before the app ever runs (seen at 24 concurrent webhook
  fires on a busy machine);
- no auto-reloader: chalice's reloader polls every file under the project (.venv included) once a
  second, ~15% of a core while idle, and restarts the server when `chalice package` writes into the
  checkout. Restart `make run` after changing code;
- the stage's environment from .chalice/config.json is not re-applied over the process environment,
  so `AUTH_MODE=authenticated make run` means what it says (the runner applies the file's `local`
  values only as defaults).
"""
from __future__ import annotations

import threading

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, ThreadedHTTPServer


class NoDelayHandler(ChaliceRequestHandler):
    """chalice local's handler with TCP_NODELAY on each connection.

    It writes the status line and headers, then the body, in two sends on a keep-alive connection;
    with Nagle's algorithm on, the body waits for the client's delayed ACK of the headers: ~40 ms added
    to every request (the "50 ms floor" seen under `chalice local`)."""

    disable_nagle_algorithm = True


class LoadReadyServer(ThreadedHTTPServer):
    """One thread per connection (chalice's), with a backlog that absorbs bursts of connections."""

    request_queue_size = 1024
    allow_reuse_address = True  # a restart right after a stop must not fail on TIME_WAIT sockets


def make_server(app, host: str, port: int) -> LocalDevServer:
    """Bind `host:port` (port 0: any free one; read it back from `server.server.server_address`)."""
    config = Config.create(chalice_stage="local", app_name=app.app_name)
    return LocalDevServer(app, config, host, port, handler_cls=NoDelayHandler, server_cls=LoadReadyServer)


def serve_in_thread(server: LocalDevServer) -> threading.Thread:
    thread = threading.Thread(target=server.server.serve_forever, name="http", daemon=True)
    thread.start()
    return thread


def stop(server: LocalDevServer) -> None:
    server.shutdown()  # waits for serve_forever to return; call from another thread than its own
    server.server.server_close()
