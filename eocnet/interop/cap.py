"""CAP 1.2 XML in and out: validation against the OASIS schema and the standard's
other rules, reading a message into ``domain.cap.Alert``, and writing one.

Validation answers a list of problems, each with the line and the rule it breaks,
so that a sender can fix every problem in one go. Rules are named:

- ``security``: a DTD or entity declaration (refused before parsing);
- ``xml``: the document is not well-formed;
- ``schema``: the OASIS CAP 1.2 XML schema (``schemas/CAP-v1.2.xsd``);
- ``identifier``, ``sender``, ``references``, ``restriction``, ``addresses``,
  ``polygon``, ``circle``, ``ceiling``, ``expires``: the data dictionary's rules
  the schema cannot express (``domain.cap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree

from eocnet.domain import cap
from eocnet.interop import safe_xml

SCHEMA_FILE = Path(__file__).parent / "schemas" / "CAP-v1.2.xsd"
NS = {"cap": cap.NAMESPACE}
_Q = f"{{{cap.NAMESPACE}}}"


@dataclass(frozen=True)
class Problem:
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: [{self.rule}] {self.message}"


class InvalidCap(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), safe_xml.PARSER))


def _text(parent: etree._Element, name: str) -> str:
    element = parent.find(f"cap:{name}", NS)
    return (element.text or "").strip() if element is not None else ""


def _rules(root: etree._Element) -> list[Problem]:
    problems: list[Problem] = []

    def check(element: etree._Element | None, rule: str, message: str | None) -> None:
        if message is not None:
            line = element.sourceline if element is not None else root.sourceline
            problems.append(Problem(line or 1, rule, message))

    for name in ("identifier", "sender"):
        element = root.find(f"cap:{name}", NS)
        if element is not None:
            check(element, name, cap.identifier_problem(element.text or "", name))

    msg_type = _text(root, "msgType")
    references = root.find("cap:references", NS)
    listed = (references.text or "").split() if references is not None else []
    if msg_type in ("Update", "Cancel", "Ack", "Error") and not listed:
        check(
            references,
            "references",
            f"a message of type {msg_type} must reference the earlier message(s) "
            "as 'sender,identifier,sent'",
        )
    for item in listed:
        check(references, "references", cap.reference_problem(item))

    scope = _text(root, "scope")
    if scope == "Restricted" and not _text(root, "restriction"):
        check(root.find("cap:scope", NS), "restriction", "scope Restricted needs <restriction>")
    if scope == "Private" and not _text(root, "addresses"):
        check(root.find("cap:scope", NS), "addresses", "scope Private needs <addresses>")

    for info in root.iterfind("cap:info", NS):
        effective = _text(info, "effective") or _text(root, "sent")
        expires = _text(info, "expires")
        if effective and expires:
            try:
                if cap.parse_time(expires) < cap.parse_time(effective):
                    check(
                        info.find("cap:expires", NS),
                        "expires",
                        f"expires ({expires}) is before the message takes effect ({effective})",
                    )
            except ValueError:
                pass  # the schema reports malformed times
        for area in info.iterfind("cap:area", NS):
            for polygon in area.iterfind("cap:polygon", NS):
                check(polygon, "polygon", cap.polygon_problem(polygon.text or ""))
            for circle in area.iterfind("cap:circle", NS):
                check(circle, "circle", cap.circle_problem(circle.text or ""))
            ceiling = area.find("cap:ceiling", NS)
            if ceiling is not None and area.find("cap:altitude", NS) is None:
                check(ceiling, "ceiling", "<ceiling> is only allowed with <altitude>")
    return problems


def check(data: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """The parsed root (None when the document could not be read safely) and
    every problem found."""
    try:
        root = safe_xml.parse(data)
    except safe_xml.UnsafeXml as exc:
        return None, [Problem(exc.line, "security", str(exc))]
    except safe_xml.BadXml as exc:
        return None, [Problem(exc.line, "xml", str(exc))]
    validator = schema()
    try:
        valid = validator.validate(root)
    except etree.Error as exc:  # libxml2 gives up on some documents ("Internal error")
        return None, [Problem(root.sourceline or 1, "schema", f"cannot be validated: {exc}")]
    if not valid:
        problems = [
            Problem(error.line or 1, "schema", error.message) for error in validator.error_log
        ]
        if etree.QName(root).namespace != cap.NAMESPACE:
            problems.insert(
                0,
                Problem(
                    root.sourceline or 1,
                    "schema",
                    f"the root element is not in the CAP 1.2 namespace {cap.NAMESPACE}",
                ),
            )
        return root, problems
    return root, _rules(root)


def validate(data: bytes) -> list[Problem]:
    return check(data)[1]


# ---------------------------------------------------------------- reading


def _time(parent: etree._Element, name: str) -> datetime | None:
    text = _text(parent, name)
    return cap.parse_time(text) if text else None


def _info(element: etree._Element) -> cap.Info:
    areas = [
        cap.Area(
            description=_text(area, "areaDesc"),
            polygons=[(p.text or "").strip() for p in area.iterfind("cap:polygon", NS)],
            circles=[(c.text or "").strip() for c in area.iterfind("cap:circle", NS)],
            geocodes=[
                (_text(g, "valueName"), _text(g, "value")) for g in area.iterfind("cap:geocode", NS)
            ],
        )
        for area in element.iterfind("cap:area", NS)
    ]
    return cap.Info(
        language=_text(element, "language") or "en-US",
        event=_text(element, "event"),
        urgency=_text(element, "urgency"),
        severity=_text(element, "severity"),
        certainty=_text(element, "certainty"),
        categories=[(c.text or "").strip() for c in element.iterfind("cap:category", NS)],
        response_types=[(r.text or "").strip() for r in element.iterfind("cap:responseType", NS)],
        audience=_text(element, "audience"),
        effective=_time(element, "effective"),
        onset=_time(element, "onset"),
        expires=_time(element, "expires"),
        sender_name=_text(element, "senderName"),
        headline=_text(element, "headline"),
        description=_text(element, "description"),
        instruction=_text(element, "instruction"),
        web=_text(element, "web"),
        contact=_text(element, "contact"),
        parameters=[
            (_text(p, "valueName"), _text(p, "value"))
            for p in element.iterfind("cap:parameter", NS)
        ],
        areas=areas,
    )


def read(data: bytes) -> cap.Alert:
    """A valid message as data; raises InvalidCap with every problem otherwise."""
    root, problems = check(data)
    if problems or root is None:
        raise InvalidCap(problems)
    return cap.Alert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=cap.parse_time(_text(root, "sent")),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        source=_text(root, "source"),
        restriction=_text(root, "restriction"),
        addresses=_text(root, "addresses"),
        note=_text(root, "note"),
        references=_text(root, "references").split(),
        incidents=_text(root, "incidents"),
        infos=[_info(i) for i in root.iterfind("cap:info", NS)],
    )


# ---------------------------------------------------------------- writing


def _add(parent: etree._Element, name: str, value: str | None, required: bool = False) -> None:
    if value or required:
        etree.SubElement(parent, _Q + name).text = value or ""


def _add_time(parent: etree._Element, name: str, value: datetime | None) -> None:
    if value is not None:
        _add(parent, name, cap.format_time(value))


def _write_info(parent: etree._Element, info: cap.Info) -> None:
    element = etree.SubElement(parent, _Q + "info")
    _add(element, "language", info.language)
    for category in info.categories:
        _add(element, "category", category)
    _add(element, "event", info.event, required=True)
    for response in info.response_types:
        _add(element, "responseType", response)
    _add(element, "urgency", info.urgency, required=True)
    _add(element, "severity", info.severity, required=True)
    _add(element, "certainty", info.certainty, required=True)
    _add(element, "audience", info.audience)
    _add_time(element, "effective", info.effective)
    _add_time(element, "onset", info.onset)
    _add_time(element, "expires", info.expires)
    for name, value in (
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
        ("web", info.web),
        ("contact", info.contact),
    ):
        _add(element, name, value)
    for value_name, value in info.parameters:
        parameter = etree.SubElement(element, _Q + "parameter")
        _add(parameter, "valueName", value_name, required=True)
        _add(parameter, "value", value, required=True)
    for area in info.areas:
        area_element = etree.SubElement(element, _Q + "area")
        _add(area_element, "areaDesc", area.description, required=True)
        for polygon in area.polygons:
            _add(area_element, "polygon", polygon)
        for circle in area.circles:
            _add(area_element, "circle", circle)
        for value_name, value in area.geocodes:
            geocode = etree.SubElement(area_element, _Q + "geocode")
            _add(geocode, "valueName", value_name, required=True)
            _add(geocode, "value", value, required=True)


def write(alert: cap.Alert) -> bytes:
    """The message as CAP 1.2 XML (UTF-8, with declaration)."""
    root = etree.Element(_Q + "alert", nsmap={None: cap.NAMESPACE})
    _add(root, "identifier", alert.identifier, required=True)
    _add(root, "sender", alert.sender, required=True)
    _add_time(root, "sent", alert.sent)
    _add(root, "status", alert.status, required=True)
    _add(root, "msgType", alert.msg_type, required=True)
    _add(root, "source", alert.source)
    _add(root, "scope", alert.scope, required=True)
    _add(root, "restriction", alert.restriction)
    _add(root, "addresses", alert.addresses)
    _add(root, "note", alert.note)
    _add(root, "references", " ".join(alert.references))
    _add(root, "incidents", alert.incidents)
    for info in alert.infos:
        _write_info(root, info)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
