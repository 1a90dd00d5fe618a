"""Markdown written by officers (advisory bodies, fact-check explanations), as
safe HTML: markdown-it-py with raw HTML off renders it, and nh3 (the Rust
ammonia sanitiser) keeps only harmless tags and http(s)/mailto links, so
neither a typed ``<script>`` nor a ``javascript:`` link survives."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h2", "h3",
    "h4", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def to_html(text: str) -> Markup:
    html = _RENDERER.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)
