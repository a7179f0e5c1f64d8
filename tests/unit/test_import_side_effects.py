"""Importing cxdash creates no engine, session or DataFrame (house rule)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_every_module_touches_no_database():
    code = """
import importlib, pkgutil, sys
import dashboard, layouts, callbacks, data
for package in (dashboard, layouts, callbacks, data):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in module.name:
            continue  # Alembic's env.py runs only inside Alembic
        importlib.import_module(module.name)
from dashboard.infra import db
assert db._engines == {}, db._engines
import gc, pandas
frames = [o for o in gc.get_objects() if isinstance(o, pandas.DataFrame)]
assert frames == [], len(frames)
print("clean")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"
