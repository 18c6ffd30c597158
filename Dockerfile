# syntax=docker/dockerfile:1
# One image for every service and process (web, worker, beat, migrate): the command picks which.
#   docker build -t ecom .
#   docker run --rm -w /app/product_service -e DJANGO_SETTINGS_MODULE=product_service.settings.production ... \
#     ecom gunicorn product_service.wsgi -c /app/ops/gunicorn.conf.py -b 0.0.0.0:8000
# See docs/deploy.md.

# --- builder: compilers allowed here only; produces /opt/venv -------------------------------
FROM python:3.12-slim AS builder

RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv

WORKDIR /src
COPY requirements/ requirements/
COPY common/ common/
# The runtime set only (requirements/base.txt): test, lint and profiling tools stay out.
RUN pip install -r requirements/base.txt -c requirements/constraints.txt ./common

# --- runtime: slim, no compilers, non-root ---------------------------------------------------
FROM python:3.12-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    # Nothing is written there when DATABASE_URL and CELERY_BROKER_URL are set; /tmp is writable.
    ECOM_VAR_DIR=/tmp/ecom \
    # Product images on disk (no MEDIA_BUCKET): where compose mounts the volume its product web
    # and worker share, not under ECOM_VAR_DIR, each container's own /tmp.
    MEDIA_ROOT=/app/var/media

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# ops/ and every <name>_service/ folder (plus the small common/ and requirements/ the builder
# needed): .dockerignore keeps tests of the whole platform, docs and tooling out of the context.
COPY . .

# The admin's and Swagger UI's files, collected and compressed (WhiteNoise) per service into
# /app/static/<name>: each service's STATIC_ROOT at run time. The secret key is random and
# thrown away: production settings refuse to load without one, and no build's key is reused.
# The services' names come from the registry (ecom_common.service_registry), installed above.
RUN set -e; for service in $(python -m ecom_common.service_registry); do \
        cd /app/${service}_service; \
        DJANGO_SETTINGS_MODULE=${service}_service.settings.production \
        STATIC_ROOT=/app/static/${service} \
        DJANGO_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))') \
        PAYMENT_PROVIDER=payments.providers.sandbox.SandboxProvider PAYMENT_ALLOW_SANDBOX=true \
        DJANGO_ALLOWED_HOSTS=x \
        ECOM_VAR_DIR=/tmp/collectstatic \
        python manage.py collectstatic --no-input -v 0; \
    done; \
    rm -rf /tmp/collectstatic \
 # Most of those files are the same in every service: one copy each (~160 MB less).
 && python /app/ops/static_hardlink.py /app/static \
 # Where docker-compose's one-shot key generator leaves the development JWT signing key.
 && mkdir -p /var/lib/ecom/jwt \
 && chown app:app /var/lib/ecom/jwt \
 # Product images on disk (compose mounts its product-media volume here, owned by app as this is).
 && mkdir -p /app/var/media \
 && chown -R app:app /app/var

USER app
EXPOSE 8000
