"""Aggregate reports from ADX, the IHE "Aggregate Data Exchange" XML that
DHIS2 and other HMIS export (namespace ``urn:ihe:qrph:adx:2015``).

An ADX ``group`` carries the reporting unit, the period and the data set; each
``dataValue`` one figure with its disaggregation as attributes. eocnet reads:

- ``group@dataSet``: the disease code (a ``disease`` attribute wins if given);
- ``group@orgUnit``: the reporting party's code, or an ISO 3166-2 subdivision
  (then it is the row's area);
- ``group@period``: ``YYYY-MM-DD/P7D`` or ``/P1W`` for a week starting that day,
  ``/P1D`` for a day, or an ISO week ``2026-W47``;
- ``dataValue@dataElement``: one of the six counts (``cases_confirmed`` …);
  ``@value`` the count; ``@area``, ``@age_group``, ``@sex`` the breakdown.

Values with the same group and breakdown make one report row. The parser never
resolves entities, fetches DTDs or reaches the network.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from eocnet.domain.surveillance import AREA, FIGURES
from eocnet.interop import safe_xml
from eocnet.interop.tables import TableError

NAMESPACE = "urn:ihe:qrph:adx:2015"
PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})/(P7D|P1W|P1D)$")
BREAKDOWN = ("area", "age_group", "sex")


def looks_like_adx(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"adx" in data[:2048]


def _period(text: str) -> str:
    match = PERIOD.match(text.strip())
    if match:
        return match.group(1)
    return text.strip()  # an ISO week or a plain date: checked with the other rows


def read_adx(data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Report records, and errors for values that cannot become one (numbered
    by their position among the file's dataValue elements)."""
    try:
        root = safe_xml.parse(data)
    except safe_xml.UnsafeXml as exc:
        raise TableError(f"the ADX file is refused: {exc}") from None
    except safe_xml.BadXml as exc:
        raise TableError(f"the ADX file is {exc} (line {exc.line})") from None
    if etree.QName(root).localname != "adx":
        raise TableError("not an ADX file: the root element must be <adx>")
    ns = etree.QName(root).namespace or ""
    if ns not in ("", NAMESPACE):
        raise TableError(f"unknown ADX namespace {ns!r}; expected {NAMESPACE}")
    tag = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    records: dict[tuple[str, ...], dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    number = 0
    for group in root.iter(tag("group")):
        unit = (group.get("orgUnit") or "").strip().upper()
        disease = group.get("disease") or group.get("dataSet") or ""
        period = _period(group.get("period") or "")
        for value in group.iter(tag("dataValue")):
            number += 1
            element = (value.get("dataElement") or "").strip().lower()
            if element not in FIGURES:
                errors.append(
                    {
                        "row": number,
                        "field": "dataElement",
                        "detail": f"{element!r} is not one of {', '.join(FIGURES)}",
                    }
                )
                continue
            breakdown = {name: (value.get(name) or "").strip() for name in BREAKDOWN}
            # "_row": the number errors about this record refer to
            record: dict[str, Any] = {
                "_row": number,
                "disease": disease,
                "period": period,
                **breakdown,
            }
            if AREA.match(unit):
                record["area"] = record["area"] or unit
            elif unit:
                record["party"] = unit
            key = (unit, disease, period, *(str(record.get(n, "")) for n in BREAKDOWN))
            row = records.setdefault(key, record)
            row[element] = value.get("value") or ""
    if number == 0:
        raise TableError("the ADX file has no dataValue")
    return list(records.values()), errors
