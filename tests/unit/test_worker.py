"""A serving worker freezes its start-up objects out of the garbage collector's sight, however
it is started (``cxdash serve`` or ``gunicorn app:server`` with ``gunicorn.conf.py``)."""

from __future__ import annotations

import gc
import runpy

from dashboard.core.settings import PROJECT_ROOT
from dashboard.web.cli import gunicorn_settings
from dashboard.web.worker import freeze_startup_objects


def test_freezing_moves_the_live_objects_out_of_the_collectors_sight():
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def test_cxdash_serve_and_the_gunicorn_file_set_the_same_hook():
    settings = gunicorn_settings("127.0.0.1:8050", 2, 4)
    assert settings["post_worker_init"] is freeze_startup_objects
    assert settings["workers"] == 2 and settings["threads"] == 4
    config = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    try:
        config["post_worker_init"](None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
