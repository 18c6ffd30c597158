-- One database, one schema and one role per service; no role can read another's schema.
-- Idempotent: run by `make test`, by docker-compose's PostgreSQL init and by k8s' dev overlay.
-- Development passwords equal the role names; production creates its roles with real secrets.
-- Usage: psql -v ON_ERROR_STOP=1 -U postgres -f ops/postgres/bootstrap.sql

SELECT 'CREATE DATABASE ecom' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ecom')\gexec

\connect ecom

REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE ecom FROM PUBLIC;

DO $$
DECLARE
    service text;
    role text;
BEGIN
    FOREACH service IN ARRAY ARRAY['product', 'order', 'user', 'payment', 'inventory', 'notification'] LOOP
        role := 'ecom_' || service;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role) THEN
            -- CREATEDB lets the test runner make its own test database; production roles lack it.
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L CREATEDB', role, role);
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE ecom TO %I', role);
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', service, role);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', service);
        EXECUTE format('ALTER ROLE %I SET search_path = %I', role, service);
    END LOOP;
END
$$;
