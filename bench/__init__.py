"""Benchmarks for the targets in DESIGN.md §8: each prints a summary and saves JSON results.

Run one with ``python -m bench.<name>``; results land in ``bench/results/<name>.json``.
"""
