"""Epidemiological analytics: signal detection and the reproduction number.

Pure numpy/scipy, no database and no web: each function takes counts and
returns numbers, so the same code serves the CLI (``eocnet analyze``), the
signal job after each report, the pages and the benchmarks. Results match the
R packages epidemiologists use (``surveillance``, ``EpiEstim``); the tests
compare them with reference values R computed (``tests/reference/``).
"""
