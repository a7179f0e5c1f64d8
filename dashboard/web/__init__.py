"""The application: the app factory (the composition root, the one module of ``dashboard``
that wires ``callbacks`` in), the page registry, what exports and API answers are made of,
background jobs and the ``cxdash`` command. See docs/architecture.md."""
