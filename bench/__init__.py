"""Benchmarks: each script measures one part and writes its section of docs/benchmarks.md."""
