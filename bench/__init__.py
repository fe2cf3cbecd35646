"""Benchmarks: `make bench` prints each figure against its budget."""
