from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _database(db):
    """Every orders test reads or writes the database."""


@pytest.fixture(scope="session")
def catalog_process(tmp_path_factory) -> tuple[str, Path]:
    """product_service served by gunicorn (embedded: its own SQLite and broker folder), with the
    demo catalog: the catalog a checkout reads when its copy lacks a product. Its URL and the
    log its requests are written to."""
    from ecom_common.testing.processes import manage, running_service, service_env

    var_dir = tmp_path_factory.mktemp("catalog")
    env = service_env(ECOM_VAR_DIR=str(var_dir))
    log_path = var_dir / "product_service.log"
    with running_service("product", env=env, log_path=log_path) as url:
        manage("product", "seed_demo_catalog", env={"DJANGO_SETTINGS_MODULE": "product_service.settings.local", **env})
        yield url, log_path


@pytest.fixture(scope="session")
def catalog_service(catalog_process) -> str:
    return catalog_process[0]
