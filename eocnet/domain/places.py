"""Countries and subdivisions by their ISO 3166 codes (pycountry's copy of the
standard)."""

from __future__ import annotations

import pycountry


def is_country(alpha3: str) -> bool:
    return pycountry.countries.get(alpha_3=alpha3.upper()) is not None


def is_subdivision(code: str) -> bool:
    return pycountry.subdivisions.get(code=code.upper()) is not None  # type: ignore[no-untyped-call]


def country_name(alpha3: str) -> str:
    country = pycountry.countries.get(alpha_3=alpha3.upper())
    if country is None:
        return alpha3
    return str(getattr(country, "common_name", None) or country.name)
