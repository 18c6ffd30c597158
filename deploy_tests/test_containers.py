"""The production image and configuration, run under podman (deploy_tests/platform.py): every
service's deploy checks in the image as Kubernetes runs it, then the whole platform from the
image with production settings, and what a shop needs first through its gateway: a checkout, a
staff sign-in, an image upload. Everything is stopped and removed afterwards.

The image is built from the unchanged Dockerfile (podman's layer cache makes a rebuild after a
source change about a minute and a half; a cold build with the base images about five)."""

import io
import secrets
import subprocess

import pytest
import requests
from PIL import Image

from deploy_tests.conftest import REPO_DIR as REPO
from deploy_tests.conftest import SERVICES
from deploy_tests.platform import ADMIN, containers_left, image_build, new_platform, pod_specs, podman
from system_tests.shop import GatewayClient
from system_tests.stack import wait_until
from system_tests.staff import admin_open

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def image() -> str:
    return image_build(REPO / "var/test-logs/deploy-image-build.log")


@pytest.fixture(scope="module")
def specs(base_manifests) -> dict:
    return pod_specs(base_manifests)


def test_the_workloads_run_as_kubernetes_says_non_root_read_only_without_privileges(specs):
    """What the platform below runs is read from the manifests; this pins what they say."""
    for service in SERVICES:
        for component in ("web", "worker", "beat", "migrate"):
            spec = specs[f"{service}-{component}"]
            assert (spec.user, spec.read_only, spec.drop_all_capabilities, spec.no_new_privileges, spec.tmpfs) == (
                "10001:10001",
                True,
                True,
                True,
                ["/tmp"],
            ), f"{service}-{component}"
            assert spec.config["DJANGO_SETTINGS_MODULE"] == f"{service}_service.settings.production"
    assert specs["user-web"].secret_env == ["JWT_PRIVATE_KEY"]  # the signing key: the web pods only
    assert specs["user-worker"].secret_env == specs["user-beat"].secret_env == []
    assert specs["user-migrate"].secret_env == ["ECOM_ADMIN_EMAIL", "ECOM_ADMIN_PASSWORD"]
    assert specs["gateway"].user == "101:101"
    assert specs["gateway"].tmpfs == ["/tmp", "/tmp/nginx"]


@pytest.mark.parametrize("service", SERVICES)
def test_check_deploy_passes_in_the_image_as_kubernetes_runs_it(image, specs, service):
    """`manage.py check --deploy --fail-level WARNING` with production settings, as the web pod
    (user 10001, read-only root, no capabilities); the deliberate warnings are silenced by name
    in settings, each with its reason."""
    spec = specs[f"{service}-web"]
    env = {
        **spec.config,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
        "SHOP_URL": "https://shop.example.com",
        "JWT_PRIVATE_KEY": "checked only when a token is signed",
    }
    if service == "payment":
        env |= {"PAYMENT_PROVIDER": "payments.providers.sandbox.SandboxProvider", "PAYMENT_ALLOW_SANDBOX": "true"}
    environment = [option for key, value in env.items() for option in ("--env", f"{key}={value}")]
    command = [
        podman(),
        "run",
        "--rm",
        "--network=none",
        *spec.security_options(),
        "--workdir",
        spec.working_dir,
        *environment,
        image,
        "python",
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    ]

    result = subprocess.run(command, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.fixture(scope="module")
def platform(image, specs):
    for stale in containers_left():  # an earlier run killed before its clean-up
        subprocess.run([podman(), "rm", "--force", stale], capture_output=True)
    running = new_platform(specs, image)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        assert containers_left(running.name) == []


@pytest.fixture(scope="module")
def client(platform) -> GatewayClient:
    return GatewayClient(platform.gateway_url)


@pytest.fixture(scope="module")
def staff(client) -> dict:
    return client.login(*ADMIN)


def test_a_checkout_through_the_gateway_is_confirmed(client, staff):
    product = client.product(staff, price="19.99", stock=3)
    customer = client.customer()

    order = client.place(customer, product["id"], quantity=2)
    final = client.final_order(customer, order["id"])

    assert (final["status"], final["total"]) == ("confirmed", "39.98")
    assert [p["status"] for p in client.payments(customer, order["id"], {"succeeded"})] == ["succeeded"]
    assert client.stock(product["id"], on_hand=1, reserved=0)["available"] == 1  # two units left with the order


def test_staff_sign_in_to_the_order_admin_through_the_gateway(platform):
    session = admin_open(f"{platform.gateway_url}/admin/orders/", credentials=ADMIN)

    products = session.get(f"{platform.gateway_url}/admin/products/", timeout=30)  # single sign-on
    static = session.get(f"{platform.gateway_url}/static/orders/admin/css/base.css", timeout=30)

    assert (products.status_code, products.url) == (200, f"{platform.gateway_url}/admin/products/")
    assert "Site administration" in products.text
    assert (static.status_code, static.headers["Content-Type"].split(";")[0]) == (200, "text/css")


def test_an_image_upload_through_the_gateway_gets_its_renditions(client, staff):
    product = client.product(staff, stock=0)
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 40, 40)).save(buffer, format="PNG")

    uploaded = requests.post(
        f"{client.url}/api/products/{product['id']}/images/",
        files={"file": ("red.png", buffer.getvalue(), "image/png")},
        data={"alt": "Red"},
        headers=staff,
        timeout=30,
    )
    shown = wait_until(
        lambda: (
            (i := client.get(f"/api/products/{product['id']}/images/").json()["results"])
            and i[0]["renditions"]
            and i[0]
        ),
        timeout=90,
        message="the worker container to make the renditions",
    )
    thumbnail = client.get(shown["renditions"]["thumbnail"])

    assert (uploaded.status_code, uploaded.json()["width"], uploaded.json()["height"]) == (201, 1200, 900)
    assert client.get(shown["url"]).content == buffer.getvalue()
    with Image.open(io.BytesIO(thumbnail.content)) as picture:
        assert (picture.format, picture.size) == ("WEBP", (200, 150))
