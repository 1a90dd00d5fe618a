"""Who may see what is shared: the network, the network and its partners, or listed parties.

One rule for events, channels, stream entries and search results, so that a party
that may not see an event never sees it anywhere.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum


class Visibility(StrEnum):
    NETWORK = "network"  # member states and the coordinator
    PARTNERS = "partners"  # plus dialogue partners and organisations
    RESTRICTED = "restricted"  # only the listed parties (and the owner)


NETWORK_KINDS = frozenset({"member", "coordinator"})


def can_see(
    viewer_party: str,
    viewer_kind: str,
    visibility: str,
    parties: Collection[str],
    owner_party: str | None,
) -> bool:
    if owner_party is not None and viewer_party == owner_party:
        return True
    if viewer_party in parties:
        return True
    if visibility == Visibility.NETWORK:
        return viewer_kind in NETWORK_KINDS
    return visibility == Visibility.PARTNERS


def audience_of(
    visibility: str,
    parties: Collection[str],
    owner_party: str,
    all_parties: dict[str, str],
) -> list[str]:
    """Every party code that can see it, given ``all_parties`` (code -> kind)."""
    return sorted(
        code
        for code, kind in all_parties.items()
        if can_see(code, kind, visibility, parties, owner_party)
    )
