"""The deployment files (Dockerfile, docker-compose.yml, k8s/) are valid and agree with the
contract, the services' settings and the gateway's rendered configs, so they cannot drift apart."""

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest

from deploy_tests.conftest import REPO_DIR, REQUIRED_SETTINGS, SERVICES, USER_ONLY_SETTINGS, secret_values

KUBERNETES_VERSION = "1.37.0"  # one kubernetes-validate ships (pinned in requirements/dev.txt)
GATEWAY_CONFIGS = {
    "compose": REPO_DIR / "gateway/rendered/compose.conf",
    "k8s": REPO_DIR / "gateway/rendered/k8s.conf",
}
ADMIN_SLUGS = {
    "product": "products",
    "order": "orders",
    "user": "users",
    "payment": "payments",
    "inventory": "inventory",
}
CONTRACT_ROUTES = [
    "/api/auth/",
    "/api/users/",
    "/.well-known/jwks.json",
    "/api/products/",
    "/api/categories/",
    "/api/inventory/",
    "/api/cart/",
    "/api/orders/",
    "/api/payments/",
    "/api/docs/",
    *(f"/admin/{slug}/" for slug in ADMIN_SLUGS.values()),
    *(f"/api/schema/{name}/" for name in SERVICES),
]


def django_workloads(manifests: list[dict]) -> list[dict]:
    return [
        doc
        for doc in manifests
        if doc["kind"] in ("Deployment", "Job")
        and doc["metadata"]["labels"]["app.kubernetes.io/component"] in ("web", "worker", "beat", "migrate")
    ]


def by_kind(manifests: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == kind}


def gateway_config(target: str) -> str:
    path = GATEWAY_CONFIGS[target]
    assert path.exists(), f"{path} is missing: render it with gateway/render.py"
    return path.read_text()


# ---------------------------------------------------------------- schemas


def test_dev_overlay_matches_the_kubernetes_schemas(dev_manifests):
    for manifest in dev_manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_base_builds_and_matches_the_kubernetes_schemas(base_manifests):
    for manifest in base_manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_compose_file_matches_the_compose_spec():
    check_jsonschema = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(REPO_DIR / "docker-compose.yml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- every service, everywhere


def test_every_service_runs_web_worker_beat_and_migrate_in_compose(compose):
    services = compose["services"]
    for name in SERVICES:
        web = services[f"{name}_service"]  # the gateway's compose upstreams use these names
        assert web["command"][:2] == ["gunicorn", f"{name}_service.wsgi"]
        assert f"{name}-service" in web["networks"]["default"]["aliases"]
        assert web["depends_on"][f"{name}-migrate"] == {"condition": "service_completed_successfully"}
        assert services[f"{name}-worker"]["command"][:5] == [
            "celery",
            "-A",
            f"{name}_service.celery_app",
            "worker",
            "-Q",
        ]
        assert services[f"{name}-beat"]["command"][:4] == ["celery", "-A", f"{name}_service.celery_app", "beat"]
        assert "migrate --no-input" in " ".join(services[f"{name}-migrate"]["command"])
        assert "events_declare_topology" in " ".join(services[f"{name}-migrate"]["command"])


# Images without a shell to run a check in; nothing depends on them (the observability profile).
NO_HEALTHCHECK = {"otel-collector", "jaeger"}


def test_every_compose_service_has_a_healthcheck_or_runs_once(compose):
    for name, service in compose["services"].items():
        if name in NO_HEALTHCHECK:
            assert not any(name in other.get("depends_on", {}) for other in compose["services"].values())
            continue
        assert "healthcheck" in service or service.get("restart") == "no", name
        for dependency, condition in service.get("depends_on", {}).items():
            expected = (
                "service_healthy"
                if "healthcheck" in compose["services"][dependency]
                else "service_completed_successfully"
            )
            assert condition == {"condition": expected}, (name, dependency)


def test_every_service_runs_web_worker_beat_and_migrate_in_kubernetes(dev_manifests):
    deployments, jobs = by_kind(dev_manifests, "Deployment"), by_kind(dev_manifests, "Job")
    services, autoscalers = by_kind(dev_manifests, "Service"), by_kind(dev_manifests, "HorizontalPodAutoscaler")
    budgets = by_kind(dev_manifests, "PodDisruptionBudget")
    for name in SERVICES:
        web = deployments[f"{name}-web"]["spec"]["template"]["spec"]["containers"][0]
        assert web["command"][:2] == ["gunicorn", f"{name}_service.wsgi"]
        assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert deployments[f"{name}-worker"]["spec"]["template"]["spec"]["containers"][0]["command"][3] == "worker"
        assert deployments[f"{name}-beat"]["spec"]["replicas"] == 1
        assert "events_declare_topology" in " ".join(
            jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["containers"][0]["command"]
        )
        service = services[f"{name}-service"]  # the gateway's k8s upstreams use these names
        assert service["spec"]["ports"][0]["port"] == 8000
        assert service["spec"]["selector"] == deployments[f"{name}-web"]["spec"]["selector"]["matchLabels"]
        assert {autoscalers[f"{name}-{part}"]["spec"]["scaleTargetRef"]["name"] for part in ("web", "worker")} == {
            f"{name}-web",
            f"{name}-worker",
        }
        assert budgets[f"{name}-web"]["spec"]["selector"] == deployments[f"{name}-web"]["spec"]["selector"]


def test_every_container_sets_resources(dev_manifests):
    for doc in dev_manifests:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            pod = doc["spec"]["template"]["spec"]
            for container in pod["containers"] + pod.get("initContainers", []):
                assert {"requests", "limits"} <= container.get("resources", {}).keys(), doc["metadata"]["name"]


def test_every_service_manifest_is_stamped_from_the_one_template():
    folder = REPO_DIR / "k8s/base/services"
    product = (folder / "product.yaml").read_text()
    assert sorted(path.stem for path in folder.glob("*.yaml")) == sorted([*SERVICES, "kustomization"])
    for name in SERVICES:
        assert (folder / f"{name}.yaml").read_text() == product.replace("product", name), name


# ---------------------------------------------------------------- settings


def test_every_django_container_in_compose_gets_the_production_settings(compose):
    containers = {name: service for name, service in compose["services"].items() if "working_dir" in service}
    assert len(containers) == 4 * len(SERVICES)
    for name, service in containers.items():
        service_name = service["working_dir"].removeprefix("/app/").removesuffix("_service")
        required = REQUIRED_SETTINGS | (USER_ONLY_SETTINGS if service_name == "user" else set())
        environment = service["environment"]
        assert required <= environment.keys(), (name, required - environment.keys())
        assert environment["DJANGO_SETTINGS_MODULE"] == f"{service_name}_service.settings.production"
        assert environment["STATIC_ROOT"] == f"/app/static/{service_name}"
        assert urlsplit(environment["DATABASE_URL"]).username == f"ecom_{service_name}"


def test_every_django_container_in_kubernetes_gets_the_production_settings(dev_manifests):
    config_maps, secrets = by_kind(dev_manifests, "ConfigMap"), by_kind(dev_manifests, "Secret")
    workloads = django_workloads(dev_manifests)
    assert len(workloads) == 4 * len(SERVICES)
    for workload in workloads:
        service_name = workload["metadata"]["labels"]["app.kubernetes.io/name"].removesuffix("-service")
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"] + pod.get("initContainers", []):
            signs = (workload["metadata"]["name"], container["name"]) == ("user-web", "app")  # its key only there
            required = REQUIRED_SETTINGS | (USER_ONLY_SETTINGS if signs else set())
            values = {}
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    values.update(config_maps[source["configMapRef"]["name"]]["data"])
                else:
                    values.update(secret_values(secrets[source["secretRef"]["name"]]))
            values.update({variable["name"]: variable.get("value") for variable in container.get("env", [])})
            where = (workload["metadata"]["name"], container["name"])
            assert required <= values.keys(), (where, required - values.keys())
            assert values["DJANGO_SETTINGS_MODULE"] == f"{service_name}_service.settings.production", where
            assert values["STATIC_ROOT"] == f"/app/static/{service_name}", where
            assert urlsplit(values["DATABASE_URL"]).username == f"ecom_{service_name}", where
            assert container["workingDir"] == f"/app/{service_name}_service", where


def test_the_image_collects_every_services_static_files_where_the_settings_say():
    dockerfile = (REPO_DIR / "Dockerfile").read_text()
    ignored = (REPO_DIR / ".dockerignore").read_text().split()
    assert "for service in $(python -m ecom_common.service_registry); do" in dockerfile
    assert "STATIC_ROOT=/app/static/${service}" in dockerfile
    assert "COPY . ." in dockerfile
    for name in SERVICES:  # every service's folder reaches the image: none is left out of the context
        assert not {f"{name}_service/", f"{name}_service", "*_service/"} & set(ignored), name


# ---------------------------------------------------------------- secrets and exposure


def is_placeholder(key: str, value: str) -> bool:
    """``change-me``; a URL whose password is one, or none, or bootstrap.sql's development one (= the role)."""
    if "change-me" in value:
        return True
    if "://" in value:
        url = urlsplit(value)
        return url.password in (None, url.username) and url.username in (None, *(f"ecom_{name}" for name in SERVICES))
    return key.endswith("_USER")


# The dev overlay's secret key: production settings refuse the base's change-me, so the
# throw-away dev cluster has a committed key of its own, marked as one.
DEV_CLUSTER_ONLY = "dev-cluster-only-"


def test_kubernetes_secrets_hold_only_placeholders(base_manifests, dev_manifests):
    for manifests in (base_manifests, dev_manifests):
        for secret in by_kind(manifests, "Secret").values():
            for key, value in secret_values(secret).items():
                is_dev_key = manifests is dev_manifests and value.startswith(DEV_CLUSTER_ONLY)
                assert is_placeholder(key, value) or is_dev_key, (secret["metadata"]["name"], key)


def test_env_example_holds_only_placeholders():
    for line in (REPO_DIR / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            if re.search(r"SECRET|PASSWORD|PASS$|KEY", key):
                assert value in ("", "change-me"), key


def test_no_private_key_is_committed_with_the_deployment_files():
    paths = [REPO_DIR / ".env.example", REPO_DIR / "docker-compose.yml", *(REPO_DIR / "k8s").rglob("*.yaml")]
    for path in paths:
        assert "PRIVATE KEY-----" not in path.read_text(), path


def test_only_the_gateway_is_exposed_in_compose(compose):
    published = {name: service["ports"] for name, service in compose["services"].items() if "ports" in service}
    assert published == {
        "gateway": ["8000:8000"],
        "rabbitmq": ["127.0.0.1:15672:15672"],  # management UI
        "mailpit": ["127.0.0.1:8025:8025"],  # the mail catcher's UI
        # The observability profile's UIs, on this machine only.
        "prometheus": ["127.0.0.1:9090:9090"],
        "grafana": ["127.0.0.1:3000:3000"],
        "jaeger": ["127.0.0.1:16686:16686"],
    }


def test_the_services_accept_the_names_they_call_each_other_by(compose, base_manifests):
    """The order admin's dashboard, the identity service's back-channel logout and Prometheus
    reach every service at <name>-service:8000: each of those names must be an allowed host."""
    hosts = {f"{name}-service" for name in SERVICES}
    compose_default = re.fullmatch(
        r"\$\{DJANGO_ALLOWED_HOSTS:-(.*)\}", compose["x-service-env"]["DJANGO_ALLOWED_HOSTS"]
    )[1]
    (ecom_config,) = [
        doc for name, doc in by_kind(base_manifests, "ConfigMap").items() if name.startswith("ecom-config")
    ]

    assert hosts <= set(compose_default.split(","))
    assert hosts <= set(ecom_config["data"]["DJANGO_ALLOWED_HOSTS"].split(","))


def test_observability_profile_runs_prometheus_grafana_and_traces_through_a_collector(compose):
    profiled = {
        name for name, service in compose["services"].items() if "observability" in service.get("profiles", [])
    }
    prometheus = compose["services"]["prometheus"]

    assert profiled == {"prometheus", "grafana", "otel-collector", "jaeger"}
    assert "./ops/observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    assert compose["x-service-env"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "${OTEL_EXPORTER_OTLP_ENDPOINT:-}"
    for mounted in (
        volume.split(":")[0] for name in profiled for volume in compose["services"][name].get("volumes", [])
    ):
        assert (REPO_DIR / mounted).exists(), mounted


def test_the_shipped_prometheus_config_passes_promtool_and_scrapes_every_service():
    import shutil

    import yaml

    config_path = REPO_DIR / "ops/observability/prometheus.yml"
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: scripts/ensure-prometheus installs it"

    checked = subprocess.run([promtool, "check", "config", str(config_path)], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    configs = yaml.safe_load(config_path.read_text())["scrape_configs"][0]["static_configs"]
    assert {(entry["targets"][0], entry["labels"]["service"]) for entry in configs} == {
        (f"{name}-service:8000", name) for name in SERVICES
    }


def test_grafana_is_provisioned_with_both_data_sources_and_every_dashboard():
    import json

    import yaml

    grafana = REPO_DIR / "ops/observability/grafana"
    sources = yaml.safe_load((grafana / "provisioning/datasources/datasources.yaml").read_text())["datasources"]
    dashboards = {path.name: json.loads(path.read_text()) for path in (grafana / "dashboards").glob("*.json")}

    assert {(source["uid"], source["url"]) for source in sources} == {
        ("prometheus", "http://prometheus:9090"),
        ("jaeger", "http://jaeger:16686"),
    }
    assert sorted(dashboards) == ["catalog.json", "checkout-saga.json", "platform-overview.json"]
    for board in dashboards.values():
        assert board["panels"] and all(panel["targets"] and panel["targets"][0]["expr"] for panel in board["panels"])
        assert len({panel["id"] for panel in board["panels"]}) == len(board["panels"])


def test_only_the_gateway_is_exposed_in_kubernetes(dev_manifests):
    exposed = {
        doc["metadata"]["name"]
        for doc in dev_manifests
        if doc["kind"] == "Service" and doc["spec"].get("type", "ClusterIP") != "ClusterIP"
    }
    assert exposed == {"gateway"}
    assert not by_kind(dev_manifests, "Ingress")
    for doc in dev_manifests:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            pod = doc["spec"]["template"]["spec"]
            assert not pod.get("hostNetwork")
            assert all(
                "hostPort" not in port for container in pod["containers"] for port in container.get("ports", [])
            )


def test_network_policies_deny_ingress_by_default_and_let_only_the_gateway_reach_web(dev_manifests):
    policies = by_kind(dev_manifests, "NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    web_sources = [rule["from"] for rule in policies["web-from-gateway"]["spec"]["ingress"]]
    assert web_sources == [[{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "gateway"}}}]]
    # The identity service's back-channel logout reaches every admin (web pods) on the service port.
    backchannel = policies["web-from-user-web"]["spec"]
    assert backchannel["podSelector"] == {"matchLabels": {"app.kubernetes.io/component": "web"}}
    assert backchannel["ingress"] == [
        {
            "from": [
                {
                    "podSelector": {
                        "matchLabels": {"app.kubernetes.io/name": "user-service", "app.kubernetes.io/component": "web"}
                    }
                }
            ],
            "ports": [{"port": 8000, "protocol": "TCP"}],
        }
    ]


def test_egress_is_denied_by_default_and_opened_only_port_by_port(base_manifests, dev_manifests):
    """A compromised pod reaches no arbitrary host: every egress rule names its ports, and the
    rules open to the outside never include the cloud's metadata address."""
    for manifests in (base_manifests, dev_manifests):
        policies = by_kind(manifests, "NetworkPolicy")
        assert policies["default-deny-egress"]["spec"] == {"podSelector": {}, "policyTypes": ["Egress"]}
        for name, policy in policies.items():
            for rule in policy["spec"].get("egress", []):
                assert rule.get("ports"), (name, "an egress rule with no ports opens every port")
                for peer in rule.get("to", []):
                    if "ipBlock" in peer:
                        assert "169.254.0.0/16" in peer["ipBlock"].get("except", []), name
                assert 80 not in {port["port"] for port in rule["ports"]}, name
    egress = by_kind(base_manifests, "NetworkPolicy")
    assert {port["port"] for port in egress["notification-to-mail"]["spec"]["egress"][0]["ports"]} == {
        25,
        465,
        587,
        443,
    }
    assert egress["product-to-bucket"]["spec"]["egress"][0]["ports"] == [{"port": 443, "protocol": "TCP"}]


def test_only_the_identity_services_web_pods_hold_the_signing_key(dev_manifests):
    holders = []
    for doc in dev_manifests:
        if doc["kind"] not in ("Deployment", "Job", "StatefulSet"):
            continue
        pod = doc["spec"]["template"]["spec"]
        for container in pod["containers"] + pod.get("initContainers", []):
            names = {variable["name"] for variable in container.get("env", [])}
            if "JWT_PRIVATE_KEY" in names:
                holders.append((doc["metadata"]["name"], container["name"]))
    assert holders == [("user-web", "app")]


def test_every_service_has_a_secret_key_of_its_own(base_manifests, dev_manifests):
    for manifests in (base_manifests, dev_manifests):
        secrets = {
            name.rsplit("-", 1)[0]: secret_values(secret) for name, secret in by_kind(manifests, "Secret").items()
        }
        assert "DJANGO_SECRET_KEY" not in secrets["ecom-secrets"]
        keys = [secrets[f"{name}-service-secrets"]["DJANGO_SECRET_KEY"] for name in SERVICES]
        assert len(keys) == len(SERVICES)
        if manifests is dev_manifests:
            assert len(set(keys)) == len(SERVICES)  # six different keys


def test_every_service_has_a_secret_key_of_its_own_in_compose(compose):
    for name, service in compose["services"].items():
        if "working_dir" in service:
            owner = service["working_dir"].removeprefix("/app/").removesuffix("_service")
            assert service["environment"]["DJANGO_SECRET_KEY"].startswith(f"${{{owner.upper()}_DJANGO_SECRET_KEY:?"), (
                name
            )


# ---------------------------------------------------------------- the gateway


@pytest.mark.parametrize("target", GATEWAY_CONFIGS)
def test_every_contract_route_is_in_the_gateway_config(target):
    config = gateway_config(target)
    for route in CONTRACT_ROUTES:
        assert re.search(r"location\s+(?:[=~^]+\s+)?" + re.escape(route), config), (target, route)


@pytest.mark.parametrize("target", GATEWAY_CONFIGS)
def test_the_gateway_config_points_at_the_web_services(target, compose, dev_manifests):
    upstreams = set(re.findall(r"^\s*server\s+([\w.-]+):8000;", gateway_config(target), re.MULTILINE))
    if target == "compose":
        assert upstreams == {f"{name}_service" for name in SERVICES} and upstreams <= compose["services"].keys()
    else:
        assert (
            upstreams == {f"{name}-service" for name in SERVICES}
            and upstreams <= by_kind(dev_manifests, "Service").keys()
        )


def paths_the_gateway_reads(config: str) -> set[str]:
    """The docs folder and the temp folders' parent: they must exist in the nginx container."""
    docs_root = re.search(r"location = /api/docs/ \{\s*root ([^;]+);", config).group(1)
    temp_parents = {str(Path(path).parent) for path in re.findall(r"_temp_path\s+([^;\s]+)", config)}
    return {docs_root, *temp_parents} - {"/tmp"}


def test_compose_mounts_what_the_gateway_config_reads(compose):
    gateway = compose["services"]["gateway"]
    mounts = {volume.split(":")[1] for volume in gateway["volumes"]} | set(gateway.get("tmpfs", []))
    assert "./gateway/rendered/compose.conf:/etc/nginx/nginx.conf:ro" in gateway["volumes"]
    assert "./gateway/docs:/etc/nginx/docs:ro" in gateway["volumes"]
    assert paths_the_gateway_reads(gateway_config("compose")) <= mounts


def test_kubernetes_mounts_what_the_gateway_config_reads(dev_manifests):
    pod = by_kind(dev_manifests, "Deployment")["gateway"]["spec"]["template"]["spec"]
    mounts = {mount["mountPath"] for mount in pod["containers"][0]["volumeMounts"]}
    assert paths_the_gateway_reads(gateway_config("k8s")) | {"/etc/nginx/nginx.conf"} <= mounts
    config_maps = by_kind(dev_manifests, "ConfigMap")
    config_volume = next(volume for volume in pod["volumes"] if volume["name"] == "config")
    assert config_maps[config_volume["configMap"]["name"]]["data"]["nginx.conf"] == gateway_config("k8s")
    docs_volume = next(volume for volume in pod["volumes"] if volume["name"] == "docs")
    assert (
        config_maps[docs_volume["configMap"]["name"]]["data"]["index.html"]
        == (REPO_DIR / "gateway/docs/index.html").read_text()
    )
