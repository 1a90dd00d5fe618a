"""Database objects made by migrations by hand, which the models do not describe."""

from __future__ import annotations

from typing import Any


def is_managed(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic ``include_object`` hook: skip the full-text search machinery."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    if type_ == "column" and name == "tsv":
        return False
    return not (type_ == "index" and name == "ix_search_document_tsv")
