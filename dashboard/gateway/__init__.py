"""The one gateway for public reads: what the public may see (published rows only, never an
internal note) is decided here and nowhere else; the pages and the open-data API read through
it. See docs/architecture.md."""
