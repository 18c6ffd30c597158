"""The production configuration, run: the project's image under podman, as Kubernetes runs it.

There is no Docker daemon or cluster here, and podman 4.3's ``kube play`` cannot run the
manifests (no Services, Jobs or StatefulSets; every containerPort published on the host), so
each Deployment and Job of ``kubectl kustomize k8s/base`` becomes a ``podman run`` of the same
image with the same command, working directory, ConfigMap settings and security context
(non-root user, read-only root filesystem, a tmpfs for each emptyDir, no capabilities, no
privilege escalation). What a cluster would give differently is given here, and only that:
the host network with a free port per web process (the command's ``-b 0.0.0.0:8000`` becomes
``-b 127.0.0.1:<port>``), the Secrets' values (this machine's PostgreSQL, RabbitMQ and Redis,
a database, virtual host and Redis database of the run's own), the public address (the
gateway's port), and product images on a shared directory instead of the bucket (as compose
keeps them). The gateway is the nginx image with the k8s config rendered for those ports
(gateway/render.py k8s-at).
"""

import os
import secrets
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ecom_common.service_registry import IDENTITY, NAMES
from ecom_common.testing.processes import free_port
from system_tests.stack import PG_HOST, RABBIT, REDIS, Stack, _answers, wait_until

REPO = Path(__file__).resolve().parents[1]
IMAGE = "localhost/ecom:deploy-test"
NGINX_IMAGE = "docker.io/library/nginx:1.28"
LABEL = "ecom-deploy-test"
ADMIN = ("admin@example.com", "Deploy-test-passw0rd")
COMPONENTS = ("web", "worker", "beat")


def podman() -> str:
    return shutil.which("podman") or "podman"


def image_build(log: Path) -> str:
    """podman and the base images made ready (scripts/ensure-podman), then the project's
    Dockerfile built unchanged; returns the image's tag. The build's output goes to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        for command in (
            [str(REPO / "scripts/ensure-podman")],
            [podman(), "build", "--network=host", "--tag", IMAGE, str(REPO)],
            [podman(), "image", "prune", "--force"],  # the layers of the build this one replaced
        ):
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
            if result.returncode != 0:
                raise AssertionError(f"{' '.join(command)} failed: see {log}")
    return IMAGE


# ---------------------------------------------------------------- what k8s would run
@dataclass(frozen=True)
class PodSpec:
    """One container of a Deployment or Job, as podman needs it."""

    command: list[str]
    working_dir: str
    config: dict[str, str]  # the ConfigMaps its envFrom names
    user: str  # "uid:gid" of the pod's securityContext
    read_only: bool
    drop_all_capabilities: bool
    no_new_privileges: bool
    tmpfs: list[str]  # the emptyDir mounts
    secret_env: list[str] = field(default_factory=list)  # variables it reads from a Secret by name

    def security_options(self) -> list[str]:
        options = ["--user", self.user]
        options += ["--read-only"] if self.read_only else []
        options += ["--cap-drop=ALL"] if self.drop_all_capabilities else []
        options += ["--security-opt=no-new-privileges"] if self.no_new_privileges else []
        for path in self.tmpfs:
            options += ["--tmpfs", path]
        return options


def pod_specs(manifests: list[dict]) -> dict[str, PodSpec]:
    """``"<service>-<web|worker|beat|migrate>"`` and ``"gateway"``: every workload of the
    manifests, read from them."""
    config_maps = {doc["metadata"]["name"]: doc.get("data", {}) for doc in manifests if doc["kind"] == "ConfigMap"}
    specs = {}
    for doc in manifests:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        pod = doc["spec"]["template"]["spec"]
        container = pod["containers"][0]
        volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
        security = container.get("securityContext", {})
        pod_security = pod.get("securityContext", {})
        config = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                config.update(config_maps[source["configMapRef"]["name"]])
        specs[doc["metadata"]["name"]] = PodSpec(
            command=[*container.get("command", []), *container.get("args", [])],
            working_dir=container.get("workingDir", ""),
            config=config,
            user=f"{pod_security['runAsUser']}:{pod_security['runAsGroup']}",
            read_only=security.get("readOnlyRootFilesystem", False),
            drop_all_capabilities="ALL" in security.get("capabilities", {}).get("drop", []),
            no_new_privileges=security.get("allowPrivilegeEscalation") is False,
            tmpfs=[
                mount["mountPath"]
                for mount in container.get("volumeMounts", [])
                if "emptyDir" in volumes.get(mount["name"], {})
            ],
            secret_env=[
                variable["name"]
                for variable in container.get("env", [])
                if "secretKeyRef" in variable.get("valueFrom", {})
            ],
        )
    return specs


def rsa_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


# ---------------------------------------------------------------- the platform
@dataclass
class ContainerPlatform(Stack):
    """Every service's migrate, web, worker and beat, and the gateway, as containers of the
    image; clients reach it only through the gateway (``url`` is the gateway's for every
    service). Built on the system suite's Stack for its database, virtual host and SQL."""

    specs: dict = field(default_factory=dict)
    image: str = IMAGE
    containers: list = field(default_factory=list)
    secret_keys: dict = field(default_factory=dict)
    jwt_private_key: str = ""

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def public_url(self) -> str:
        return self.gateway_url

    def url(self, service: str) -> str:
        return self.gateway_url

    def direct_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def env(self, service: str, component: str = "web") -> dict:
        """The pod's ConfigMaps, then what this machine gives instead of the cluster's Secrets
        and addresses; a value the manifests give one container by name (the signing key, the
        admin account) only to the container that has it."""
        spec = self.specs[f"{service}-{component}"]
        env = dict(spec.config)
        role = f"ecom_{service}"
        env.update(
            # Secrets (k8s/base/kustomization.yaml's and the service's own)
            DJANGO_SECRET_KEY=self.secret_keys[service],
            DATABASE_URL=f"postgres://{role}:{role}@{PG_HOST}/{self.database}",
            CELERY_BROKER_URL=f"amqp://guest:guest@{RABBIT}/{self.vhost}",
            REDIS_URL=f"{REDIS}/9",
            # Addresses: the gateway's port is the public one, the services' ports the cluster's
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_CSRF_TRUSTED_ORIGINS=self.gateway_url,
            DJANGO_SECURE_COOKIES="false",  # plain HTTP on this machine, as the dev overlay
            SHOP_URL=self.gateway_url,
            IDENTITY_SERVICE_URL=self.direct_url(IDENTITY),
            CATALOG_SERVICE_URL=self.direct_url("product"),
            ECOM_SERVICE_URLS=",".join(f"{name}={self.direct_url(name)}" for name in NAMES),
            # Product images on a shared directory, not the bucket the base names
            MEDIA_BUCKET="",
        )
        env.pop("ECOM_SERVICE_URL_TEMPLATE", None)
        by_name = {  # patches/user-jwt-key.yaml and user-migrate.yaml
            "JWT_PRIVATE_KEY": self.jwt_private_key.replace("\n", "\\n"),
            "ECOM_ADMIN_EMAIL": ADMIN[0],
            "ECOM_ADMIN_PASSWORD": ADMIN[1],
        }
        env.update({name: by_name[name] for name in spec.secret_env})
        if service == "payment":  # the dev overlay's demo provider
            env.update(PAYMENT_PROVIDER="payments.providers.sandbox.SandboxProvider", PAYMENT_ALLOW_SANDBOX="true")
        return env

    def env_file(self, service: str, component: str) -> Path:
        path = self.workdir / f"{service}-{component}.env"
        path.write_text("".join(f"{key}={value}\n" for key, value in self.env(service, component).items()))
        return path

    def _run(self, name: str, spec: PodSpec, command: list[str], *, service: str | None, detach: bool) -> str:
        container = f"{LABEL}-{self.name}-{name}"
        options = [
            "--name",
            container,
            "--label",
            f"{LABEL}={self.name}",
            "--network=host",
            "--hostname",
            name,
            *spec.security_options(),
        ]
        if spec.working_dir:
            options += ["--workdir", spec.working_dir]
        if service is not None:
            options += ["--env-file", str(self.env_file(service, name.removeprefix(f"{service}-")))]
        if service == "product":
            options += ["--volume", f"{self.workdir / 'media'}:/app/var/media"]
        if name == "gateway":
            options += [
                "--volume",
                f"{self.workdir / 'nginx.conf'}:/etc/nginx/nginx.conf:ro",
                "--volume",
                f"{REPO / 'gateway/docs'}:/etc/nginx/docs:ro",
            ]
        image = NGINX_IMAGE if name == "gateway" else self.image
        arguments = [podman(), "run", *(["--detach"] if detach else ["--rm"]), *options, image, *command]
        result = subprocess.run(arguments, capture_output=True, text=True, timeout=600)
        if detach:
            self.containers.append(container)
        if result.returncode != 0:
            raise AssertionError(f"{name} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> "ContainerPlatform":
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "media").mkdir(exist_ok=True)
        try:
            os.chown(self.workdir / "media", 10001, 10001)  # the image's app user, as compose's volume
        except PermissionError:  # not root: rootless podman maps users; let the app user write
            (self.workdir / "media").chmod(0o777)
        self.ports = {service: free_port() for service in NAMES} | {"gateway": free_port()}
        self.secret_keys = {service: secrets.token_urlsafe(50) for service in NAMES}  # one per service
        self.jwt_private_key = rsa_private_pem()
        self.create_backing_stores()
        subprocess.run(["redis-cli", "-n", "9", "flushdb"], capture_output=True)
        for service in NAMES:
            migrate = self.specs[f"{service}-migrate"]
            self._run(f"{service}-migrate", migrate, migrate.command, service=service, detach=False)
        for service in NAMES:
            for component in COMPONENTS:
                spec = self.specs[f"{service}-{component}"]
                command = [
                    f"127.0.0.1:{self.ports[service]}" if part == "0.0.0.0:8000" else part for part in spec.command
                ]
                self._run(f"{service}-{component}", spec, command, service=service, detach=True)
        for service in NAMES:
            wait_until(
                lambda s=service: _answers(f"{self.direct_url(s)}/readyz"),
                timeout=120,
                message=f"{service}'s web container to answer /readyz",
            )
        upstreams = [f"--upstream={service}=127.0.0.1:{self.ports[service]}" for service in NAMES]
        rendered = subprocess.run(
            [
                sys.executable,
                str(REPO / "gateway/render.py"),
                "k8s-at",
                f"--listen=127.0.0.1:{self.ports['gateway']}",
                *upstreams,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        (self.workdir / "nginx.conf").write_text(rendered.stdout)
        gateway = self.specs["gateway"]
        self._run("gateway", gateway, gateway.command, service=None, detach=True)
        wait_until(lambda: _answers(f"{self.gateway_url}/healthz"), timeout=60, message="the gateway container")
        return self

    def logs(self) -> None:
        """Every container's output, kept beside the suite's logs."""
        for container in self.containers:
            result = subprocess.run([podman(), "logs", container], capture_output=True, text=True)
            (self.workdir / f"{container}.log").write_text(result.stdout + result.stderr)

    def stop(self) -> None:
        self.logs()
        subprocess.run([podman(), "rm", "--force", "--time", "10", *self.containers], capture_output=True)
        self.drop_backing_stores()


def containers_left(run: str | None = None) -> list[str]:
    """Containers of deploy-test runs still there (of ``run``, or of any)."""
    selector = f"label={LABEL}={run}" if run else f"label={LABEL}"
    result = subprocess.run(
        [podman(), "ps", "--all", "--filter", selector, "--format", "{{.Names}}"], capture_output=True, text=True
    )
    return result.stdout.split()


def new_platform(specs: dict, image: str) -> ContainerPlatform:
    name = f"deploytest_{uuid.uuid4().hex[:8]}"
    workdir = REPO / "var" / "deploy-tests" / name
    shutil.rmtree(workdir, ignore_errors=True)
    return ContainerPlatform(name=name, workdir=workdir, specs=specs, image=image)
