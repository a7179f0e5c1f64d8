"""Servers a test owns: started on a free port, stopped and restarted under a running app.

Outage tests stop these, never the machine's shared servers. In CI (CI=true) a missing server
binary is a failure, not a skip (``tests.conftest.unavailable``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import unavailable

# --- Redis ---------------------------------------------------------------------------------

#: Seconds a redis-server has to say it is ready (it takes milliseconds).
REDIS_START_TIMEOUT_S = 20.0


def free_port() -> int:
    """A TCP port nothing listens on at the moment (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own: no persistence, on 127.0.0.1 only.

    ``start()`` picks a free port (or takes one), ``stop()`` ends the server, ``restart()``
    starts it again on the same port (empty: nothing is saved). Readiness is Redis's own
    "Ready to accept connections" log line, read from its output: no polling, no sleeps.
    """

    def __init__(self, binary: str = "redis-server") -> None:
        self.binary = binary
        self.port: int | None = None
        self.process: subprocess.Popen[str] | None = None
        self.log: list[str] = []
        self._dir = tempfile.TemporaryDirectory(prefix="cxdash-redis-")

    @property
    def url(self) -> str:
        assert self.port is not None, "start the server first"
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, port: int | None = None) -> RedisServer:
        if self.running:
            raise RuntimeError("the Redis server is already running")
        path = shutil.which(self.binary)
        if path is None:
            raise FileNotFoundError(f"{self.binary} is not installed")
        self.port = port if port is not None else (self.port or free_port())
        ready = threading.Event()
        process = subprocess.Popen(
            [
                path,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                self._dir.name,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.process = process

        def read() -> None:
            # Also drains the pipe for the server's whole life, so its log can never block it.
            assert process.stdout is not None
            for line in process.stdout:
                self.log.append(line.rstrip())
                if "Ready to accept connections" in line:
                    ready.set()
            ready.set()  # the server exited: wake the waiter, which then sees it is gone

        threading.Thread(target=read, name=f"redis-{self.port}-log", daemon=True).start()
        if not ready.wait(REDIS_START_TIMEOUT_S) or not self.running:
            self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}: {self.log[-5:]}")
        return self

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL if it does not go) and wait for it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def restart(self) -> RedisServer:
        """Stop the server if it runs, and start a new one on the same port."""
        self.stop()
        return self.start(self.port)

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A running redis-server of this test's own, on a free port (stop and restart it freely)."""
    with RedisServer() as server:
        try:
            server.start()
        except (OSError, RuntimeError) as error:
            unavailable("redis-server", error)
        yield server


# --- PostgreSQL ----------------------------------------------------------------------------

#: Where Debian's postgresql-15 package puts initdb and pg_ctl (POSTGRES_BIN_DIR overrides).
POSTGRES_BIN_DIR = Path(os.environ.get("POSTGRES_BIN_DIR", "/usr/lib/postgresql/15/bin"))


class PostgresServer:
    """A throwaway PostgreSQL cluster: ``initdb`` once, then stop and start it on the same
    port, as the system user ``postgres`` (PostgreSQL refuses to run as root).

    Its folder is made with :func:`tempfile.mkdtemp` (under /tmp), not in pytest's tmp_path,
    whose parents only root may enter. ``pg_ctl -w`` waits for the server itself: no sleeps.
    """

    def __init__(self, bin_dir: Path = POSTGRES_BIN_DIR) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cxdash-pg-"))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "sockets"
        self.log_file = self.root / "server.log"
        self.running = False

    @staticmethod
    def missing(bin_dir: Path = POSTGRES_BIN_DIR) -> str | None:
        """Why a server cannot be made here (no binaries, no ``postgres`` user), or None."""
        if not (bin_dir / "initdb").exists():
            return f"no initdb in {bin_dir}"
        if shutil.which("runuser") is None:
            return "no runuser"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "no system user postgres"
        return None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _as_postgres(self, *command: str) -> None:
        result = subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log}"
            )

    def init(self) -> PostgresServer:
        """Create the cluster (trust authentication, superuser ``postgres``) and start it."""
        owner = pwd.getpwnam("postgres")
        for folder in (self.root, self.socket_dir):
            folder.mkdir(exist_ok=True)
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        self._as_postgres(
            str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", "postgres"
        )
        self.start()
        return self

    def start(self) -> None:
        """Start (again) on the same port."""
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        pg_ctl = str(self.bin_dir / "pg_ctl")
        self._as_postgres(
            pg_ctl, "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "start"
        )
        self.running = True

    def stop(self) -> None:
        """Stop at once, as a crash or a killed server would (no clean shutdown)."""
        pg_ctl = str(self.bin_dir / "pg_ctl")
        self._as_postgres(pg_ctl, "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        self.running = False

    def close(self) -> None:
        try:
            if self.running:
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.init()

    def __exit__(self, *exc: object) -> None:
        self.close()
