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


def to_plain_text(text: str) -> str:
    """Markdown as the plain text CAP 1.2 asks for in <description> and <instruction>
    ("an extended human readable description", "recommended action": text, no markup):
    no asterisks or other marks, paragraphs separated by a blank line, list items on
    lines of their own ("- " or "1. "), a link as "text (address)", line ends as LF
    only (a CR would be written as ``&#13;``)."""
    from markdown_it.tree import SyntaxTreeNode

    source = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    tree = SyntaxTreeNode(_RENDERER.parse(source))

    def inline(node: SyntaxTreeNode) -> str:
        out: list[str] = []
        for child in node.children:
            kind = child.type
            if kind in ("text", "code_inline"):
                out.append(child.content)
            elif kind in ("softbreak", "hardbreak"):
                out.append("\n")
            elif kind == "link":
                label = inline(child)
                href = str(child.attrs.get("href", ""))
                out.append(
                    label if not href or href in (label, f"mailto:{label}") else f"{label} ({href})"
                )
            elif kind == "image":
                out.append(child.content or inline(child))
            else:
                out.append(inline(child))
        return "".join(out)

    def blocks(node: SyntaxTreeNode, prefix: str = "") -> list[str]:
        paragraphs: list[str] = []
        for child in node.children:
            kind = child.type
            if kind in ("paragraph", "heading"):
                paragraphs.append(inline(child.children[0]) if child.children else "")
            elif kind == "inline":
                paragraphs.append(inline(child))
            elif kind in ("bullet_list", "ordered_list"):
                start = int(str(child.attrs.get("start", 1)))
                items = []
                for n, item in enumerate(child.children):
                    mark = "- " if kind == "bullet_list" else f"{start + n}. "
                    body = "\n".join(blocks(item)).replace("\n", "\n" + " " * len(mark))
                    items.append(mark + body)
                paragraphs.append("\n".join(items))
            elif kind in ("fence", "code_block"):
                paragraphs.append(child.content.rstrip("\n"))
            elif kind == "hr":
                paragraphs.append("----")
            elif kind == "table":
                rows = [
                    " | ".join(
                        inline(cell.children[0]) if cell.children else "" for cell in row.children
                    )
                    for section in child.children
                    for row in section.children
                ]
                paragraphs.append("\n".join(rows))
            else:  # blockquote and whatever holds blocks
                paragraphs.extend(blocks(child))
        return paragraphs

    return "\n\n".join(p for p in blocks(tree) if p.strip()).strip()
