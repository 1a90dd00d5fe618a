"""Roles and what each may do. ``docs/roles.md`` explains the same table for people."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    FOCAL_POINT = "focal_point"
    COORDINATOR = "coordinator"
    PARTNER = "partner"
    ADMIN = "admin"


#: Roles whose holders must use a second factor at web login.
SECOND_FACTOR_REQUIRED = frozenset({Role.FOCAL_POINT, Role.COORDINATOR, Role.ADMIN})


class Permission(StrEnum):
    VIEW_DIRECTORY = "view_directory"
    VIEW_FOCAL_POINTS = "view_focal_points"
    MANAGE_PARTY_USERS = "manage_party_users"
    MANAGE_ALL_USERS = "manage_all_users"
    VIEW_PARTY_AUDIT = "view_party_audit"
    VIEW_ALL_AUDIT = "view_all_audit"


_ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset({Permission.VIEW_DIRECTORY, Permission.VIEW_FOCAL_POINTS}),
    Role.FOCAL_POINT: frozenset({Permission.VIEW_DIRECTORY, Permission.VIEW_FOCAL_POINTS}),
    Role.COORDINATOR: frozenset({Permission.VIEW_DIRECTORY, Permission.VIEW_FOCAL_POINTS}),
    Role.PARTNER: frozenset({Permission.VIEW_DIRECTORY}),
    Role.ADMIN: frozenset(
        {
            Permission.VIEW_DIRECTORY,
            Permission.VIEW_FOCAL_POINTS,
            Permission.MANAGE_PARTY_USERS,
            Permission.VIEW_PARTY_AUDIT,
        }
    ),
}

#: Extra permissions an admin holds when their party is the network's coordinator.
_NETWORK_ADMIN = frozenset({Permission.MANAGE_ALL_USERS, Permission.VIEW_ALL_AUDIT})


def parse_roles(values: list[str] | tuple[str, ...]) -> list[Role]:
    """Validate role names; raises ValueError naming the first unknown role."""
    roles: list[Role] = []
    for value in values:
        try:
            role = Role(value)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"unknown role {value!r} (known roles: {known})") from None
        if role not in roles:
            roles.append(role)
    if not roles:
        raise ValueError("a user needs at least one role")
    return roles


def permissions_for(roles: list[Role], party_is_coordinator: bool) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= _ROLE_PERMISSIONS[role]
    if Role.ADMIN in roles and party_is_coordinator:
        granted |= _NETWORK_ADMIN
    return frozenset(granted)


def needs_second_factor(roles: list[Role]) -> bool:
    return any(role in SECOND_FACTOR_REQUIRED for role in roles)
