"""Every service of the registry (ecom_common.service_registry) is in every file that lists
services, and the generated ones are current: adding a service is its folder, one registry
entry and its overlay values (README, "Adding a service")."""

import importlib.util
import re
import subprocess
import sys

import pytest
import yaml

from deploy_tests.conftest import REPO_DIR
from ecom_common import service_registry
from ecom_common.service_registry import SERVICES

RENDERERS = [["ops/render.py", "--check"], ["gateway/render.py", "committed", "--check"]]


@pytest.mark.parametrize("renderer", RENDERERS, ids=lambda argv: argv[0])
def test_the_generated_files_are_rendered_from_the_registry(renderer):
    result = subprocess.run([sys.executable, *renderer], cwd=REPO_DIR, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def deploy_texts() -> dict[str, str]:
    names = [
        "Procfile", "ops/postgres/bootstrap.sql", "docker-compose.yml", "gateway/rendered/compose.conf",
        "gateway/rendered/k8s.conf", "gateway/docs/index.html", "k8s/overlays/dev/kustomization.yaml",
    ]  # fmt: skip
    return {name: (REPO_DIR / name).read_text() for name in names}


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_every_registered_service_is_in_every_deploy_file(service, deploy_texts, dev_manifests):
    texts = deploy_texts
    assert re.search(
        rf"^{service.name}: cd {service.package} .* -b 127\.0\.0\.1:{service.port}$", texts["Procfile"], re.M
    )
    assert re.search(
        rf"^{service.name}-worker: cd {service.package} .* -Q {service.package} ", texts["Procfile"], re.M
    )
    assert (
        f"'{service.schema}'"
        in re.search(r"FOREACH service IN ARRAY ARRAY\[(.*)\]", texts["ops/postgres/bootstrap.sql"])[1]
    )
    for part in ("", "-worker", "-beat", "-migrate"):
        compose_name = service.package if not part else f"{service.name}{part}"
        assert compose_name in re.findall(r"^  ([\w-]+):$", texts["docker-compose.yml"], re.M), compose_name
    for conf in ("gateway/rendered/compose.conf", "gateway/rendered/k8s.conf"):
        assert f"upstream {service.name} {{" in texts[conf]
        for prefix in (*service.routes, f"/admin/{service.admin_slug}/", f"/api/schema/{service.name}/"):
            assert f"location {prefix} {{ proxy_pass http://{service.name}" in texts[conf], (conf, prefix)
    assert f'url: "/api/schema/{service.name}/"' in texts["gateway/docs/index.html"]
    assert f"name: {service.host}-secrets" in texts["k8s/overlays/dev/kustomization.yaml"]
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in dev_manifests}
    for kind, name in [("Deployment", f"{service.name}-web"), ("Deployment", f"{service.name}-worker"),
                       ("Deployment", f"{service.name}-beat"), ("Job", f"{service.name}-migrate"),
                       ("Service", service.host), ("HorizontalPodAutoscaler", f"{service.name}-web"),
                       ("PodDisruptionBudget", f"{service.name}-web"), ("ConfigMap", f"{service.host}-config"),
                       ("Secret", f"{service.host}-secrets")]:  # fmt: skip
        # Generated ConfigMaps and Secrets carry a hash suffix.
        assert (kind, name) in kinds or any(k == kind and n.startswith(f"{name}-") for k, n in kinds), (kind, name)


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_every_registered_service_has_its_django_project(service):
    project = REPO_DIR / service.package
    for path in ("manage.py", f"{service.package}/settings/base.py", f"{service.package}/celery_app.py"):
        assert (project / path).exists(), path
    settings = (project / f"{service.package}/settings/base.py").read_text()
    assert f'SERVICE_NAME = "{service.name}"' in settings


def test_a_new_registry_entry_is_rendered_everywhere(monkeypatch):
    """The recipe holds: one more entry stamps its manifests, processes, schema and routes."""
    ops_render, gateway_render = _load("ops/render.py"), _load("gateway/render.py")
    review = service_registry.Service(name="review", port=8099, admin_slug="reviews", title="Reviews",
                                      routes=("/api/reviews/",))  # fmt: skip
    for module in (service_registry, ops_render, gateway_render):
        monkeypatch.setattr(module, "SERVICES", (*SERVICES, review), raising=False)

    files = {path.relative_to(REPO_DIR).as_posix(): text for path, text in ops_render.rendered().items()}
    conf = gateway_render.committed_target("k8s")

    assert "name: review-web" in files["k8s/base/services/review.yaml"]
    assert (
        "[DJANGO_SECRET_KEY=change-me, DATABASE_URL=postgres://ecom_review:change-me@postgres:5432/ecom]"
        in files["k8s/base/services/kustomization.yaml"]
    )
    assert "review-worker: cd review_service && exec celery -A review_service.celery_app" in files["Procfile"]
    assert f"'{SERVICES[-1].name}', 'review'] LOOP" in files["ops/postgres/bootstrap.sql"]
    assert "REVIEW_DJANGO_SECRET_KEY=\n" in files[".env.example"]
    assert all(
        re.search(r"DJANGO_ALLOWED_HOSTS[=:].*,review-service\b", files[name])
        for name in (".env.example", "k8s/base/kustomization.yaml", "docker-compose.yml")
    )
    compose = yaml.safe_load(files["docker-compose.yml"])
    assert compose["services"]["review_service"]["command"][:2] == ["gunicorn", "review_service.wsgi"]
    assert compose["services"]["review-worker"]["environment"]["DATABASE_URL"].startswith("postgres://ecom_review:")
    assert {"review-migrate", "review-beat"} <= compose["services"].keys()
    assert compose["services"]["gateway"]["depends_on"]["review_service"] == {"condition": "service_healthy"}
    assert "location /api/reviews/ { proxy_pass http://review; }" in conf
    assert "upstream review {\n        server review-service:8000;" in conf


def _load(relative_path: str):
    """A renderer script as a module of its own (both files are named render.py)."""
    name = relative_path.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, REPO_DIR / relative_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
