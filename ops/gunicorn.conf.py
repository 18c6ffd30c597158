"""gunicorn settings shared by every service's web process (tuning: see README, "Performance")."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000  # recycle workers now and then, with jitter so they don't restart together
max_requests_jitter = 200
reload = os.environ.get("GUNICORN_RELOAD", "") == "1"
# gunicorn 27's runtime control socket (~/.gunicorn/gunicorn.ctl) is one path per user: every
# web process of `make run` would fight over it, and a read-only container cannot create it.
# Nothing here uses it; scaling and restarts go through signals and the orchestrator.
control_socket_disable = True

accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s", "traceparent": "%({traceparent}i)s"}'
)
