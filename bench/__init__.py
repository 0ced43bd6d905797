"""Benchmarks of redline at whole-code scale, side by side with the tools a user would otherwise use.

``python -m bench.generate`` writes deterministic SEC-shaped corpora under ``bench/data/``;
``python -m bench.run`` measures them and writes ``BENCHMARKS.md``.
"""
