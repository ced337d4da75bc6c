"""Make the runner's moto S3 keep its objects on disk: write-through on every acknowledged write,
replay at start.

moto keeps objects in memory only, and no other S3 emulator reachable from PyPI/npm/Debian is both
maintained and small. So the runner's moto server is wrapped (WSGI) by `BlobMirror`: when moto has
accepted a PutObject or DeleteObject (2xx), the object's bytes and content type are written to (or
removed from) `<data dir>/s3/<bucket>/<quoted key>` *before* the 2xx goes back to the caller, with a
write to a temporary file, fsync and rename, so a kill -9 at any point leaves either the old or the
new object, never half of one. At the next start `restore()` puts every file back through the S3 API.

Scope: the calls the service makes (PutObject, GetObject, DeleteObject on path-style URLs, which is
what botocore sends to an IP endpoint). Sub-resource requests (`?tagging`, multipart uploads) are not
mirrored; the service makes none.
"""
from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Iterable

META_SUFFIX = ".meta.json"


class BlobMirror:
    """WSGI middleware in front of moto's app; `enabled` is off while `restore()` replays files."""

    def __init__(self, app: Callable, root: Path):
        self.app = app
        self.root = root
        self.enabled = True

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        target = self._object_write(environ)
        if target is None:
            return self.app(environ, start_response)
        captured: list[Any] = []

        def hold(status: str, headers: list, exc_info=None):
            captured[:] = [status, headers, exc_info]
            return lambda _data: None  # moto never uses write(); it returns an iterable

        body = list(self.app(environ, hold))
        status, headers, exc_info = captured
        if status.startswith("2"):  # a failure to mirror is a 500: never a 2xx that is not on disk
            bucket, key = target
            if environ["REQUEST_METHOD"] == "PUT":
                self._save(bucket, key)
            else:
                self._remove(bucket, key)
        start_response(status, headers, exc_info)
        return body

    def _object_write(self, environ: dict) -> tuple[str, str] | None:
        if not self.enabled or environ["REQUEST_METHOD"] not in ("PUT", "DELETE"):
            return None
        if environ.get("HTTP_X_AMZ_TARGET") or environ.get("QUERY_STRING"):
            return None  # a JSON-protocol service (DynamoDB, KMS) or an S3 sub-resource
        # PEP 3333: PATH_INFO carries the URL-decoded bytes as latin-1 characters; keys are UTF-8.
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        bucket, _, key = path.lstrip("/").partition("/")
        return (bucket, key) if bucket and key else None

    def _path(self, bucket: str, key: str) -> Path:
        return self.root / bucket / urllib.parse.quote(key, safe="")

    def _save(self, bucket: str, key: str) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        stored = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_object(bucket, key)
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"key": key, "contentType": stored.metadata.get("content-type", "binary/octet-stream")}
        _write_atomically(Path(f"{path}{META_SUFFIX}"), json.dumps(meta).encode())
        _write_atomically(path, stored.value)

    def _remove(self, bucket: str, key: str) -> None:
        path = self._path(bucket, key)
        for victim in (path, Path(f"{path}{META_SUFFIX}")):
            victim.unlink(missing_ok=True)

    def restore(self, s3: Any) -> int:
        """Put every mirrored object back through `s3` (a boto3 client); returns how many."""
        self.enabled = False
        count = 0
        try:
            for bucket_dir in sorted(p for p in self.root.glob("*") if p.is_dir()):
                _ensure_bucket(s3, bucket_dir.name)
                for meta_path in bucket_dir.glob(f"*{META_SUFFIX}"):
                    data_path = Path(str(meta_path)[: -len(META_SUFFIX)])
                    if not data_path.exists():
                        continue  # killed between the two writes of a first PUT: never acknowledged
                    meta = json.loads(meta_path.read_bytes())
                    s3.put_object(Bucket=bucket_dir.name, Key=meta["key"], Body=data_path.read_bytes(),
                                  ContentType=meta["contentType"])
                    count += 1
        finally:
            self.enabled = True
        return count


def _ensure_bucket(s3: Any, bucket: str) -> None:
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
