"""govbudget benchmarks: each figure measured side by side with the baseline a user would pick.

Run every benchmark and write bench/RESULTS.md:  .venv/bin/python -m bench [--quick]
"""
