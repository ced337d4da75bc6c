"""`make run`: the whole service on one machine, with no AWS account, keeping its data.

One process (so Ctrl-C, SIGTERM and even SIGKILL stop all of it):
- DynamoDB: Amazon DynamoDB Local, a Java child process, its SQLite file under `<data dir>/dynamodb/`
  (`PAPERCLIP_DYNAMODB_ENGINE=moto` uses the moto server instead: nothing kept, for machines without
  Java);
- S3 and KMS: a moto server on loopback, made durable by `durable_blobs` (objects mirrored under
  `<data dir>/s3/` before each write is acknowledged) and `durable_kms` (the key under
  `<data dir>/kms/`), so attachments, large documents and sealed webhook secrets survive restarts;
- the API: the Chalice app behind `serve.py`'s server on PORT (default 3100) under /api;
- the scheduler: the same tick as the per-minute Lambda, at the top of every minute.

Configuration (README, "Local AWS and tests"): PORT, PAPERCLIP_DATA_DIR (default .data/),
DYNAMODB_PORT and MOTO_PORT (default: free ports, written to `<data dir>/stack.json`), plus every
service setting of the README's table. The process environment wins over .chalice/config.json's
`local` stage, whose values are only defaults. `--reset` deletes the stored data first; `make reset`
(`--reset-only`) deletes it and exits. Two runners never share a data directory (a lock file).
"""
from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

from infra.local import durable_kms, stack_file
from infra.local.aws import dynamodb_engine, local_aws_env, provision_bucket_and_key, start_moto
from infra.local.durable_blobs import BlobMirror

ROOT = Path(__file__).resolve().parents[2]


def _say(message: str) -> None:
    print(f"[paperclip] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.run")
    parser.add_argument("--reset", action="store_true", help="delete the stored data first (start empty)")
    parser.add_argument("--reset-only", action="store_true", help="delete the stored data and exit (`make reset`)")
    args = parser.parse_args(argv)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines are noise here
    data_dir = stack_file.data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock_data_dir(data_dir)
    if lock is None:
        _say(f"another `make run` is using {data_dir} (see {data_dir / stack_file.NAME}); "
             "stop it or set PAPERCLIP_DATA_DIR")
        return 1
    if args.reset or args.reset_only:
        _delete_contents(data_dir)
        _say(f"deleted the data in {data_dir}")
        if args.reset_only:
            return 0

    api_port = int(os.environ.get("PORT") or 3100)
    _apply_stage_defaults(api_port)
    engine = dynamodb_engine()
    stop = threading.Event()
    cleanups: list = []
    try:
        dynamodb_endpoint = None
        if engine == "dynamodb-local":
            from infra.local.dynamodb_local import DynamoDBLocal

            ddb = DynamoDBLocal(db_path=data_dir / "dynamodb", port=int(os.environ.get("DYNAMODB_PORT") or 0) or None,
                                log_path=data_dir / "dynamodb-local.log")
            ddb.start()  # from the main thread: the JVM's parent-death signal follows this thread
            cleanups.append(ddb.stop)
            dynamodb_endpoint = ddb.endpoint
        moto, moto_endpoint = start_moto(int(os.environ.get("MOTO_PORT") or 0) or None,
                                         wrap=lambda app: BlobMirror(app, data_dir / "s3"))
        cleanups.append(moto.stop)
        os.environ.update(local_aws_env(moto_endpoint, dynamodb_endpoint=dynamodb_endpoint))
        restored = _provision(data_dir, moto.app)
        _say(f"DynamoDB: {'DynamoDB Local at ' + dynamodb_endpoint if dynamodb_endpoint else 'moto (nothing kept)'}; "
             f"S3 and KMS: moto at {moto_endpoint}; data in {data_dir} ({restored} stored objects)")

        from app import app
        from infra.local import serve

        server = serve.make_server(app, "127.0.0.1", api_port)
        serve.serve_in_thread(server)
        cleanups.append(lambda: serve.stop(server))
        stack_file.write(data_dir, _stack_info(data_dir, api_port, dynamodb_endpoint or moto_endpoint, moto_endpoint, engine))
        cleanups.append(lambda: stack_file.remove(data_dir))
        _say(f"API on http://localhost:{api_port}/api  (auth: {os.environ['AUTH_MODE']}; "
             f"try: curl http://localhost:{api_port}/api/health)")
        _say(f"board page on http://localhost:{api_port}/")

        threading.Thread(target=_scheduler_loop, args=(stop,), name="scheduler", daemon=True).start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.wait(3600):
            pass
    finally:
        stop.set()
        for cleanup in reversed(cleanups):
            cleanup()
        _say("stopped")
    return 0


def _lock_data_dir(data_dir: Path):
    """An exclusive lock on the data directory for the runner's lifetime (released when it dies)."""
    handle = open(data_dir / ".lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _delete_contents(data_dir: Path) -> None:
    """Everything in the data directory but the lock we hold."""
    for entry in data_dir.iterdir():
        if entry.name == ".lock":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _apply_stage_defaults(api_port: int) -> None:
    """.chalice/config.json's values for the `local` stage, under whatever the environment already says.

    (`chalice local` did the opposite, so AUTH_MODE=authenticated was silently ignored.) Webhook URLs
    and the OpenAPI `servers` follow PORT unless PAPERCLIP_PUBLIC_BASE_URL is set.
    """
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    defaults = {**config.get("environment_variables", {}),
                **config["stages"]["local"].get("environment_variables", {})}
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PAPERCLIP_PUBLIC_BASE_URL", f"http://localhost:{api_port}")


def _provision(data_dir: Path, mirror: BlobMirror) -> int:
    """Tables (kept by DynamoDB Local), the KMS key (restored or created and saved), the bucket and the
    stored objects (replayed into moto). Returns how many objects were replayed."""
    import boto3

    from chalicelib.config import settings
    from chalicelib.store.registry import create_all_tables

    cfg = settings()
    create_all_tables()
    key_file = data_dir / "kms" / "key.json"
    if cfg.kms_key_id.startswith("alias/"):
        durable_kms.restore(key_file, cfg.kms_key_id, cfg.region)
    created_key = provision_bucket_and_key()
    if created_key:
        durable_kms.save(key_file, created_key, cfg.region)
    return mirror.restore(boto3.client("s3", region_name=cfg.region))


def _stack_info(data_dir: Path, api_port: int, dynamodb: str, moto: str, engine: str) -> dict:
    from chalicelib.config import settings

    cfg = settings()
    return {
        "pid": os.getpid(), "api": f"http://127.0.0.1:{api_port}", "dynamodb": dynamodb, "s3kms": moto,
        "engine": engine, "dataDir": str(data_dir),
        "env": {"PAPERCLIP_STAGE": cfg.stage, "PAPERCLIP_TABLE_PREFIX": cfg.table_prefix,
                "PAPERCLIP_ATTACHMENTS_BUCKET": cfg.attachments_bucket, "PAPERCLIP_KMS_KEY_ID": cfg.kms_key_id,
                "PAPERCLIP_PUBLIC_BASE_URL": cfg.public_base_url, "PAPERCLIP_SCHEDULER_SHARDS": str(cfg.scheduler_shards)},
    }


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
            _say(f"scheduler tick failed: {exc!r}")


if __name__ == "__main__":
    sys.exit(main())
