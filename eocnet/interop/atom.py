"""Atom 1.0 feeds (RFC 4287), written with lxml: a feed is a few elements, and
lxml escapes every text, so no feed library is needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

NS = "http://www.w3.org/2005/Atom"
_A = f"{{{NS}}}"


@dataclass
class Link:
    href: str
    rel: str = "alternate"
    type: str = ""
    hreflang: str = ""


@dataclass
class Entry:
    id: str
    title: str
    updated: datetime
    links: list[Link]
    published: datetime | None = None
    summary: str = ""
    content_html: str = ""
    categories: list[str] = field(default_factory=list)
    language: str = ""


def _time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def _link(parent: etree._Element, link: Link) -> None:
    element = etree.SubElement(parent, _A + "link", href=link.href, rel=link.rel)
    if link.type:
        element.set("type", link.type)
    if link.hreflang:
        element.set("hreflang", link.hreflang)


def feed(
    *,
    id: str,
    title: str,
    updated: datetime,
    links: list[Link],
    author: str,
    entries: list[Entry],
    language: str = "",
) -> bytes:
    root = etree.Element(_A + "feed", nsmap={None: NS})
    if language:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    etree.SubElement(root, _A + "id").text = id
    etree.SubElement(root, _A + "title").text = title
    etree.SubElement(root, _A + "updated").text = _time(updated)
    name = etree.SubElement(etree.SubElement(root, _A + "author"), _A + "name")
    name.text = author
    for link in links:
        _link(root, link)
    for entry in entries:
        element = etree.SubElement(root, _A + "entry")
        if entry.language:
            element.set("{http://www.w3.org/XML/1998/namespace}lang", entry.language)
        etree.SubElement(element, _A + "id").text = entry.id
        etree.SubElement(element, _A + "title").text = entry.title
        etree.SubElement(element, _A + "updated").text = _time(entry.updated)
        if entry.published:
            etree.SubElement(element, _A + "published").text = _time(entry.published)
        for link in entry.links:
            _link(element, link)
        for category in entry.categories:
            etree.SubElement(element, _A + "category", term=category)
        if entry.summary:
            etree.SubElement(element, _A + "summary").text = entry.summary
        if entry.content_html:
            etree.SubElement(element, _A + "content", type="html").text = entry.content_html
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
