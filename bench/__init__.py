"""Benchmarks for SPEC §8: DynamoDB requests per endpoint, latency, cold start (and the scheduler).

Each is one command, e.g. `.venv/bin/python -m bench.requests_per_endpoint`; `make bench` runs them all.
"""
