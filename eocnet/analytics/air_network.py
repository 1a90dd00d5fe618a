"""The air-travel network: airports as nodes, directed weights between them
(distinct airlines by default, passengers when known), and the effective
distance of Brockmann & Helbing (2013) computed with scipy's Dijkstra."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

FloatArray = NDArray[np.float64]


@dataclass
class AirNetwork:
    """``weights[n, m]`` is the weight of the route n -> m (0: none)."""

    codes: list[str]
    countries: list[str]  # ISO alpha-3 per airport ('' unknown)
    weights: csr_matrix
    source: str
    skipped: int = 0  # routes left out because an airport code is unknown
    index: dict[str, int] = field(default_factory=dict)
    country_index: dict[str, int] = field(default_factory=dict)
    airport_country: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    _distance_graph: csr_matrix | None = None

    def __post_init__(self) -> None:
        self.index = {code: i for i, code in enumerate(self.codes)}
        names = sorted({c for c in self.countries if c})
        self.country_index = {c: i for i, c in enumerate(names)}
        self.airport_country = np.array(
            [self.country_index.get(c, -1) for c in self.countries], dtype=np.int64
        )

    @classmethod
    def build(
        cls,
        airports: Sequence[tuple[str, str]],
        routes: Sequence[tuple[str, str, float]],
        source: str,
    ) -> AirNetwork:
        """From (code, country) pairs and (origin, destination, weight) routes."""
        codes = [code for code, _ in airports]
        position = {code: i for i, code in enumerate(codes)}
        rows = np.array([position[a] for a, _, _ in routes], dtype=np.int64)
        cols = np.array([position[b] for _, b, _ in routes], dtype=np.int64)
        data = np.array([w for _, _, w in routes], dtype=float)
        keep = data > 0
        matrix = csr_matrix((data[keep], (rows[keep], cols[keep])), shape=(len(codes),) * 2)
        matrix.sum_duplicates()
        return cls(codes, [country for _, country in airports], matrix, source)

    @property
    def countries_sorted(self) -> list[str]:
        return sorted(self.country_index, key=self.country_index.__getitem__)

    def outbound(self, origin: int) -> FloatArray:
        """The weights from one airport to every airport."""
        row = np.zeros(len(self.codes))
        start, end = self.weights.indptr[origin], self.weights.indptr[origin + 1]
        row[self.weights.indices[start:end]] = self.weights.data[start:end]
        return row

    def distance_graph(self) -> csr_matrix:
        """Edge lengths d_nm = 1 - ln P(m | n), P the share of n's outbound weight
        going to m (Brockmann & Helbing 2013); computed once."""
        if self._distance_graph is None:
            totals = np.asarray(self.weights.sum(axis=1)).ravel()
            graph = self.weights.tocoo()
            share = graph.data / totals[graph.row]
            lengths = 1.0 - np.log(share)
            self._distance_graph = csr_matrix(
                (lengths, (graph.row, graph.col)), shape=self.weights.shape
            )
        return self._distance_graph

    def effective_distance(self, origins: Sequence[int]) -> FloatArray:
        """D_eff from the nearest of ``origins`` to every airport (inf: unreachable)."""
        return np.asarray(
            dijkstra(self.distance_graph(), directed=True, indices=list(origins), min_only=True),
            dtype=float,
        )

    def all_effective_distances(self) -> FloatArray:
        """D_eff between every pair of airports (rows: from)."""
        return np.asarray(dijkstra(self.distance_graph(), directed=True), dtype=float)
