"""The domain as plain functions: fiscal periods, business days, statistics, normalisation to
0-100, targets in force, roll-ups, series, summaries, the quarterly comparison and number
formats. No I/O, no database, no Dash; imports only :mod:`dashboard.core`. See
docs/architecture.md."""
