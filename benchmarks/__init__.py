"""Benchmark suite for mcp_django (not part of the distributed package)."""
