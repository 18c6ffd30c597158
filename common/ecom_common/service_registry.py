"""The one list of the platform's services, read by everything that names them.

The gateway's routes and upstreams, the broker's exchanges, the settings of each service, the
test servers, the system stack, the deployment files' checks, the Procfile, the PostgreSQL
bootstrap and the Kubernetes manifests all come from ``SERVICES``. Adding a service is its
folder, one entry here and its overlay values (README, "Adding a service").

Standard library only: ``gateway/render.py`` and ``ops/render.py`` import it without Django.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    """A bounded context: one Django project ``<name>_service`` with its own schema and queue."""

    name: str  # "product": folder product_service, PostgreSQL schema and role ecom_product
    port: int  # where `make run` serves it (the contract's port)
    admin_slug: str  # its admin at /admin/<slug>/, its static files at /static/<slug>/
    title: str  # what the admin's header and the docs page call it
    # Path prefixes the gateway routes to it; "= /path" is an exact match.
    routes: tuple[str, ...] = ()
    # Paths (nginx regexes) whose request bodies may be as large as an upload (the gateway's
    # max_upload_size instead of max_body_size): the product images' multipart uploads.
    upload_routes: tuple[str, ...] = ()
    # Files its web and worker processes share on disk (compose: one named volume at this path);
    # on Kubernetes they live in a bucket instead (k8s_config / k8s_secrets).
    media_path: str = ""
    # Its own settings on Kubernetes, beyond the settings module and static root: ConfigMap and
    # Secret literals ("NAME=value"; the secrets are placeholders, like every committed one).
    k8s_config: tuple[str, ...] = ()
    k8s_secrets: tuple[str, ...] = ()
    # Its own settings in docker-compose.yml ("NAME: value", compose's ${VAR:-default} allowed).
    compose_env: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        """The folder and Django project package, also its Celery queue and compose service."""
        return f"{self.name}_service"

    @property
    def schema(self) -> str:
        return self.name

    @property
    def role(self) -> str:
        return f"ecom_{self.name}"

    @property
    def exchange(self) -> str:
        """The topic exchange its events are published to."""
        return f"{self.name}.events"

    @property
    def host(self) -> str:
        """Its DNS name in Kubernetes and its alias in compose (Django refuses underscores)."""
        return f"{self.name}-service"


SERVICES: tuple[Service, ...] = (
    Service(
        name="product",
        port=8001,
        admin_slug="products",
        title="Catalog",
        routes=(
            "/api/products/",
            "/api/categories/",
            "/api/brands/",
            "/api/attributes/",
            "/api/product-types/",
            "/media/",  # product images on local disk (a bucket serves them itself)
        ),
        upload_routes=("^/api/products/[0-9a-fA-F-]+/images/$",),
        media_path="/app/var/media",  # MEDIA_ROOT in the image
        k8s_config=("MEDIA_BUCKET=ecom-product-media", "MEDIA_URL=https://media.shop.example.com/"),
        k8s_secrets=(
            "AWS_S3_ENDPOINT_URL=https://s3.example.com",
            "AWS_ACCESS_KEY_ID=change-me",
            "AWS_SECRET_ACCESS_KEY=change-me",
        ),
    ),
    Service(
        name="order",
        port=8002,
        admin_slug="orders",
        title="Orders",
        routes=(
            "/api/cart/",
            "/api/orders/",
            "/api/promotions/",
            "/api/vouchers/",
            "/api/shipping-methods/",
            "/api/tax-rates/",
        ),
    ),
    Service(
        name="user",
        port=8003,
        admin_slug="users",
        title="Identity",
        # /account/: the pages the links in the account mails open (verify, reset a password).
        routes=("/api/auth/", "/api/users/", "/account/", "= /.well-known/jwks.json", "/o/"),
    ),
    Service(
        name="payment",
        port=8004,
        admin_slug="payments",
        title="Payments",
        routes=("/api/payments/",),
        # Production settings have no default card processor. compose's demo takes the sandbox's
        # test cards (tok_visa) and says so; k8s names a provider in its overlay (the dev one: the sandbox).
        compose_env=(
            "PAYMENT_PROVIDER: ${PAYMENT_PROVIDER:-payments.providers.sandbox.SandboxProvider}",
            "PAYMENT_ALLOW_SANDBOX: ${PAYMENT_ALLOW_SANDBOX:-true}  # a demo: test cards only, no money moves",
        ),
    ),
    Service(
        name="inventory",
        port=8005,
        admin_slug="inventory",
        title="Inventory",
        routes=("/api/inventory/", "/api/warehouses/"),
    ),
    Service(
        name="notification",
        port=8006,
        admin_slug="notifications",
        title="Notifications",
        routes=("/api/notifications/",),
        # Where its e-mail goes on Kubernetes: a relay's address and login, from the Secret.
        k8s_config=("DEFAULT_FROM_EMAIL=shop@shop.example.com",),
        k8s_secrets=("EMAIL_URL=smtp+tls://change-me:change-me@smtp.example.com:587",),
        # compose's mail catcher (its web UI on http://localhost:8025) unless .env names a relay.
        compose_env=("EMAIL_URL: ${EMAIL_URL:-smtp://mailpit:1025}",),
    ),
)
NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)
# The service that issues tokens and serves the JWKS every other one verifies with.
IDENTITY = "user"


def service(name: str) -> Service:
    for candidate in SERVICES:
        if candidate.name == name:
            return candidate
    raise LookupError(f"no service named {name!r} in ecom_common.service_registry (known: {', '.join(NAMES)})")


if __name__ == "__main__":
    # For shell scripts and the Makefile: `python -m ecom_common.service_registry` prints the
    # names, `... admin-slugs` the admins' path segments, one line, space-separated.
    import sys

    fields = {"names": NAMES, "admin-slugs": tuple(s.admin_slug for s in SERVICES)}
    print(" ".join(fields[sys.argv[1] if len(sys.argv) > 1 else "names"]))  # noqa: T201
