"""Importation risk on the OpenFlights network (about 3,200 airports with routes):
effective distance from one origin to every airport (target <= 5 ms, against a plain
networkx Dijkstra in the same run), all pairs (target <= 10 s), and the country table
for 100 origins (target <= 1 s). The network is loaded once and cached."""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from bench.common import summary_ms
from eocnet.analytics.importation import importation_risk
from eocnet.interop import openflights


def run() -> None:
    started = time.perf_counter()
    network = openflights.default_network()
    print(
        f"   network loaded in {time.perf_counter() - started:.2f} s: "
        f"{network.weights.nnz:,} routes, {len(network.codes):,} airports "
        f"({network.skipped} route rows with unknown airports skipped)"
    )
    graph = network.distance_graph()
    with_routes = np.flatnonzero(np.diff(network.weights.indptr) > 0)
    rng = np.random.default_rng(2026)
    origins = rng.choice(with_routes, size=100, replace=False)

    ours = []
    for origin in origins:
        t = time.perf_counter()
        network.effective_distance([int(origin)])
        ours.append(time.perf_counter() - t)

    coo = graph.tocoo()
    g = nx.DiGraph()
    g.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    theirs = []
    for origin in origins[:30]:
        t = time.perf_counter()
        lengths = nx.single_source_dijkstra_path_length(g, int(origin))
        theirs.append(time.perf_counter() - t)
    check = network.effective_distance([int(origins[0])])
    assert all(
        abs(check[k] - v) < 1e-9
        for k, v in nx.single_source_dijkstra_path_length(g, int(origins[0])).items()
    )
    del lengths
    p50_ours, p50_theirs = np.median(ours), np.median(theirs)
    verdict = "meets" if np.percentile(ours, 95) <= 0.005 else "MISSES"
    print(f"   one origin, scipy.sparse.csgraph: {summary_ms(ours)}")
    print(f"   one origin, networkx Dijkstra:    {summary_ms(theirs)}")
    print(
        f"   ratio networkx / eocnet (p50): {p50_theirs / p50_ours:.1f}x; p95 {verdict} "
        "the target of <= 5 ms"
    )

    t = time.perf_counter()
    everything = network.all_effective_distances()
    pairs = time.perf_counter() - t
    reachable = np.isfinite(everything).sum()
    verdict = "meets" if pairs <= 10 else "MISSES"
    print(
        f"   all pairs: {pairs:.2f} s for {everything.shape[0]:,}^2 pairs "
        f"({reachable:,} reachable); {verdict} the target of <= 10 s"
    )
    del everything

    # origins with at least one route abroad (a country table needs a destination)
    coo_w = network.weights.tocoo()
    abroad = np.unique(
        coo_w.row[network.airport_country[coo_w.row] != network.airport_country[coo_w.col]]
    )
    codes = [network.codes[int(o)] for o in rng.choice(abroad, size=100, replace=False)]
    t = time.perf_counter()
    for code in codes:
        importation_risk(network, [code], by="country")
    tables = time.perf_counter() - t
    verdict = "meets" if tables <= 1 else "MISSES"
    print(
        f"   country tables for 100 origins: {tables:.2f} s ({tables * 10:.1f} ms each); "
        f"{verdict} the target of <= 1 s"
    )
