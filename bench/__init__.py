"""Benchmarks of Pairwise against the bare stack; see bench/README.md."""
