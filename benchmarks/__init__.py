"""legsync's benchmark harness: every figure next to its floor, measured in the same run.

Run it from the repository root: ``python -m benchmarks`` (everything), ``python -m benchmarks
--smoke`` (smallest sizes only, for CI), ``python -m benchmarks --json figures.json``. See
``benchmarks/README.md`` and ``docs/performance.md``. Never part of the unit tests.
"""
