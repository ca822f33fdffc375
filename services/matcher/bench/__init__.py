"""Benchmarks: encoding and top-k latency (`make bench`), national scale (`make scale`)."""
