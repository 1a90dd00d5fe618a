"""Benchmarks: `make bench` runs every module here and prints figures and ratios.

Each benchmark measures its subject and a baseline in the same run on the same
machine, and prints the ratio; absolute times vary between machines, ratios less.
Nothing here is a test: targets are printed beside the figures, not asserted.
"""
