"""Reading the feeds of signal sources: RSS (0.9x, 1.0, 2.0) and Atom with feedparser,
JSON Feed (1.0, 1.1) by hand (a dozen fields of plain JSON), into normalised items.

An entry without a usable title or an http(s) link is *malformed*: it is counted, not
kept. A document with a DOCTYPE is refused whole (as everywhere XML comes from outside,
see safe_xml.py), and so is one that is neither a feed nor JSON.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

MAX_TITLE = 500
MAX_SUMMARY = 5000
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class NotAFeed(ValueError):
    """The document is not a feed this reader understands."""


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    summary: str = ""
    published: datetime | None = None
    language: str = ""


@dataclass
class Feed:
    items: list[FeedItem] = field(default_factory=list)
    malformed: int = 0
    language: str = ""


def plain(text: str, limit: int) -> str:
    """Markup removed, entities decoded, white space collapsed, cut at ``limit``."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text or ""))).strip()[:limit]


def _link_ok(link: str) -> bool:
    return link.startswith(("https://", "http://")) and len(link) <= 1000 and " " not in link


def _item(
    title: str, link: str, summary: str, published: datetime | None, language: str
) -> FeedItem | None:
    title, link = plain(title, MAX_TITLE), (link or "").strip()
    if not title or not _link_ok(link):
        return None
    return FeedItem(title, link, plain(summary, MAX_SUMMARY), published, language[:35])


def _when(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def parse(document: bytes, content_type: str = "") -> Feed:
    head = document[:2048].lstrip()
    if "json" in content_type or head.startswith(b"{"):
        return _json_feed(document)
    if _DOCTYPE.search(document[:65536]):
        raise NotAFeed("the document has a DOCTYPE or an entity declaration")
    parsed = feedparser.parse(document, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.version and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise NotAFeed(f"not an RSS or Atom feed{f' ({problem})' if problem else ''}")
    language = str(parsed.feed.get("language", "") or "")
    feed = Feed(language=language)
    for entry in parsed.entries:
        summary = entry.get("summary", "")
        if not summary and entry.get("content"):
            summary = entry["content"][0].get("value", "")
        item = _item(
            entry.get("title", ""),
            entry.get("link", ""),
            summary,
            _when(entry.get("published_parsed") or entry.get("updated_parsed")),
            str((entry.get("title_detail") or {}).get("language") or language or ""),
        )
        if item is None:
            feed.malformed += 1
        else:
            feed.items.append(item)
    return feed


def _json_feed(document: bytes) -> Feed:
    try:
        data = json.loads(document)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAFeed(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise NotAFeed("not a JSON Feed (no jsonfeed.org version)")
    language = str(data.get("language", "") or "")
    feed = Feed(language=language)
    for entry in data.get("items") or []:
        if not isinstance(entry, dict):
            feed.malformed += 1
            continue
        published = None
        if isinstance(stamp := entry.get("date_published"), str):
            try:
                published = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                if published.tzinfo is None:
                    published = published.replace(tzinfo=UTC)
            except ValueError:
                published = None
        item = _item(
            str(entry.get("title") or ""),
            str(entry.get("url") or entry.get("external_url") or ""),
            str(
                entry.get("summary") or entry.get("content_text") or entry.get("content_html") or ""
            ),
            published,
            str(entry.get("language") or language),
        )
        if item is None:
            feed.malformed += 1
        else:
            feed.items.append(item)
    return feed
