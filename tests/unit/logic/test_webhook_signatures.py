"""Inbound webhook verification for every signing mode of SPEC §6."""
import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook

from chalicelib.logic.webhook_signatures import (
    SIGNING_MODES,
    SignatureError,
    VerifiedRequest,
    generate_secret,
    sign_github,
    sign_hmac_sha256,
    sign_standard_webhooks,
    verify,
)

NOW = datetime(2026, 4, 15, 12, 0, 0, tzinfo=timezone.utc)
NOW_TS = int(NOW.timestamp())  # 1776254400
BODY = b'{"payload": {"event": "invoice.paid", "amount": 12.50}}'
SECRET = "pcwh_" + "ab" * 32
WH_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks spec's example secret


def check(mode, headers, body=BODY, secret=SECRET, now=NOW, window=300):
    return verify(mode, secret, headers, body, now, window)


def refused(mode, headers, body=BODY, secret=SECRET, now=NOW, window=300, reason=None):
    with pytest.raises(SignatureError) as err:
        check(mode, headers, body, secret, now, window)
    if reason:
        assert reason in str(err.value)


# --------------------------------------------------------------------------- none / bearer / misuse

def test_none_always_passes():
    assert check("none", {}) == VerifiedRequest(mode="none")
    assert check("none", {}, secret="", body=b"") == VerifiedRequest(mode="none")


def test_unknown_mode_and_naive_now_are_programming_errors():
    with pytest.raises(ValueError):
        check("rsa", {})
    with pytest.raises(ValueError):
        check("bearer", {"Authorization": f"Bearer {SECRET}"}, now=datetime(2026, 4, 15))
    assert not issubclass(SignatureError, ValueError)


@pytest.mark.parametrize("header", [
    f"Bearer {SECRET}", f"bearer {SECRET}", f"BEARER {SECRET}", f"Bearer   {SECRET}  ",
])
def test_bearer_ok(header):
    assert check("bearer", {"Authorization": header}) == VerifiedRequest(mode="bearer")
    assert check("bearer", {"authorization": header}).mode == "bearer"
    assert check("bearer", {"AUTHORIZATION": header}).mode == "bearer"


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": SECRET},
    {"Authorization": f"Basic {SECRET}"},
    {"Authorization": f"Bearer {SECRET}x"},
    {"Authorization": f"Bearer {SECRET[:-1]}"},
    {"Authorization": "Bearer pcwh_wrong"},
    {"Authorization": "Bearer \u00e9\ud800"},
    {"X-Paperclip-Signature": f"Bearer {SECRET}"},
])
def test_bearer_refused(headers):
    refused("bearer", headers)


def test_empty_secret_never_verifies():
    refused("bearer", {"Authorization": "Bearer "}, secret="", reason="no secret")
    refused("github_hmac", {"X-Hub-Signature-256": sign_github("", BODY)}, secret="")


def test_conflicting_duplicate_headers_refused():
    refused("bearer", {"Authorization": f"Bearer {SECRET}", "authorization": "Bearer other"},
            reason="duplicate")
    assert check("bearer", {"Authorization": f"Bearer {SECRET}", "authorization": f"Bearer {SECRET}"})


# --------------------------------------------------------------------------- github_hmac

GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_BODY = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_published_vector():
    assert sign_github(GITHUB_SECRET, GITHUB_BODY) == GITHUB_SIGNATURE
    result = verify("github_hmac", GITHUB_SECRET, {"X-Hub-Signature-256": GITHUB_SIGNATURE},
                    GITHUB_BODY, NOW, 300)
    assert result == VerifiedRequest(mode="github_hmac", webhook_id=None, timestamp=None)


@pytest.mark.parametrize("headers", [
    {"x-hub-signature-256": GITHUB_SIGNATURE},
    {"X-Paperclip-Signature": GITHUB_SIGNATURE},
    {"X-Hub-Signature-256": GITHUB_SIGNATURE.upper().replace("SHA256=", "sha256=")},
    {"X-Hub-Signature-256": GITHUB_SIGNATURE[len("sha256="):]},  # bare hex accepted
    {"X-Hub-Signature-256": GITHUB_SIGNATURE, "X-Paperclip-Signature": "sha256=" + "0" * 64},
])
def test_github_header_variants(headers):
    assert verify("github_hmac", GITHUB_SECRET, headers, GITHUB_BODY, NOW, 300).mode == "github_hmac"


def test_github_has_no_replay_window():
    long_ago = NOW - timedelta(days=365)
    assert verify("github_hmac", GITHUB_SECRET, {"X-Hub-Signature-256": GITHUB_SIGNATURE,
                                                 "X-Paperclip-Timestamp": "garbage"},
                  GITHUB_BODY, long_ago, 30).mode == "github_hmac"


@pytest.mark.parametrize("headers, body, secret", [
    ({"X-Hub-Signature-256": GITHUB_SIGNATURE}, b"Hello, World!\n", GITHUB_SECRET),  # tampered
    ({"X-Hub-Signature-256": GITHUB_SIGNATURE}, b"Hello, World", GITHUB_SECRET),
    ({"X-Hub-Signature-256": GITHUB_SIGNATURE}, GITHUB_BODY, "It's a Secret to Everybody!"),
    ({"X-Hub-Signature-256": GITHUB_SIGNATURE}, GITHUB_BODY, "it's a secret to everybody"),
    ({}, GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature-256": ""}, GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature-256": "sha256="}, GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature-256": GITHUB_SIGNATURE[:-2]}, GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature-256": GITHUB_SIGNATURE + "00"}, GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature-256": GITHUB_SIGNATURE[:-1] + "g"}, GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature-256": "sha1=" + GITHUB_SIGNATURE[7:]}, GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature": "sha1=" + hmac.new(GITHUB_SECRET.encode(), GITHUB_BODY, hashlib.sha1).hexdigest()},
     GITHUB_BODY, GITHUB_SECRET),
    ({"X-Hub-Signature-256": "sha256=" + base64.b64encode(bytes.fromhex(GITHUB_SIGNATURE[7:])).decode()},
     GITHUB_BODY, GITHUB_SECRET),
])
def test_github_refused(headers, body, secret):
    with pytest.raises(SignatureError):
        verify("github_hmac", secret, headers, body, NOW, 300)


def test_github_signature_is_over_raw_bytes():
    body = '{"name": "caf\u00e9",  "n": 1.0}'.encode("utf-8")
    assert check("github_hmac", {"X-Hub-Signature-256": sign_github(SECRET, body)}, body=body)
    reencoded = b'{"name":"caf\\u00e9","n":1.0}'
    refused("github_hmac", {"X-Hub-Signature-256": sign_github(SECRET, body)}, body=reencoded)


def test_github_secret_key_is_utf8_of_secret():
    secret = "s\u00e9cret \u2603"
    signature = "sha256=" + hmac.new(secret.encode("utf-8"), BODY, hashlib.sha256).hexdigest()
    assert check("github_hmac", {"X-Hub-Signature-256": signature}, secret=secret)


# --------------------------------------------------------------------------- hmac_sha256

def hmac_headers(timestamp=NOW_TS, body=BODY, secret=SECRET, header="X-Paperclip-Signature"):
    return {header: sign_hmac_sha256(secret, timestamp, body), "X-Paperclip-Timestamp": str(timestamp)}


def test_hmac_sha256_ok_and_signed_bytes():
    signature = hmac_headers()["X-Paperclip-Signature"]
    expected = hmac.new(SECRET.encode(), f"{NOW_TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature == "sha256=" + expected
    assert check("hmac_sha256", hmac_headers()) == VerifiedRequest(
        mode="hmac_sha256", webhook_id=None, timestamp=float(NOW_TS))


@pytest.mark.parametrize("variant", ["prefixed", "bare", "upper", "hub-header", "lower-names"])
def test_hmac_sha256_variants(variant):
    headers = hmac_headers()
    if variant == "bare":
        headers["X-Paperclip-Signature"] = headers["X-Paperclip-Signature"][7:]
    elif variant == "upper":
        headers["X-Paperclip-Signature"] = "sha256=" + headers["X-Paperclip-Signature"][7:].upper()
    elif variant == "hub-header":
        headers = hmac_headers(header="X-Hub-Signature-256")
    elif variant == "lower-names":
        headers = {k.lower(): v for k, v in headers.items()}
    assert check("hmac_sha256", headers).mode == "hmac_sha256"


def test_hmac_sha256_tampered_body_and_wrong_secret():
    refused("hmac_sha256", hmac_headers(), body=BODY + b" ", reason="does not match")
    refused("hmac_sha256", hmac_headers(secret=SECRET + "x"), reason="does not match")
    refused("hmac_sha256", hmac_headers(), body=b"", reason="does not match")


def test_hmac_sha256_timestamp_is_signed():
    headers = hmac_headers()
    headers["X-Paperclip-Timestamp"] = str(NOW_TS + 1)
    refused("hmac_sha256", headers, reason="does not match")


def test_hmac_sha256_signature_without_timestamp_material():
    # A github-style signature over the body alone is not an hmac_sha256 signature.
    refused("hmac_sha256", {"X-Paperclip-Signature": sign_github(SECRET, BODY),
                            "X-Paperclip-Timestamp": str(NOW_TS)}, reason="does not match")


@pytest.mark.parametrize("offset, ok", [
    (0, True), (300, True), (-300, True), (301, False), (-301, False),
    (-3600, False), (3600, False), (-10**6, False),
])
def test_hmac_sha256_replay_window(offset, ok):
    headers = hmac_headers(timestamp=NOW_TS + offset)
    if ok:
        assert check("hmac_sha256", headers).timestamp == NOW_TS + offset
    else:
        refused("hmac_sha256", headers, reason="replay window")


def test_hmac_sha256_window_is_the_triggers():
    headers = hmac_headers(timestamp=NOW_TS - 3600)
    assert check("hmac_sha256", headers, window=3600)
    refused("hmac_sha256", headers, window=3599, reason="replay window")


def test_hmac_sha256_millisecond_timestamps():
    ms = NOW_TS * 1000 + 250
    assert check("hmac_sha256", hmac_headers(timestamp=ms)).timestamp == NOW_TS + 0.25
    refused("hmac_sha256", hmac_headers(timestamp=(NOW_TS - 301) * 1000), reason="replay window")
    refused("hmac_sha256", hmac_headers(timestamp=(NOW_TS + 301) * 1000), reason="replay window")
    # Exactly 10^12 is still seconds (far future), not milliseconds.
    refused("hmac_sha256", hmac_headers(timestamp=10**12), reason="replay window")


@pytest.mark.parametrize("stamp", [
    "", "abc", "1776254400abc", "-1776254400", "+1776254400", "1.7e9", "0x69DF6A40", "NaN",
    "inf", "1776254400.", "1 776 254 400", "\u0661\u0667\u0667\u0666",  # Arabic-Indic digits
    "9" * 40,
])
def test_hmac_sha256_bad_timestamps(stamp):
    headers = {"X-Paperclip-Signature": sign_hmac_sha256(SECRET, stamp, BODY),
               "X-Paperclip-Timestamp": stamp}
    refused("hmac_sha256", headers)


def test_hmac_sha256_fractional_seconds_tolerated():
    stamp = f"{NOW_TS}.5"
    headers = {"X-Paperclip-Signature": sign_hmac_sha256(SECRET, stamp, BODY),
               "X-Paperclip-Timestamp": stamp}
    assert check("hmac_sha256", headers).timestamp == NOW_TS + 0.5


@pytest.mark.parametrize("drop", ["X-Paperclip-Signature", "X-Paperclip-Timestamp"])
def test_hmac_sha256_missing_headers(drop):
    headers = hmac_headers()
    del headers[drop]
    refused("hmac_sha256", headers, reason="missing header")


@pytest.mark.parametrize("signature", [
    "", "sha256=", "sha256=xyz", "sha256=" + "0" * 63, "sha256=" + "0" * 65, "md5=" + "0" * 64,
    "sha256=" + "\u0660" * 64,
])
def test_hmac_sha256_garbage_signatures(signature):
    refused("hmac_sha256", {"X-Paperclip-Signature": signature, "X-Paperclip-Timestamp": str(NOW_TS)})


# --------------------------------------------------------------------------- standard_webhooks

MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def sw_headers(msg_id=MSG_ID, timestamp=NOW_TS, body=BODY, secret=WH_SECRET):
    signature = Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, timezone.utc), body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_standard_webhooks_library_signature_verifies():
    result = check("standard_webhooks", sw_headers(), secret=WH_SECRET)
    assert result == VerifiedRequest(mode="standard_webhooks", webhook_id=MSG_ID, timestamp=float(NOW_TS))


def test_standard_webhooks_our_signer_matches_the_library():
    ours = sign_standard_webhooks(WH_SECRET, MSG_ID, NOW_TS, BODY)
    assert ours == sw_headers()["webhook-signature"]
    key = base64.b64decode(WH_SECRET[len("whsec_"):])
    manual = base64.b64encode(hmac.new(key, f"{MSG_ID}.{NOW_TS}.".encode() + BODY, hashlib.sha256).digest())
    assert ours == "v1," + manual.decode()


def test_standard_webhooks_generated_secret_round_trip():
    secret = generate_secret("standard_webhooks")
    headers = sw_headers(secret=secret)
    assert check("standard_webhooks", headers, secret=secret).webhook_id == MSG_ID
    refused("standard_webhooks", headers, secret=generate_secret("standard_webhooks"))


def test_standard_webhooks_header_case_and_prefixless_secret():
    headers = {k.title(): v for k, v in sw_headers().items()}  # Webhook-Id, …
    assert check("standard_webhooks", headers, secret=WH_SECRET).webhook_id == MSG_ID
    assert check("standard_webhooks", sw_headers(), secret=WH_SECRET[len("whsec_"):])


def test_standard_webhooks_tampered_body():
    refused("standard_webhooks", sw_headers(), body=BODY.replace(b"12.50", b"99.50"),
            secret=WH_SECRET, reason="no matching")


def test_standard_webhooks_wrong_secret():
    other = "whsec_" + base64.b64encode(b"x" * 24).decode()
    refused("standard_webhooks", sw_headers(), secret=other, reason="no matching")


def test_standard_webhooks_id_and_timestamp_are_signed():
    headers = sw_headers()
    refused("standard_webhooks", {**headers, "webhook-id": "msg_other"}, secret=WH_SECRET)
    refused("standard_webhooks", {**headers, "webhook-timestamp": str(NOW_TS + 1)}, secret=WH_SECRET)


@pytest.mark.parametrize("offset", [-301, 301, -86400, 86400])
def test_standard_webhooks_stale_and_future(offset):
    refused("standard_webhooks", sw_headers(timestamp=NOW_TS + offset), secret=WH_SECRET,
            reason="replay window")


@pytest.mark.parametrize("offset", [-300, 300])
def test_standard_webhooks_window_edges(offset):
    assert check("standard_webhooks", sw_headers(timestamp=NOW_TS + offset), secret=WH_SECRET)


def test_standard_webhooks_millisecond_timestamp():
    stamp = str(NOW_TS * 1000)
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": stamp,
               "webhook-signature": sign_standard_webhooks(WH_SECRET, MSG_ID, stamp, BODY)}
    assert check("standard_webhooks", headers, secret=WH_SECRET).timestamp == NOW_TS


@pytest.mark.parametrize("drop", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_standard_webhooks_missing_headers(drop):
    headers = sw_headers()
    del headers[drop]
    refused("standard_webhooks", headers, secret=WH_SECRET, reason="missing header")
    refused("standard_webhooks", {**sw_headers(), drop: ""}, secret=WH_SECRET, reason="missing header")


def test_standard_webhooks_multiple_signatures():
    good = sw_headers()["webhook-signature"]
    wrong = sign_standard_webhooks("whsec_" + base64.b64encode(b"y" * 32).decode(), MSG_ID, NOW_TS, BODY)
    headers = sw_headers()
    for value in [f"{wrong} {good}", f"{good} {wrong}", f"v2,{good[3:]} {good}",
                  f"garbage v1,!!!notbase64!!! {good}", f"v1a,{good[3:]}  {good}",
                  f"{good.rstrip('=')}"]:  # unpadded base64 still decodes
        assert check("standard_webhooks", {**headers, "webhook-signature": value}, secret=WH_SECRET)
    for value in [wrong, f"{wrong} {wrong}", f"v2,{good[3:]}", f"V1,{good[3:]}", good[3:],
                  "v1,", "v1,!!!", ",", "v1," + base64.b64encode(b"\0" * 32).decode(),
                  f"{good}x", f"{good},extra"]:
        refused("standard_webhooks", {**headers, "webhook-signature": value}, secret=WH_SECRET)


@pytest.mark.parametrize("secret", ["whsec_", "whsec_!!!", "whsec_a", "whsec_abc=def", ""])
def test_standard_webhooks_unusable_secret(secret):
    refused("standard_webhooks", sw_headers(), secret=secret)


def test_standard_webhooks_overlong_id():
    msg_id = "m" * 256
    refused("standard_webhooks", sw_headers(msg_id=msg_id), secret=WH_SECRET, reason="too long")


@pytest.mark.parametrize("stamp", ["abc", "", "-5", "1e9", " "])
def test_standard_webhooks_bad_timestamp(stamp):
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": stamp,
               "webhook-signature": sign_standard_webhooks(WH_SECRET, MSG_ID, stamp, BODY)}
    refused("standard_webhooks", headers, secret=WH_SECRET)


# --------------------------------------------------------------------------- secrets

def test_generate_secret_shapes():
    for mode in SIGNING_MODES:
        a, b = generate_secret(mode), generate_secret(mode)
        assert a != b
        if mode == "standard_webhooks":
            assert a.startswith("whsec_")
            assert len(base64.b64decode(a[len("whsec_"):], validate=True)) == 32
        else:
            assert re.fullmatch(r"pcwh_[0-9a-f]{64}", a)
    with pytest.raises(ValueError):
        generate_secret("rsa")


def test_generated_secrets_work_in_their_modes():
    for mode in ("bearer", "hmac_sha256", "github_hmac"):
        secret = generate_secret(mode)
        headers = {
            "bearer": {"Authorization": f"Bearer {secret}"},
            "hmac_sha256": hmac_headers(secret=secret),
            "github_hmac": {"X-Hub-Signature-256": sign_github(secret, BODY)},
        }[mode]
        assert check(mode, headers, secret=secret).mode == mode
