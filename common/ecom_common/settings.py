"""Shared settings of every service, and the helpers that read the environment.

A service's ``settings/base.py`` star-imports this module, then names itself and calls the
helpers below. Every variable a service reads is documented in the README's settings table.

With no variables at all everything runs embedded: a SQLite file per service under ``var/``,
the kombu ``filesystem://`` broker, and a local-memory cache. ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``REDIS_URL`` switch to PostgreSQL, RabbitMQ and Redis.
"""

from datetime import timedelta
from pathlib import Path

import environ

from ecom_common import service_registry
from ecom_common.enqueue import BROKER_RETRY_POLICY

env = environ.Env()

# The repository root: services live one level below it.
REPO_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env("ECOM_VAR_DIR", default=str(REPO_DIR / "var")))


def sqlite_config(path: Path) -> dict:
    """One SQLite file that several processes (web workers, the Celery worker) write at once.

    WAL lets reads run beside the one writer. IMMEDIATE takes the write lock when a transaction
    begins, so a second writer waits for it (up to ``timeout`` seconds) instead of failing: in
    SQLite's default (DEFERRED) mode a transaction that read first and then writes cannot wait,
    it fails at once with "database is locked" (the 503s of an embedded checkout under load).
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }


def database_config(service: str) -> dict:
    """SQLite under var/ by default; with DATABASE_URL, PostgreSQL confined to the service's schema
    (or, for ``sqlite:////path``, that SQLite file)."""
    if "DATABASE_URL" not in env:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return {**sqlite_config(VAR_DIR / f"{service}.sqlite3"), "TEST": {"NAME": VAR_DIR / f"test_{service}.sqlite3"}}
    config = env.db_url("DATABASE_URL")
    if config["ENGINE"] == "django.db.backends.sqlite3":  # sqlite:////path/to/file.sqlite3
        return {**sqlite_config(Path(config["NAME"])), "TEST": {"NAME": Path(config["NAME"]).with_suffix(".test")}}
    config["ENGINE"] = "ecom_common.db.postgresql"
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    # Quoted: "user" and "order" are reserved words in PostgreSQL.
    config["OPTIONS"] = {"options": f'-c search_path="{service}"'}
    config["SCHEMA"] = service
    config["TEST"] = {"NAME": f"test_{config['NAME']}_{service}"}
    return config


def cache_config(service: str) -> dict:
    """Redis (django-redis) when REDIS_URL is set, else a per-process local-memory cache."""
    if "REDIS_URL" not in env:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": service,
            "KEY_PREFIX": service,
        }
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env("REDIS_URL"),
        "KEY_PREFIX": service,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 2,
            "SOCKET_TIMEOUT": 2,
        },
    }


def broker_url() -> str:
    # The filesystem transport ignores the host, but kombu warns at every connection without one.
    return env("CELERY_BROKER_URL", default="filesystem://localhost//")


def broker_transport_options() -> dict:
    """The embedded broker keeps its messages in folders under var/ that every process shares."""
    if not broker_url().startswith("filesystem://"):
        return {"confirm_publish": True}
    folder = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def spectacular_settings(*, title: str, description: str) -> dict:
    return {
        "TITLE": title,
        "DESCRIPTION": description,
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "COMPONENT_SPLIT_REQUEST": True,
        # drf-standardized-errors documents the one error format on every operation.
        "ENUM_NAME_OVERRIDES": {
            "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
            "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
            "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
            "ErrorCode401Enum": "ecom_common.openapi.ERROR_CODES_401",
            "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
            "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
            "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
            "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
            "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
            "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
            "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        },
        "POSTPROCESSING_HOOKS": [
            "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
            "ecom_common.openapi.index_placeholders_as_patterns",
        ],
    }


def registry_settings(name: str) -> dict:
    """What the service registry implies of a service's settings. Each service's ``base.py``
    spells these out (so grep finds them) and a shared test checks them against this."""
    service = service_registry.service(name)
    return {
        "SERVICE_NAME": name,
        "ROOT_URLCONF": f"{service.package}.urls",
        "WSGI_APPLICATION": f"{service.package}.wsgi.application",
        "STATIC_URL": f"/static/{service.admin_slug}/",
        "SESSION_COOKIE_NAME": f"{name}_sessionid",
        "CSRF_COOKIE_NAME": f"{name}_csrftoken",
        "CELERY_TASK_DEFAULT_QUEUE": service.package,
    }


# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
USE_X_FORWARDED_HOST = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SHARED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served locally: the docs work offline
    "drf_standardized_errors",
    "django_prometheus",
    "ecom_common",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ecom_common.request_id.RequestIdMiddleware",
    "ecom_common.tracing.TraceparentMiddleware",  # logs and events carry the request's trace
    # After the request id (its header is kept), before everything whose errors it formats.
    "ecom_common.errors.ErrorFormatMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ecom_common.admin_sso.StaffAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' own: the admin's base_site.html, greeting staff by name (not an id).
        "DIRS": [Path(__file__).resolve().parent / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Identity: every service but user_service verifies RS256 tokens locally
# ---------------------------------------------------------------------------
# Where each service answers the others (the identity service's JWKS and sign-in, the dashboard's summaries): by default
# this machine and the registry's ports; compose and k8s: http://<name>-service:8000.
# ECOM_SERVICE_URLS ("payment=http://...,inventory=http://...") names any of them outright.
ECOM_SERVICE_URL_TEMPLATE = env("ECOM_SERVICE_URL_TEMPLATE", default="http://127.0.0.1:{port}")
SERVICE_URLS = {
    service.name: ECOM_SERVICE_URL_TEMPLATE.format(port=service.port, host=service.host)
    for service in service_registry.SERVICES
} | env.dict("ECOM_SERVICE_URLS", default={})
IDENTITY_SERVICE_URL = env("IDENTITY_SERVICE_URL", default=SERVICE_URLS[service_registry.IDENTITY])
# The shop's public address, the gateway's (mail links; the staff sign-in's redirect URIs), and
# where browsers reach the identity service's sign-in (by default through the gateway).
SHOP_URL = env("SHOP_URL", default="http://127.0.0.1:8000").rstrip("/")
IDENTITY_PUBLIC_URL = env("IDENTITY_PUBLIC_URL", default=SHOP_URL).rstrip("/")
JWT_ISSUER = env("JWT_ISSUER", default="ecom-user-service")
JWT_AUDIENCE = env("JWT_AUDIENCE", default="ecom")
# A PEM public key; when empty the key is fetched from JWT_JWKS_URL and cached.
JWT_PUBLIC_KEY = env("JWT_PUBLIC_KEY", default="").replace("\\n", "\n")
JWT_JWKS_URL = env("JWT_JWKS_URL", default=f"{IDENTITY_SERVICE_URL}/.well-known/jwks.json")
# A token naming a key not fetched yet fetches the JWKS again, at most this often (and this
# often again after a failed fetch): a new key after a rotation is found, forged headers cost nothing.
JWKS_REFETCH_SECONDS = env.float("JWKS_REFETCH_SECONDS", default=30.0)
JWKS_FAILURE_RETRY_SECONDS = env.float("JWKS_FAILURE_RETRY_SECONDS", default=2.0)
# Only the identity service signs: it sets JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE.
JWT_PRIVATE_KEY = env("JWT_PRIVATE_KEY", default="").replace("\\n", "\n")
# Identity service, during a key rotation: PEM public keys served in the JWKS beside the signing
# key and accepted from tokens (comma-separated; README, "Rotating the signing key").
JWT_EXTRA_PUBLIC_KEYS = [pem.replace("\\n", "\n") for pem in env.list("JWT_EXTRA_PUBLIC_KEYS", default=[])]
JWT_PRIVATE_KEY_FILE = ""
JWT_GENERATE_PRIVATE_KEY = False

SIMPLE_JWT = {
    "ALGORITHM": "RS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ISSUER": JWT_ISSUER,
    "AUDIENCE": JWT_AUDIENCE,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_USER_CLASS": "ecom_common.auth.tokens.TokenUser",
    # Keys are resolved at run time by ecom_common.auth.backends.TokenBackend.
    "SIGNING_KEY": None,
    "VERIFYING_KEY": None,
}

# Staff sign in to every admin with their identity-service account: OpenID Connect, this admin
# the client "<service>-admin" (ecom_common.admin_sso; the endpoints follow IDENTITY_*_URL).
AUTHENTICATION_BACKENDS = ["ecom_common.admin_sso.StaffOIDCBackend"]
OIDC_RP_CLIENT_SECRET = ""  # a public client: PKCE and its registered redirect URIs bind the code
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 5
# Sign-in attempts at the identity service's sign-in form per client address (then a 429 page).
THROTTLE_ADMIN_SIGN_IN_RATE = env("THROTTLE_ADMIN_SIGN_IN_RATE", default="20/min")
# The service's own figures on the order admin's dashboard (ecom_common.staff_summary): a
# service's base.py names its function.
STAFF_SUMMARY_FIGURES = None
# The service's own business metrics on /metrics (ecom_common.business_metrics): a service's
# base.py names its function.
BUSINESS_METRICS = None
# How long an admin session trusts the staff status it signed in with before asking the identity
# service again: a demoted or deactivated member of staff is signed out within this.
STAFF_RECHECK_SECONDS = env.float("STAFF_RECHECK_SECONDS", default=30.0)

# ---------------------------------------------------------------------------
# REST framework, errors, schema
# ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "ecom_common.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "ecom_common.throttling.AnonRateThrottle",
        "ecom_common.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON_RATE", default="300/min"),
        "user": env("THROTTLE_USER_RATE", default="1200/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ecom_common.openapi.AutoSchema",
    # JSON everywhere (README, "Conventions"): a form or multipart body is refused with 415, not half-parsed.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "ecom_common.errors.EcomExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "409", "415", "429"],
    "ERROR_SCHEMAS": {
        "401": "ecom_common.openapi.ErrorResponse401Serializer",
        "409": "ecom_common.openapi.ErrorResponse409Serializer",
    },
}

# ---------------------------------------------------------------------------
# Static files (the admin's), served by WhiteNoise from each service
# ---------------------------------------------------------------------------
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Development serves straight from the apps; production.py collects and compresses.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# ---------------------------------------------------------------------------
# Celery: each service has its own app and private queue
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = broker_url()
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options()
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# A task that raises is rejected, not acked: on RabbitMQ it goes to the service's dead-letter queue.
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = False
# Publishing a task never blocks forever on a dead broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = BROKER_RETRY_POLICY
CELERY_BROKER_CONNECTION_TIMEOUT = 4
# With late acks, a task still running when the connection drops is redelivered; cancel it
# rather than let it finish twice (its inbox row would make the second a no-op anyway).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SEND_SENT_EVENT = False
# Remote control (``celery inspect``, the k8s liveness probe) needs a real broker. On the embedded
# filesystem broker every worker of `make run` would create the pidbox exchange's binding file
# at the same moment, and kombu's filesystem transport can read it half-written (a
# JSONDecodeError that stopped a worker, and so all of `make run`, in this repository's tests).
CELERY_WORKER_ENABLE_REMOTE_CONTROL = not CELERY_BROKER_URL.startswith("filesystem://")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# ---------------------------------------------------------------------------
# Event bus (ecom_common.events)
# ---------------------------------------------------------------------------
EVENT_HANDLER_MAX_RETRIES = env.int("EVENT_HANDLER_MAX_RETRIES", default=8)
EVENT_RETRY_BACKOFF_SECONDS = env.float("EVENT_RETRY_BACKOFF_SECONDS", default=1.0)
EVENT_RETRY_BACKOFF_MAX_SECONDS = env.float("EVENT_RETRY_BACKOFF_MAX_SECONDS", default=300.0)
EVENT_DELIVERY_LIMIT = env.int("EVENT_DELIVERY_LIMIT", default=10)
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=5.0)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)
# How long the first answer to a write with an Idempotency-Key is kept for its retries; a retry
# after that is answered afresh (the write is still made once).
IDEMPOTENCY_REPLY_DAYS = env.int("IDEMPOTENCY_REPLY_DAYS", default=30)
DEAD_LETTER_DRAIN_SECONDS = env.float("DEAD_LETTER_DRAIN_SECONDS", default=30.0)
# Event data fields that the outbox forgets once the event is published: the card token, and the
# tokens of the account mails' links (user.verification_requested, user.password_reset_requested).
EVENT_SECRET_FIELDS = ["payment_token", "token"]

# ---------------------------------------------------------------------------
# Logging: one JSON object a line, carrying the request id
# ---------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ecom_common.request_id.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s %(trace_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Celery's "Task ... received/succeeded" lines, with a repr of the arguments, cost a
        # tenth of a busy worker's CPU; "event applied" already logs each saga step.
        "celery.app.trace": {"level": env("CELERY_TASK_LOG_LEVEL", default="WARNING")},
        "celery.worker.strategy": {"level": env("CELERY_TASK_LOG_LEVEL", default="WARNING")},
    },
}
