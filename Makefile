# The two commands: `make run` (everything, embedded defaults) and `make test` (every suite
# against real PostgreSQL, Redis and RabbitMQ). See README.md.

SERVICES := user product order inventory payment
VENV := .venv
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ECOM_ADMIN_EMAIL ?= admin@example.com
export ECOM_ADMIN_PASSWORD ?= admin

.PHONY: run test install migrate seed servers clean help

help:
	@echo "make run    - install, migrate, seed demo data and start every service and worker"
	@echo "make test   - run every service's test suite against real PostgreSQL, Redis and RabbitMQ"
	@echo "make clean  - remove the virtualenv and var/ (local databases, keys, broker folders)"

$(STAMP): requirements.txt constraints.txt common/pyproject.toml .python-version
	@python=$$(scripts/find-python) && echo "creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt -c constraints.txt -e ./common
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

run: seed
	@mkdir -p $${ECOM_VAR_DIR:-var}
	@echo "API: product :8001  order :8002  user :8003  payment :8004  inventory :8005"
	@echo "Admin: http://127.0.0.1:8001/admin/products/ (and /admin/orders/ on :8002, ...) as $(ECOM_ADMIN_EMAIL)"
	@echo "Docs: http://127.0.0.1:8001/api/docs/ (each service serves its own)"
	honcho start -f Procfile

servers:
	scripts/ensure-servers

test: install servers
	scripts/test-all

clean:
	rm -rf $(VENV) var
