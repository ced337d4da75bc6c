"""Reading multipart/form-data uploads and sanitizing filenames."""
import pytest

from chalicelib.logic.multipart_upload import (
    MAX_PARTS, MalformedMultipart, NotMultipart, parse, sanitize_filename,
)

B = "XyZ-boundary-123"
CT = f"multipart/form-data; boundary={B}"


def body(*parts: bytes) -> bytes:
    return b"".join(b"--" + B.encode() + b"\r\n" + p for p in parts) + b"--" + B.encode() + b"--\r\n"


def part(name: str, data: bytes, filename: bytes | None = None, content_type: str | None = None, extra: bytes = b"") -> bytes:
    disposition = b'Content-Disposition: form-data; name="' + name.encode() + b'"'
    if filename is not None:
        disposition += b'; filename="' + filename + b'"'
    headers = disposition + b"\r\n"
    if content_type:
        headers += f"Content-Type: {content_type}\r\n".encode()
    return headers + extra + b"\r\n" + data + b"\r\n"


def test_file_and_field_parts_keep_their_exact_bytes():
    binary = bytes(range(256)) * 3 + b"\r\n--not-the-boundary\r\n" + b"\x00" * 10
    parts = parse(CT, body(part("note", b"hello"), part("file", binary, b"pic.png", "image/png")))
    assert [(p.name, p.filename, p.content_type) for p in parts] == [
        ("note", None, "text/plain"), ("file", "pic.png", "image/png"),
    ]
    assert parts[0].data == b"hello"
    assert parts[1].data == binary


def test_quoted_boundary_and_content_type_parameters():
    parts = parse(f'multipart/form-data; charset=utf-8; boundary="{B}"', body(part("file", b"x", b"a.txt", "Text/Plain; charset=UTF-8")))
    assert parts[0].content_type == "text/plain"


def test_utf8_filename_bytes_decode_as_utf8_and_latin1_falls_back():
    parts = parse(CT, body(part("file", b"1", "résumé 报告.pdf".encode("utf-8"), "application/pdf"),
                           part("other", b"2", "caf\xe9.txt".encode("latin-1"))))
    assert parts[0].filename == "résumé 报告.pdf"
    assert parts[1].filename == "café.txt"


def test_empty_file_part_is_read_as_empty():
    parts = parse(CT, body(part("file", b"", b"empty.txt", "text/plain")))
    assert parts[0].data == b""


@pytest.mark.parametrize("header", [None, "", "application/json", "text/plain; boundary=x", "multipart/mixed; boundary=x"])
def test_not_multipart_form_data(header):
    with pytest.raises(NotMultipart):
        parse(header, b"{}")


@pytest.mark.parametrize("header, raw", [
    ("multipart/form-data", body(part("file", b"x"))),  # no boundary
    (CT, b"garbage without any boundary"),
    (CT, body(part("file", b"x"))[:-10]),  # cut before the closing boundary
    (CT, b"--" + B.encode() + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + B.encode() + b"--\r\n"),  # no disposition
    (CT, body(part("file", b"eA==", b"a", "text/plain", extra=b"Content-Transfer-Encoding: base64\r\n"))),
    (f"multipart/form-data; boundary={'b' * 300}", b"--" + b"b" * 300 + b"--\r\n"),
])
def test_malformed(header, raw):
    with pytest.raises(MalformedMultipart):
        parse(header, raw)


def test_too_many_parts():
    with pytest.raises(MalformedMultipart):
        parse(CT, body(*[part(f"f{i}", b"x") for i in range(MAX_PARTS + 1)]))


@pytest.mark.parametrize("raw, expected", [
    (None, None),
    ("report.pdf", "report.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\shot.png", "shot.png"),
    ("bad\r\nname\x00.txt", "badname.txt"),
    ("\u202etxt.exe", "txt.exe"),  # bidi override removed
    ("  spaced.txt  ", "spaced.txt"),
    ("..", None),
    ("dir/", None),
    ("e\u0301t\u00e9.md", "\u00e9t\u00e9.md"),  # NFC
])
def test_sanitize_filename(raw, expected):
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_bounds_length_and_keeps_extension():
    name = sanitize_filename("a" * 400 + ".tar.gz")
    assert len(name) == 255 and name.endswith(".gz") and name.startswith("aaa")
    assert sanitize_filename("b" * 400) == "b" * 255
