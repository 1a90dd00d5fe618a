"""GraphML (http://graphml.graphdrawing.org/), the graph format that Gephi, Cytoscape,
yEd and R's igraph read: written by networkx's GraphML writer, which escapes every
value through its XML library, so a name from a manifest cannot inject markup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx


def write_graphml(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]) -> str:
    """A directed graph: each node a mapping with ``id`` and attributes, each edge a
    mapping with ``source``, ``target`` and attributes. Values are written as text,
    numbers or booleans; None as an empty text."""
    graph = nx.MultiDiGraph()

    def clean(attrs: Mapping[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
        return {
            k: ("" if v is None else v)
            for k, v in attrs.items()
            if k not in drop and isinstance(v, (str, int, float, bool, type(None)))
        }

    for node in nodes:
        graph.add_node(str(node["id"]), **clean(node, ("id",)))
    for edge in edges:
        graph.add_edge(
            str(edge["source"]), str(edge["target"]), **clean(edge, ("source", "target"))
        )
    body = "\n".join(nx.generate_graphml(graph, encoding="utf-8", prettyprint=True))
    # networkx writes Python's True/False; GraphML's booleans are XML Schema's. Values
    # are escaped, so ">True<" can only be a boolean's whole text.
    body = body.replace(">True</data>", ">true</data>").replace(">False</data>", ">false</data>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
