"""What a serving worker does once its app is loaded (gunicorn's ``post_worker_init``, set by
``cxdash serve`` and by ``gunicorn.conf.py`` for ``gunicorn app:server``)."""

from __future__ import annotations

import gc
from typing import Any


def freeze_startup_objects(worker: Any = None) -> None:
    """Move everything alive after start-up (Dash, Plotly's validators, the app: millions of
    objects that live as long as the process) out of the garbage collector's sight.

    Python's full collections walk every tracked object. A page that builds a big view (an
    agency of hundreds of services: a million short-lived objects) set off full collections
    that walked the start-up objects too, adding 100 ms and more to some requests at random
    (bench/scale.py, 10M observations: the slowest of seven cold agency pages 596 ms, 439 ms
    frozen). Those objects are never garbage, so the collector loses nothing.
    """
    gc.collect()
    gc.freeze()
