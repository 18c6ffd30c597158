"""Start a service as a real process (gunicorn) for tests that cross a service boundary."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from ecom_common.settings import REPO_DIR

# What a child may inherit; the test process's own DATABASE_URL etc. belong to another service.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV")


# Every port handed out stays bound here (SO_REUSEADDR, never listening) until the test process
# exits. The kernel then gives it to no one else, neither another bind(0) nor an outgoing
# connection, while the server a test starts on it can still listen there: gunicorn, nginx,
# asyncio (aiosmtpd) and Go (Prometheus) all set SO_REUSEADDR. A port released between the pick
# and the server's bind could be handed out twice: a stack's seven picks repeat one in about one
# start of 650 (measured), and the server started second then fails to bind while the readiness
# check is answered by the first. A CI run in which the payment service's port answered every
# request with another service's 404s looked exactly like that.
_RESERVED: list[socket.socket] = []


def free_port() -> int:
    """A loopback port no other socket will take while this process runs (see ``_RESERVED``)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    _RESERVED.append(sock)
    return sock.getsockname()[1]


def service_env(**variables: str) -> dict:
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(variables)
    return env


def manage(service: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_DIR / f"{service}_service",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


@contextmanager
def running_service(service: str, *, env: dict, log_path: Path):
    """Migrates, then serves ``<service>_service`` with gunicorn on a free port; yields its base URL."""
    env = {"DJANGO_SETTINGS_MODULE": f"{service}_service.settings.local", **env}
    manage(service, "migrate", "--no-input", env=env)
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                f"{service}_service.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=REPO_DIR / f"{service}_service",
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log_path)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path, attempts: int = 150) -> None:
    for _ in range(attempts):
        if process.poll() is not None:
            raise RuntimeError(f"{base_url} exited early:\n{log_path.read_text()}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            # Not listening yet, or listening while its worker still imports Django (on a cold
            # checkout, with no bytecode cached yet, that takes longer than the timeout).
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} did not become healthy:\n{log_path.read_text()}")
