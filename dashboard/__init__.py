"""cxdash: a public performance dashboard for government customer service."""

__version__ = "0.1.0"
