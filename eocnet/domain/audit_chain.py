"""The audit trail's hash chain: each entry's hash covers its fields and the previous hash.

Editing, inserting or deleting an entry in the middle changes a hash that a later
entry depends on, so :func:`first_break` finds the first entry that no longer fits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64


def canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(fields)}".encode()).hexdigest()


def first_break(
    entries: Iterable[tuple[int, Mapping[str, Any], str, str]],
    start: str = GENESIS,
) -> tuple[int, str] | None:
    """Check ``(id, fields, prev_hash, hash)`` in id order.

    ``start`` is the hash the first entry must follow (GENESIS for the whole trail).
    Returns ``(id, reason)`` of the first entry that breaks the chain, or None.
    """
    expected_prev = start
    for entry_id, fields, prev_hash, stored_hash in entries:
        if prev_hash != expected_prev:
            return entry_id, "does not follow the previous entry (an entry was removed or edited)"
        if entry_hash(prev_hash, fields) != stored_hash:
            return entry_id, "its content does not match its hash (the entry was edited)"
        expected_prev = stored_hash
    return None
