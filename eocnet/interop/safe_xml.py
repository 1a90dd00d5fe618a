"""Parsing XML from outside without the classic XML attacks.

A document type declaration is refused before lxml parses the document: it is
where external entities (XXE), entity expansion ("billion laughs") and remote DTDs
come from, and no format eocnet reads needs one. The parser itself is then set to
resolve no entities, load no DTD and touch no network, so a declaration that
slipped past the first check still does nothing. XInclude is never processed.
"""

from __future__ import annotations

import re

from lxml import etree

PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
)
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)", re.I)


class UnsafeXml(ValueError):
    """The document declares a DTD or entities; ``line`` says where."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


class BadXml(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _as_text(data: bytes) -> str:
    """Enough of the document to find markup: UTF-16/32 decoded, anything else
    read byte for byte (markup is ASCII in every ASCII-compatible encoding)."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    return data.decode("latin-1")


def check_no_declarations(data: bytes) -> None:
    text = _as_text(data)
    match = _DECLARATION.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise UnsafeXml(
            f"the document declares a {match.group(1).upper()}; DTDs and entities are refused "
            "(they are how XXE and entity-expansion attacks work)",
            line,
        )


def parse(data: bytes) -> etree._Element:
    """The root element of a document that declares no DTD or entity.

    Raises UnsafeXml for a declaration, BadXml when the XML is not well formed."""
    check_no_declarations(data)
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise BadXml(f"not well-formed XML: {exc.msg}", line) from None
