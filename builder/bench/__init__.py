"""Synthetic briefing books for benchmarks and tests (``python -m builder.bench``)."""
