"""Benchmarks: load generation, the runner and its reports (see bench/README.md)."""
