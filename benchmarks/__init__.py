"""Benchmarks of the reference against the real libraries (``python -m benchmarks``).

Never imported by the conformance suites: timings are published, not asserted.
"""
