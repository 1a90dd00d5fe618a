"""Parties of a network: member states, the coordinator, partners and organisations.

Membership is data: a network file (YAML) lists its parties and their EOCs;
``parse_network`` validates it into plain records that the database layer loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CODE_PATTERN = re.compile(r"^[A-Z]{3,8}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class PartyKind(StrEnum):
    MEMBER = "member"
    COORDINATOR = "coordinator"
    PARTNER = "partner"
    ORGANISATION = "organisation"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    OTHER = "other"


@dataclass(frozen=True)
class ContactPoint:
    kind: ContactKind
    value: str
    label: str = ""
    always_on: bool = True


@dataclass(frozen=True)
class PartySpec:
    code: str
    name: str
    kind: PartyKind
    eoc_name: str
    time_zone: str
    languages: tuple[str, ...]
    contacts: tuple[ContactPoint, ...] = field(default=())


@dataclass(frozen=True)
class NetworkSpec:
    name: str
    version: str
    parties: tuple[PartySpec, ...]


class NetworkFileError(ValueError):
    """The network file is not valid; the message names the place at fault."""


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in (None, ""):
        raise NetworkFileError(f"{where}: missing {key!r}")
    return mapping[key]


def parse_party(raw: dict[str, Any], where: str) -> PartySpec:
    code = str(_require(raw, "code", where))
    if not CODE_PATTERN.match(code):
        raise NetworkFileError(f"{where}: code {code!r} must be 3 to 8 capital letters")
    where = f"{where} ({code})"
    try:
        kind = PartyKind(_require(raw, "kind", where))
    except ValueError:
        raise NetworkFileError(f"{where}: unknown kind {raw.get('kind')!r}") from None
    tz = str(_require(raw, "time_zone", where))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise NetworkFileError(f"{where}: unknown time zone {tz!r}") from None
    languages = tuple(str(x) for x in _require(raw, "languages", where))
    for lang in languages:
        if not LANGUAGE_PATTERN.match(lang):
            raise NetworkFileError(f"{where}: {lang!r} is not a BCP 47 language tag")
    contacts = []
    for i, c in enumerate(raw.get("contacts", []) or []):
        cw = f"{where} contact {i + 1}"
        try:
            ckind = ContactKind(_require(c, "kind", cw))
        except ValueError:
            raise NetworkFileError(f"{cw}: unknown kind {c.get('kind')!r}") from None
        contacts.append(
            ContactPoint(
                kind=ckind,
                value=str(_require(c, "value", cw)),
                label=str(c.get("label", "")),
                always_on=bool(c.get("always_on", True)),
            )
        )
    return PartySpec(
        code=code,
        name=str(_require(raw, "name", where)),
        kind=kind,
        eoc_name=str(_require(raw, "eoc_name", where)),
        time_zone=tz,
        languages=languages,
        contacts=tuple(contacts),
    )


def parse_network(raw: Any) -> NetworkSpec:
    """Validate a parsed network file. Raises NetworkFileError on the first fault."""
    if not isinstance(raw, dict):
        raise NetworkFileError("the network file must be a mapping")
    parties_raw = _require(raw, "parties", "network")
    if not isinstance(parties_raw, list):
        raise NetworkFileError("network: 'parties' must be a list")
    parties = [parse_party(p, f"party {i + 1}") for i, p in enumerate(parties_raw)]
    codes = [p.code for p in parties]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise NetworkFileError(f"network: duplicate party codes {', '.join(dupes)}")
    if sum(p.kind is PartyKind.COORDINATOR for p in parties) != 1:
        raise NetworkFileError("network: exactly one party must be of kind 'coordinator'")
    return NetworkSpec(
        name=str(_require(raw, "name", "network")),
        version=str(_require(raw, "version", "network")),
        parties=tuple(parties),
    )
