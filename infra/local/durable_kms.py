"""Keep the runner's KMS key across restarts, so webhook secrets sealed before a restart still open.

moto creates every key with a fresh id and fresh random material, and its ciphertext blobs name the
key id; KMS's own way to bring key material (ImportKeyMaterial) is not implemented by moto. So the
runner saves the key's id and 256-bit material to `<data dir>/kms/key.json` (mode 0600) the first
time it creates the key, and on later starts re-creates the key in moto's backend under the same id
with the same material, before anything asks KMS for a data key. Local only: a deployed stage's key
lives in AWS KMS and never leaves it.
"""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path


def _backend(region: str):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.kms.models import kms_backends

    return kms_backends[DEFAULT_ACCOUNT_ID][region]


def restore(path: Path, alias: str, region: str) -> bool:
    """Re-create the saved key (same id, same material) behind `alias`; False if none was saved."""
    if not path.exists():
        return False
    saved = json.loads(path.read_text())
    backend = _backend(region)
    key = backend.create_key(policy=None, key_usage="ENCRYPT_DECRYPT", key_spec="SYMMETRIC_DEFAULT",
                             description="paperclip local webhook secrets", tags=None)
    del backend.keys[key.id]
    key.id = saved["keyId"]
    key.arn = f"{key.arn.rsplit('/', 1)[0]}/{key.id}"
    key.key_material = base64.b64decode(saved["material"])
    backend.keys[key.id] = key
    backend.create_alias(key.id, alias)
    return True


def save(path: Path, key_id: str, region: str) -> None:
    """Write the key's id and material (0600, written whole before it is renamed into place)."""
    key = _backend(region).keys[key_id]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"keyId": key.id, "material": base64.b64encode(key.key_material).decode()}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
