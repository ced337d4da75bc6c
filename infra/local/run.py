"""`make run`: the whole service on one machine, with no AWS account.

Starts an embedded moto server (DynamoDB, S3, KMS) on loopback, provisions it, serves the API with
`chalice local` on port 3100 under /api, and runs the scheduler tick every minute. Tables live in this
process's moto server, so they survive chalice local's auto-reload. Ctrl-C stops everything.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from infra.local.aws import apply_env, local_aws_env, provision, start_moto

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines are noise here
    api_port = int(os.environ.get("PORT", "3100"))
    moto_port = int(os.environ.get("MOTO_PORT", "0")) or None
    server, endpoint = start_moto(moto_port)
    env = {**local_aws_env(endpoint), "PAPERCLIP_STAGE": "local", "AUTH_MODE": os.environ.get("AUTH_MODE", "local_trusted")}
    apply_env(env)
    provision()
    print(f"[paperclip] local AWS (moto) at {endpoint}; tables created", flush=True)

    chalice = subprocess.Popen(
        [str(Path(sys.executable).with_name("chalice")), "local", "--host", "127.0.0.1", "--port", str(api_port), "--stage", "local"],
        cwd=ROOT, env={**os.environ, **env},
        # Its own process group: chalice's auto-reloader serves from a child process, and stopping only
        # the parent would leave that child holding the port.
        start_new_session=True,
    )
    print(f"[paperclip] API on http://localhost:{api_port}/api  (try: curl http://localhost:{api_port}/api/health)", flush=True)

    stop = threading.Event()
    scheduler = threading.Thread(target=_scheduler_loop, args=(stop,), daemon=True)
    scheduler.start()

    def shutdown(*_args) -> None:
        stop.set()

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)
    try:
        while not stop.is_set():
            if chalice.poll() is not None:
                print("[paperclip] chalice local exited", flush=True)
                break
            stop.wait(0.5)
    finally:
        _stop_group(chalice, signal.SIGTERM)
        try:
            chalice.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _stop_group(chalice, signal.SIGKILL)
        server.stop()
        print("[paperclip] stopped", flush=True)
    return 0


def _stop_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def _scheduler_loop(stop: threading.Event) -> None:
    """Call the same tick the per-minute Lambda calls, at the top of every minute."""
    from chalicelib import clock
    from chalicelib.services.routines import scheduler

    while not stop.is_set():
        now = clock.current().now()
        stop.wait(60 - now.second - now.microsecond / 1e6)
        if stop.is_set():
            return
        try:
            scheduler.tick(clock.current())
        except Exception as exc:  # keep the loop alive; the tick logs its own failures
            print(f"[paperclip] scheduler tick failed: {exc!r}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
