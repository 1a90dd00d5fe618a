"""The chain-of-transmission diagram, drawn on the server as SVG: generations from
left to right (an index case, the contacts it exposed, the contacts of those who
became cases, ...), a node per person coloured by what they are, an arrow per
exposure. Every text is escaped; the diagram is inline in the page and in exports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from markupsafe import Markup, escape

COLOURS = {
    "index": "#7f1d1d",
    "case": "#b91c1c",
    "became_case": "#ea580c",
    "contact": "#1d4ed8",
    "co_traveller": "#0f766e",
}
COLUMN, ROW, RADIUS = 190, 34, 9


class NodeLike(Protocol):
    id: str
    kind: str
    label: str
    case_since: str


class EdgeLike(Protocol):
    source: str
    target: str
    kind: str


def _generations(nodes: Sequence[NodeLike], edges: Sequence[EdgeLike]) -> dict[str, int]:
    """The column of each node: the longest chain of exposures leading to it."""
    depth = {n.id: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for e in edges:
            step = 0 if e.kind == "same_person" else 1
            if e.source in depth and e.target in depth and depth[e.target] < depth[e.source] + step:
                depth[e.target] = depth[e.source] + step
                changed = True
        if not changed:
            break
    return depth


def chain_svg(nodes: Sequence[NodeLike], edges: Sequence[EdgeLike], title: str = "") -> Markup:
    """Inline SVG markup; every text in it (names, parties, ids) is escaped."""
    if not nodes:
        return Markup("")
    depth = _generations(nodes, edges)
    columns: dict[int, list[NodeLike]] = {}
    for node in nodes:
        columns.setdefault(depth[node.id], []).append(node)
    where: dict[str, tuple[int, int]] = {}
    for col, members in sorted(columns.items()):
        for row, node in enumerate(members):
            where[node.id] = (40 + col * COLUMN, 30 + row * ROW)
    width = 40 + (max(columns) + 1) * COLUMN + 40
    height = 30 + max(len(m) for m in columns.values()) * ROW + 10
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chain-diagram" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#6b7280"/></marker></defs>',
    ]
    for e in edges:
        if e.source not in where or e.target not in where:
            continue
        (x1, y1), (x2, y2) = where[e.source], where[e.target]
        dash = ' stroke-dasharray="4 3"' if e.kind == "same_person" else ""
        parts.append(
            f'<line x1="{x1 + RADIUS}" y1="{y1}" x2="{x2 - RADIUS - 2}" y2="{y2}" '
            f'stroke="#6b7280" stroke-width="1.2"{dash} marker-end="url(#arrow)"/>'
        )
    for node in nodes:
        x, y = where[node.id]
        kind = "became_case" if node.case_since and node.kind != "case" else node.kind
        colour = COLOURS.get(kind, "#374151")
        parts.append(
            f'<g class="node node-{escape(kind)}" data-node="{escape(node.id)}">'
            f'<circle cx="{x}" cy="{y}" r="{RADIUS}" fill="{colour}"/>'
            f'<text x="{x + RADIUS + 4}" y="{y + 4}">{escape(node.label[:40])}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


def legend() -> list[dict[str, Any]]:
    return [{"kind": k, "colour": v} for k, v in COLOURS.items()]
