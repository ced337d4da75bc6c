"""How attachment bytes are delivered: binary vs text, Accept rules, Content-Disposition."""
import pytest

from chalicelib.logic.attachment_download import (
    OCTET_STREAM, Delivery, accepts_binary, content_disposition, plan_delivery,
)

BINARY = ["application/octet-stream", "image/png", "application/pdf", "multipart/form-data"]


def test_binary_type_is_sent_as_bytes():
    assert plan_delivery("image/png", b"\x89PNG", BINARY) == Delivery("image/png", b"\x89PNG", True)


def test_utf8_text_is_sent_as_text():
    assert plan_delivery("text/plain", "héllo".encode(), BINARY) == Delivery("text/plain", "héllo", False)
    assert plan_delivery("application/json", b'{"a":1}', BINARY) == Delivery("application/json", '{"a":1}', False)


def test_text_that_is_not_utf8_and_unknown_binary_types_fall_back_to_octet_stream():
    assert plan_delivery("text/csv", b"caf\xe9", BINARY) == Delivery(OCTET_STREAM, b"caf\xe9", True)
    assert plan_delivery("image/webp", b"RIFF", BINARY) == Delivery(OCTET_STREAM, b"RIFF", True)


def test_everything_binary_when_the_api_is():
    assert plan_delivery("text/plain", b"x", ["*/*"]) == Delivery("text/plain", b"x", True)


@pytest.mark.parametrize("accept, ok", [
    (None, False), ("", False), ("*/*", True), ("text/html,application/xhtml+xml,*/*;q=0.8", True),
    ("image/png", True), ("application/json", False), ("application/pdf;q=0.9", True),
])
def test_accepts_binary(accept, ok):
    assert accepts_binary(accept, BINARY) is ok


@pytest.mark.parametrize("name, header", [
    ("report.pdf", 'inline; filename="report.pdf"'),
    (None, 'inline; filename="attachment"'),
    ('say "hi"\\.txt', 'inline; filename="say \\"hi\\"\\\\.txt"'),
    ("résumé.pdf", "inline; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
    ("报告.txt", "inline; filename=\"__.txt\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.txt"),
    ("a b;c.txt", "inline; filename=\"a b;c.txt\""),
    ("日本", "inline; filename=\"__\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC"),
])
def test_content_disposition(name, header):
    assert content_disposition(name) == header
    assert header.isascii()


def test_text_too_large_once_escaped_goes_as_bytes():
    """4 MB of control characters would be 28 MB of escaped text in the Lambda envelope (issue #11);
    as base64 they are 5.6 MB."""
    data = b"\x01" * (4 * 1024 * 1024)
    delivery = plan_delivery("text/plain", data, ["application/octet-stream"])
    assert delivery == Delivery(OCTET_STREAM, data, needs_binary_accept=True)
    fine = b"plain text " * 300_000  # 3.3 MB of ASCII: stays text
    assert plan_delivery("text/plain", fine, ["application/octet-stream"]).body == fine.decode()
