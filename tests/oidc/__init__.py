"""Starts the test OpenID provider (provider.mjs beside this file, npm's oidc-provider).

``scripts/setup --dev`` installs it (``npm ci --prefix tests/oidc``); the tests never download
anything. In CI (CI=true) a missing node or provider is a failure, elsewhere a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

PROVIDER_DIR = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").lower() == "true"
#: The confidential client provider.mjs registers (CLIENT_ID-jwt and CLIENT_ID-public too).
CLIENT_ID = "cxdash"
CLIENT_SECRET = "cxdash-test-secret-0123456789"
READY_TIMEOUT_S = 20


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message} (CI=true: scripts/setup --dev installs it)")
    pytest.skip(message)


class Provider:
    """tests/oidc/provider.mjs in a child process, until ``close``."""

    def __init__(self, redirect_uri: str, env: dict[str, str] | None = None) -> None:
        node = shutil.which("node")
        if node is None:
            _unavailable("node is not installed (apt-get install nodejs npm)")
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            _unavailable("the test OpenID provider is not installed (npm ci --prefix tests/oidc)")
        self.process = subprocess.Popen(
            [str(node), str(PROVIDER_DIR / "provider.mjs"), "0"],
            cwd=PROVIDER_DIR,
            env={
                "PATH": os.environ.get("PATH", ""),
                "CLIENT_ID": CLIENT_ID,
                "CLIENT_SECRET": CLIENT_SECRET,
                "REDIRECT_URIS": redirect_uri,
                **(env or {}),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.issuer = self._wait_until_ready()

    def _wait_until_ready(self) -> str:
        found: list[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if line.startswith("ready "):
                    found.append(line.split()[1])
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout=READY_TIMEOUT_S)
        if not found:
            self.close()
            pytest.fail(f"the test OpenID provider did not start within {READY_TIMEOUT_S} s")
        return found[0]

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
