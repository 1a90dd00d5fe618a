"""What the importation-risk figures are shares of, in one wording for the
API, the pages and the reports.

The OpenFlights network counts the airlines serving each direct route in
June 2014, not passengers, so its shares are shares of direct airline
routes; only the user's passenger volumes give shares of passengers (and
expected numbers of infected travellers).
"""

from __future__ import annotations

ROUTES = "share of direct airline routes (OpenFlights, June 2014)"
PASSENGERS = "share of passengers"


def share_label(with_volumes: bool) -> str:
    """What the share column is a share of, for the network used."""
    return PASSENGERS if with_volumes else ROUTES
