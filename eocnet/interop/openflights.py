"""The OpenFlights airports and routes (ODbL, shipped in eocnet/data/openflights/),
and passenger-volume files, read into plain data for the air network.

OpenFlights names countries in English ("Burma", "Macau"); they are mapped to
ISO 3166-1 alpha-3 codes with pycountry, and with the table below where
OpenFlights' names are not ISO's.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

from eocnet.analytics.air_network import AirNetwork

DATA = Path(__file__).resolve().parent.parent / "data" / "openflights"
ATTRIBUTION = (
    "Airports and routes: OpenFlights.org (ODbL 1.0). The routes date from June 2014 and "
    "carry no passenger counts: shares are of airlines serving each route, not of travellers."
)

#: OpenFlights country names that are not ISO 3166 names
COUNTRY_NAMES = {
    "Brunei": "BRN",
    "Burma": "MMR",
    "Cape Verde": "CPV",
    "Congo (Brazzaville)": "COG",
    "Congo (Kinshasa)": "COD",
    "Cote d'Ivoire": "CIV",
    "East Timor": "TLS",
    "Falkland Islands": "FLK",
    "Johnston Atoll": "UMI",
    "Macau": "MAC",
    "Macedonia": "MKD",
    "Micronesia": "FSM",
    "Midway Islands": "UMI",
    "Netherlands Antilles": "ANT",  # dissolved in 2010; its former ISO code
    "Palestine": "PSE",
    "Reunion": "REU",
    "Russia": "RUS",
    "Saint Helena": "SHN",
    "Svalbard": "SJM",
    "Swaziland": "SWZ",
    "Turkey": "TUR",
    "Virgin Islands": "VIR",
    "Wake Island": "UMI",
    "West Bank": "PSE",
}


class AirDataError(ValueError):
    """Input that cannot be used; the message names the place at fault."""


@lru_cache(maxsize=512)
def country_code(name: str) -> str:
    """ISO alpha-3 for an OpenFlights country name ('' when unknown)."""
    if name in COUNTRY_NAMES:
        return COUNTRY_NAMES[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return ""


@dataclass(frozen=True)
class Airport:
    iata: str
    name: str
    city: str
    country: str  # ISO alpha-3
    latitude: float
    longitude: float


def read_airports(path: Path = DATA / "airports.dat") -> dict[str, Airport]:
    """Airports with an IATA code, by code."""
    airports: dict[str, Airport] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 8 or len(row[4]) != 3 or row[4] == "\\N":
                continue
            airports[row[4]] = Airport(
                iata=row[4],
                name=row[1],
                city=row[2],
                country=country_code(row[3]),
                latitude=float(row[6]),
                longitude=float(row[7]),
            )
    return airports


@dataclass
class RouteCounts:
    """Distinct airlines with a non-stop route per directed airport pair."""

    airlines: dict[tuple[str, str], int]
    skipped: int  # rows whose airports have no known IATA code


def read_routes(airports: dict[str, Airport], path: Path = DATA / "routes.dat") -> RouteCounts:
    carriers: dict[tuple[str, str], set[str]] = {}
    skipped = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 8 or row[7] != "0":
                continue  # only non-stop routes
            origin, destination = row[2], row[4]
            if origin not in airports or destination not in airports or origin == destination:
                skipped += 1
                continue
            airline = row[1] if row[1] != "\\N" else row[0]
            carriers.setdefault((origin, destination), set()).add(airline)
    return RouteCounts({pair: len(names) for pair, names in carriers.items()}, skipped)


def read_volumes(text: str, airports: dict[str, Airport]) -> dict[tuple[str, str], float]:
    """``origin,destination,passengers`` (IATA codes, passengers per month to
    final destinations); one clear error for the first bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("origin", "destination", "passengers") if c not in header]
    if missing:
        raise AirDataError(
            f"the volumes file has no column {', '.join(missing)} "
            "(expected origin,destination,passengers)"
        )
    reader.fieldnames = header
    volumes: dict[tuple[str, str], float] = {}
    for line, row in enumerate(reader, start=2):
        origin = (row.get("origin") or "").strip().upper()
        destination = (row.get("destination") or "").strip().upper()
        for code in (origin, destination):
            if code not in airports:
                raise AirDataError(f"volumes line {line}: unknown IATA airport code {code!r}")
        try:
            passengers = float(row.get("passengers") or "")
        except ValueError:
            passengers = math.nan
        if not math.isfinite(passengers):
            raise AirDataError(
                f"volumes line {line}: passengers {row.get('passengers')!r} is not a number"
            )
        if passengers < 0:
            raise AirDataError(f"volumes line {line}: passengers cannot be negative")
        if origin == destination:
            raise AirDataError(f"volumes line {line}: origin and destination are the same")
        volumes[origin, destination] = volumes.get((origin, destination), 0.0) + passengers
    if not volumes:
        raise AirDataError("the volumes file has no rows")
    return volumes


def parse_codes(text: str, airports: dict[str, Airport]) -> list[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    if not codes:
        raise AirDataError("give at least one origin airport (IATA code)")
    for code in codes:
        if code not in airports:
            raise AirDataError(f"unknown IATA airport code {code!r}")
    return codes


def pairs(items: Iterable[tuple[tuple[str, str], float]]) -> list[tuple[str, str, float]]:
    return [(a, b, w) for (a, b), w in items]


@lru_cache(maxsize=1)
def default_airports() -> dict[str, Airport]:
    return read_airports()


@lru_cache(maxsize=1)
def default_network() -> AirNetwork:
    """The OpenFlights network, weights = distinct airlines per non-stop route;
    read once per process."""
    airports = default_airports()
    routes = read_routes(airports)
    codes = sorted(airports)
    network = AirNetwork.build(
        [(c, airports[c].country) for c in codes],
        pairs(routes.airlines.items()),
        "OpenFlights routes (June 2014), distinct airlines per non-stop route",
    )
    network.skipped = routes.skipped
    return network


def network_for(volumes: str | None) -> AirNetwork:
    """The OpenFlights network, or one weighted by the passengers per month of
    a volumes file (CSV text) when given; AirDataError for a bad file."""
    if volumes is None:
        return default_network()
    airports = default_airports()
    codes = sorted(airports)
    return AirNetwork.build(
        [(c, airports[c].country) for c in codes],
        pairs(read_volumes(volumes, airports).items()),
        "passenger volumes given by the user (per month)",
    )
