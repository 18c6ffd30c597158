"""The whole platform as real processes: every service's gunicorn and Celery worker (with beat),
against a PostgreSQL database, a RabbitMQ virtual host and a Redis database of its own.

Used by the saga suite; nothing here is mocked. Logs go to ``var/system-tests/<run>/``.
``start_gateway()`` puts the nginx gateway (gateway/render.py's local target) in front of it.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

from ecom_common.service_registry import NAMES
from ecom_common.testing.processes import free_port

REPO = Path(__file__).resolve().parents[1]
SERVICES = NAMES  # every service of the registry, each as real processes
POSTGRES_ADMIN = os.environ.get("POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1:5432")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
RABBIT = os.environ.get("TEST_BROKER_HOST", "127.0.0.1:5672")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian keeps it in /usr/sbin

# Fast retries and sweeps, so failures resolve within a test's patience.
TUNING = {
    "EVENT_RETRY_BACKOFF_SECONDS": "1",
    "EVENT_RETRY_BACKOFF_MAX_SECONDS": "2",
    "EVENT_HANDLER_MAX_RETRIES": "3",
    "OUTBOX_SWEEP_SECONDS": "1",
    "DEAD_LETTER_DRAIN_SECONDS": "1",
    "INVENTORY_EXPIRY_SWEEP_SECONDS": "1",
    "NOTIFICATION_SWEEP_SECONDS": "1",
    "NOTIFICATION_RETRY_SECONDS": "1",
    "NOTIFICATION_RETRY_MAX_SECONDS": "2",
    "GUNICORN_WORKERS": "2",
    "GUNICORN_THREADS": "8",
    "THROTTLE_ANON_RATE": "100000/min",
    "THROTTLE_USER_RATE": "100000/min",
    # The fuzz and security suites send the account endpoints far more than a client would.
    "THROTTLE_ACCOUNT_MAIL_RATE": "100000/hour",
    "THROTTLE_ACCOUNT_TOKEN_RATE": "100000/hour",
    "THROTTLE_ADMIN_SIGN_IN_RATE": "100000/min",
    "ACCOUNT_LOCKOUT_FAILURES": "100000",
    "LOG_LEVEL": "INFO",
    "NUM_PROXIES": "1",  # as behind the gateway: throttling reads the client IP from X-Forwarded-For
}


def json_lines(path: Path) -> list[dict]:
    """The JSON log lines of a process's log file (other lines skipped)."""
    lines = []
    for text in path.read_text().splitlines():
        if text.startswith("{"):
            try:
                lines.append(json.loads(text))
            except json.JSONDecodeError:
                continue
    return lines


def wait_until(condition, *, timeout: float = 60, interval: float = 0.25, message: str = "condition"):
    """Polls ``condition()`` until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


@dataclass
class Gateway:
    url: str
    access_log: Path  # one JSON object per line (gateway/nginx.conf.template, log_format ecom_json)
    process: subprocess.Popen


@dataclass
class Stack:
    name: str
    workdir: Path
    embedded: bool = False  # SQLite + filesystem broker, as `make run` with no settings
    ports: dict = field(default_factory=dict)
    web: dict = field(default_factory=dict)
    workers: dict = field(default_factory=dict)
    env_overrides: dict = field(default_factory=dict)
    gateways: dict = field(default_factory=dict)

    @property
    def database(self) -> str:
        return f"ecom_{self.name}"

    @property
    def vhost(self) -> str:
        return f"ecom_{self.name}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    # -- backing servers -----------------------------------------------------------------
    def create_backing_stores(self) -> None:
        if self.embedded:
            return
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')
        with psycopg.connect(POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{self.database}", autocommit=True) as conn:
            conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            for service in SERVICES:
                conn.execute(f'GRANT CONNECT ON DATABASE "{self.database}" TO ecom_{service}')
                conn.execute(f'CREATE SCHEMA "{service}" AUTHORIZATION ecom_{service}')
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", self.vhost], capture_output=True)
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", self.vhost], check=True, capture_output=True)
        subprocess.run(
            ["rabbitmqctl", "-q", "set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
        )

    def drop_backing_stores(self) -> None:
        if self.embedded:
            return
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", self.vhost], capture_output=True)
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def sql(self, query: str, params=None) -> list[tuple]:
        """Reads any service's tables as the superuser: the tests' view, never a service's."""
        with psycopg.connect(POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{self.database}") as conn:
            return conn.execute(query, params).fetchall()

    def execute(self, statement: str, params=None) -> None:
        """Changes the database as the superuser (to stage a fault)."""
        with psycopg.connect(POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{self.database}") as conn:
            conn.execute(statement, params)

    # -- processes ---------------------------------------------------------------------------
    def env(self, service: str) -> dict:
        env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
        env.update(TUNING)
        env.update(
            DJANGO_SETTINGS_MODULE=f"{service}_service.settings.local",
            DJANGO_DEBUG="False",
            ECOM_VAR_DIR=str(self.workdir / "var"),
            IDENTITY_SERVICE_URL=self.url("user"),
            # The public address, as in a deployment: the staff sign in through this gateway.
            SHOP_URL=self.public_url,
            IDENTITY_PUBLIC_URL=self.public_url,
            ECOM_SERVICE_URLS=",".join(f"{name}={self.url(name)}" for name in SERVICES),
            ECOM_ADMIN_EMAIL="admin@example.com",
            ECOM_ADMIN_PASSWORD="admin-password",
        )
        if not self.embedded:
            role = f"ecom_{service}"
            env.update(
                DATABASE_URL=f"postgres://{role}:{role}@{PG_HOST}/{self.database}",
                CELERY_BROKER_URL=f"amqp://guest:guest@{RABBIT}/{self.vhost}",
                REDIS_URL=f"{REDIS}/{SERVICES.index(service) + 10}",
            )
        env.update(self.env_overrides)
        return env

    def manage(self, service: str, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO / f"{service}_service",
            env=self.env(service),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{service}: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def _spawn(self, service: str, kind: str, command: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{service}-{kind}.log", "a")
        return subprocess.Popen(
            command,
            cwd=REPO / f"{service}_service",
            env=self.env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self, service: str) -> None:
        self.web[service] = self._spawn(
            service,
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                f"{service}_service.wsgi",
                "-c",
                str(REPO / "ops/gunicorn.conf.py"),
                "-b",
                f"127.0.0.1:{self.ports[service]}",
                "--env",
                f"DJANGO_SETTINGS_MODULE={service}_service.settings.local",
            ],
        )

    def start_worker(self, service: str, *, concurrency: int = 2) -> None:
        self.workers[service] = self._spawn(
            service,
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                f"{service}_service.celery_app",
                "worker",
                "-B",
                "-Q",
                f"{service}_service",
                "-c",
                str(concurrency),
                "-n",
                f"{service}@{self.name}",
                "-l",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "-s",
                str(self.workdir / f"{service}-beat-schedule"),
            ],
        )

    def kill_worker(self, service: str, sig=signal.SIGKILL) -> None:
        """Kills the worker and its pool processes at once, as a crashed machine would (or, with
        SIGTERM, stops it as an orchestrator would: then SIGKILL after 30 s, as one does too, so a
        shutdown that hangs cannot leave the stack without the worker the next tests need)."""
        process = self.workers.pop(service)
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    @property
    def public_url(self) -> str:
        """The stack's SHOP_URL: the gateway ``public_gateway()`` starts, where staff sign in."""
        return f"http://127.0.0.1:{self.ports['public-gateway']}"

    def public_gateway(self) -> Gateway:
        """The gateway at SHOP_URL, with the gateway's default settings (``start`` starts it)."""
        return self._public_gateway

    def start_gateway(self, name: str = "gateway", *, port: int | None = None, **render_options: str) -> Gateway:
        """nginx in front of this stack on a free port, rendered like `make run`'s; ``render_options``
        are gateway/render.py's (``rate="1r/m"``, ``burst="2"``, ...). Files in ``<workdir>/<name>/``."""
        out, port = self.workdir / name, port or free_port()
        render = [
            sys.executable,
            str(REPO / "gateway/render.py"),
            "local",
            "--out",
            str(out),
            "--listen",
            f"127.0.0.1:{port}",
        ]
        for service in SERVICES:
            render += ["--upstream", f"{service}=127.0.0.1:{self.ports[service]}"]
        # The traces it starts are not sampled unless a test asks (the stack records what a test marks).
        for option, value in {"trace_sample_percent": "0", **render_options}.items():
            render += [f"--{option.replace('_', '-')}", value]
        subprocess.run(render, check=True, capture_output=True)
        log = open(self.workdir / f"{name}.log", "a")
        process = subprocess.Popen(
            [NGINX, "-p", str(out), "-c", "nginx.conf", "-e", "stderr", "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.gateways[name] = process
        gateway = Gateway(url=f"http://127.0.0.1:{port}", access_log=out / "access.log", process=process)
        wait_until(lambda: _answers(f"{gateway.url}/healthz"), timeout=30, message=f"{name} to answer /healthz")
        return gateway

    def start(self) -> "Stack":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ports = {service: free_port() for service in SERVICES} | {"public-gateway": free_port()}
        self.create_backing_stores()
        for service in SERVICES:
            self.manage(service, "migrate", "--no-input")
            self.manage(service, "events_declare_topology")
        self.manage("user", "ensure_admin")
        for service in SERVICES:
            self.start_web(service)
            self.start_worker(service)
        for service in SERVICES:
            wait_until(lambda s=service: self._healthy(s), timeout=60, message=f"{service} to answer /readyz")
        self._public_gateway = self.start_gateway("public-gateway", port=self.ports["public-gateway"])
        return self

    def _healthy(self, service: str) -> bool:
        return _answers(f"{self.url(service)}/readyz")

    def stop(self) -> None:
        processes = [*self.gateways.values(), *self.web.values(), *self.workers.values()]
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.drop_backing_stores()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def new_stack(*, embedded: bool = False) -> Stack:
    name = f"systest_{uuid.uuid4().hex[:8]}"
    workdir = REPO / "var" / "system-tests" / name
    shutil.rmtree(workdir, ignore_errors=True)
    return Stack(name=name, workdir=workdir, embedded=embedded)
