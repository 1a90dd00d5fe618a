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
    """The document declares a DTD or entities, or is in an encoding that is not
    read; ``line`` says where."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


class BadXml(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


#: Encodings a document may be in. Others (UTF-7, EBCDIC, Shift-JIS…) are refused:
#: markup in them is not ASCII, so a declaration could hide from the check below and
#: be read by the parser (a UTF-7 ``+ADw-!DOCTYPE``).
_ASCII_COMPATIBLE = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1"})
_WIDE = frozenset({"utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be"})
_ALIASES = {"iso8859-1": "iso-8859-1", "latin1": "latin-1", "l1": "latin-1"}
_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


def _as_text(data: bytes) -> str:
    """The document as text, decoded as the parser will read it: UTF-16/32 by their
    byte-order mark or first characters, anything else as UTF-8 or Latin-1 (markup
    is ASCII in both). UnsafeXml for another declared encoding."""
    wide = ""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
    ):
        if data.startswith(bom):
            wide = codec
            break
    text = data.decode(wide or "latin-1", errors="replace")
    head = text.lstrip("\ufeff\xef\xbb\xbf")  # a byte-order mark, decoded either way
    match = _ENCODING.match(head)
    if match is not None:
        declared = match.group(1).strip().lower().replace("_", "-")
        declared = _ALIASES.get(declared, declared)
        if declared not in (_WIDE if wide else _ASCII_COMPATIBLE):
            raise UnsafeXml(
                f"the document is declared as {match.group(1)!r}; only UTF-8, UTF-16, "
                "UTF-32, ASCII and ISO-8859-1 are read",
                1,
            )
    if not head.lstrip(" \t\r\n").startswith("<"):
        raise BadXml("not an XML document in UTF-8, UTF-16, UTF-32, ASCII or ISO-8859-1", 1)
    return text


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
    except (etree.Error, ValueError, LookupError) as exc:  # e.g. an unknown encoding
        raise BadXml(f"the XML cannot be read: {exc}", 1) from None
