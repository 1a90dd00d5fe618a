"""Who is acting: the user, their party and what their roles allow."""

from __future__ import annotations

from dataclasses import dataclass

from eocnet.domain.roles import Permission, Role, permissions_for


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    party_code: str
    party_kind: str
    roles: tuple[Role, ...]
    #: "write" for sessions and write tokens, "read" for read-only tokens.
    scope: str = "write"

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(list(self.roles), self.party_kind == "coordinator")

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_coordinator(self) -> bool:
        """A coordinator of the network: the coordinator role in the coordinator party."""
        return self.party_kind == "coordinator" and Role.COORDINATOR in self.roles

    @property
    def is_partner(self) -> bool:
        return self.party_kind in ("partner", "organisation")
