"""Infrastructure: the database (engines, sessions, migrations, the schema), the cache, rate
limits, chart rendering in Chromium and HTML templates. See docs/architecture.md."""
