"""Webhook secrets at rest: KMS envelope encryption (SPEC §6: never stored in plaintext).

`seal` asks KMS for a fresh 256-bit data key (`GenerateDataKey`), encrypts the secret locally with
AES-GCM and keeps only the KMS-encrypted data key, the nonce and the ciphertext. `open_envelope`
asks KMS to decrypt the data key and decrypts locally. The trigger id is the AES-GCM associated data
and the KMS encryption context, so an envelope copied onto another trigger does not decrypt.

Cold start: the botocore client and `cryptography` are created/imported on first use only.
"""
from __future__ import annotations

import base64
import os
import threading
from typing import Any

from chalicelib import aws_session
from chalicelib.config import settings

_client = None
_lock = threading.Lock()


def _kms():
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = aws_session.create_client("kms", region_name=settings().region)
    return _client


def seal(secret: str, trigger_id: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = _kms().generate_data_key(KeyId=settings().kms_key_id, KeySpec="AES_256",
                                   EncryptionContext={"triggerId": trigger_id})
    nonce = os.urandom(12)
    ciphertext = AESGCM(key["Plaintext"]).encrypt(nonce, secret.encode("utf-8"), trigger_id.encode("utf-8"))
    return {
        "v": 1,
        "encryptedKey": base64.b64encode(key["CiphertextBlob"]).decode("ascii"),
        "nonce": base64.b64encode(nonce).decode("ascii"),
        "ciphertext": base64.b64encode(ciphertext).decode("ascii"),
    }


def open_envelope(envelope: dict[str, Any], trigger_id: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data_key = _kms().decrypt(CiphertextBlob=base64.b64decode(envelope["encryptedKey"]),
                              EncryptionContext={"triggerId": trigger_id})["Plaintext"]
    plaintext = AESGCM(data_key).decrypt(base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["ciphertext"]),
                                         trigger_id.encode("utf-8"))
    return plaintext.decode("utf-8")
