"""The Common Alerting Protocol 1.2 (OASIS Standard, 2010) as plain Python: its
vocabularies, a message as data, and the rules of its data dictionary that an XML
schema cannot express. Reading and writing the XML lives in ``interop/cap.py``.

Section numbers refer to the standard's data dictionary (section 3.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"

STATUS = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPE = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPE = ("Public", "Restricted", "Private")
CATEGORY = (
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
    "Infra", "CBRNE", "Other",
)  # fmt: skip
RESPONSE_TYPE = (
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear",
    "None",
)  # fmt: skip
URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")

# 3.2.1: identifier and sender "MUST NOT include spaces, commas or restricted
# characters (< and &)".
_RESTRICTED = re.compile(r"[\s,<&]")
# 3.3.2: times carry an explicit offset; "Z" is not allowed.
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^({_NUMBER}),({_NUMBER})$")
_CIRCLE = re.compile(rf"^({_NUMBER}),({_NUMBER})\s+({_NUMBER})$")


@dataclass
class Area:
    description: str
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Info:
    language: str
    event: str
    urgency: str
    severity: str
    certainty: str
    categories: list[str] = field(default_factory=lambda: ["Health"])
    response_types: list[str] = field(default_factory=list)
    audience: str = ""
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    parameters: list[tuple[str, str]] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)


@dataclass
class Alert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    source: str = ""
    restriction: str = ""
    addresses: str = ""
    note: str = ""
    references: list[str] = field(default_factory=list)
    incidents: str = ""
    infos: list[Info] = field(default_factory=list)


def format_time(value: datetime) -> str:
    """A CAP time: seconds, an explicit offset, never "Z" (3.3.2). UTC is "+00:00"."""
    if value.tzinfo is None:
        raise ValueError("a CAP time needs a time zone")
    text = value.replace(microsecond=0).isoformat()
    return text


def parse_time(text: str) -> datetime:
    text = text.strip()
    if not _TIME.match(text):
        raise ValueError(f"{text!r} is not a CAP time (YYYY-MM-DDThh:mm:ss+hh:mm, no 'Z')")
    return datetime.fromisoformat(text)


def identifier_problem(value: str, what: str = "identifier") -> str | None:
    if not value.strip():
        return f"{what} is empty"
    if _RESTRICTED.search(value):
        return f"{what} {value!r} contains a space, comma, '<' or '&' (CAP 1.2, 3.2.1)"
    return None


def reference_problem(value: str) -> str | None:
    """A reference is "sender,identifier,sent" (3.2.1, references)."""
    parts = value.split(",")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return f"reference {value!r} is not 'sender,identifier,sent'"
    try:
        parse_time(parts[2])
    except ValueError:
        return f"reference {value!r} does not end with a CAP time"
    return None


def _point(text: str) -> tuple[float, float] | str:
    match = _PAIR.match(text)
    if not match:
        return f"{text!r} is not a 'latitude,longitude' pair"
    lat, lon = float(match.group(1)), float(match.group(2))
    if not -90 <= lat <= 90:
        return f"latitude {lat} is outside -90..90"
    if not -180 <= lon <= 180:
        return f"longitude {lon} is outside -180..180"
    return lat, lon


def polygon_problem(text: str) -> str | None:
    """3.2.4: "a paired set of points ... four or more coordinate pairs, first and
    last pair of coordinates MUST be the same"."""
    pairs = text.split()
    if len(pairs) < 4:
        return f"a polygon needs at least 4 coordinate pairs, this one has {len(pairs)}"
    points = []
    for pair in pairs:
        point = _point(pair)
        if isinstance(point, str):
            return f"polygon: {point}"
        points.append(point)
    if points[0] != points[-1]:
        return "a polygon must be closed: its first and last pairs differ"
    return None


def circle_problem(text: str) -> str | None:
    """3.2.4: "a central point ... followed by a space character and a radius value
    in kilometers"."""
    match = _CIRCLE.match(text.strip())
    if not match:
        return f"circle {text!r} is not 'latitude,longitude radius'"
    point = _point(f"{match.group(1)},{match.group(2)}")
    if isinstance(point, str):
        return f"circle: {point}"
    if float(match.group(3)) < 0:
        return "a circle's radius cannot be negative"
    return None


def circle_text(lat: float, lon: float, radius_km: float) -> str:
    return f"{lat:g},{lon:g} {radius_km:g}"
