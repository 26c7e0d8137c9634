"""Indicators: definitions from the packs, computed values with targets and ranks, drill-down.

The computing itself is :mod:`dieuhanh.indicators.engine` (no Django); this app loads the
definitions into the operational database, stores the values the engine returns, serves them
(API, CLI, pages) and recomputes after each ingest batch.
"""
