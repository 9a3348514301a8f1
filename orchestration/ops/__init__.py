"""The operational store: workflow records people write (rate-card sign-offs and publications).

It is a SQLite file beside the warehouse, not part of it: DuckDB has one writing process, and a month close
holds it for minutes, so an approval recorded here never waits for a close. Each close copies the store into
the warehouse (`raw.ops_*`, orchestration/ops/snapshot.py) before dbt runs.
"""
