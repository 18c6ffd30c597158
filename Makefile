# The two commands: `make run` (everything, embedded defaults) and `make test` (every suite
# against real PostgreSQL, Redis and RabbitMQ). See README.md.

# Every service, from the registry (ecom_common.service_registry); read once the venv exists.
SERVICES = $(shell $(VENV)/bin/python -m ecom_common.service_registry)
VENV := .venv
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ECOM_ADMIN_EMAIL ?= admin@example.com
export ECOM_ADMIN_PASSWORD ?= admin

.PHONY: run test lint format install migrate seed servers clean help bench service

help:
	@echo "make run    - install, migrate, seed demo data and start the gateway (:8000), every service and worker"
	@echo "make test   - run every service's test suite against real PostgreSQL, Redis and RabbitMQ"
	@echo "make lint   - ruff check, ruff format --check (make format rewrites), no model without its migration"
	@echo "make clean  - remove the virtualenv and var/ (local databases, keys, broker folders)"
	@echo "make service NAME=review - stamp a new service, register it and render every file that lists services"

$(STAMP): requirements/base.txt requirements/dev.txt requirements/constraints.txt common/pyproject.toml .python-version
	@python=$$(scripts/find-python) && echo "creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/dev.txt -c requirements/constraints.txt -e ./common
	@touch $@

install: $(STAMP)

# Migrations, then the broker topology (exchanges, queues, bindings), so that no event is
# published before the queue that should receive it exists.
migrate: install
	@for service in $(SERVICES); do \
		echo "migrating $${service}_service"; \
		(cd $${service}_service && python manage.py migrate --no-input -v 0 && \
		 python manage.py events_declare_topology -v 0) || exit 1; \
	done

seed: migrate
	cd user_service && python manage.py ensure_admin
	cd product_service && python manage.py seed_demo_catalog
	cd inventory_service && python manage.py seed_demo_stock
	cd order_service && python manage.py seed_demo_pricing

# After seeding: nginx is checked (installed when possible) and the gateway's config rendered for
# this machine into $ECOM_VAR_DIR/gateway (GATEWAY_RATE, GATEWAY_BURST, ... tune it: docs/gateway.md).
run: seed
	@scripts/ensure-nginx
	@mkdir -p $${ECOM_VAR_DIR:-var}
	@python gateway/render.py local --out $${ECOM_VAR_DIR:-var}/gateway >/dev/null
	@echo "API:   http://127.0.0.1:8000/api/  (e.g. http://127.0.0.1:8000/api/products/)"
	@echo "Docs:  http://127.0.0.1:8000/api/docs/"
	@echo "Voucher: $$(python -c 'from ecom_common.demo import DEMO_VOUCHER; print(DEMO_VOUCHER["code"], "-", DEMO_VOUCHER["name"])')"
	@for slug in $$(python -m ecom_common.service_registry admin-slugs); do echo "Admin: http://127.0.0.1:8000/admin/$$slug/"; done
	@echo "Staff sign-in: $(ECOM_ADMIN_EMAIL)"
	@if [ -n "$${EMAIL_URL:-}" ]; then echo "Mail:  sent through EMAIL_URL"; else echo "Mail:  $${ECOM_VAR_DIR:-var}/mail/  (every message the shop sends, one .eml file each)"; fi
	@echo "Gateway access log: $${ECOM_VAR_DIR:-var}/gateway/access.log  (services also answer directly on :8001-8006)"
	python scripts/run-procfile Procfile

# A new bounded context: `make service NAME=review` (README, "Adding a service").
service: install
	@test -n "$(NAME)" || { echo "usage: make service NAME=review [ARGS='--port 8007 --slug reviews --title Reviews']"; exit 2; }
	python scripts/new-service $(NAME) $(ARGS)

servers:
	scripts/ensure-servers
	scripts/ensure-nginx
	scripts/ensure-chromium
	scripts/ensure-prometheus
	scripts/ensure-podman

test: install servers
	scripts/test-all

# Lint and format (rules in pyproject.toml); .ci/run runs `make lint` before `make test`.
lint: install
	ruff check .
	ruff format --check .
	@for service in $(SERVICES); do \
		(cd $${service}_service && ECOM_VAR_DIR=$(CURDIR)/var/lint python manage.py makemigrations --check --dry-run >/dev/null) \
		|| { echo "$$service: its models changed without a migration (manage.py makemigrations)"; exit 1; }; \
	done; echo "migrations: every service's match its models"

format: install
	ruff check --fix .
	ruff format .

# Figures, never pass/fail: the real stack + gateway vs a bare Django baseline, wrk reads,
# open-loop checkout, saga completion, cost by catalog size and worker count, a Celery no-op and
# make run's footprint (docs/performance.md). ~10 minutes.
bench: install servers
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || apt-get install -y -q wrk >/dev/null
	python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
