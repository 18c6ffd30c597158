"""Renders gateway/nginx.conf.template for one target (standard library and the service registry).

    python gateway/render.py local [--out var/gateway] [--listen 8000] [--upstream product=127.0.0.1:8001 ...]
                                   [--rate 20r/s] [--burst 40] [--max-body-size 1m] [--upstream-timeout 30s]
                                   [--cors-origins "http://localhost:3000 ..."]
    python gateway/render.py committed [--check]   # gateway/rendered/{compose,k8s}.conf, docs/index.html
    python gateway/render.py k8s-at --listen 127.0.0.1:9000 --upstream product=127.0.0.1:9001 ... > nginx.conf

``k8s-at`` prints the k8s target's config (the container's paths and settings) with the listen
address and upstreams given: the deploy test runs the gateway's image with it on the host network
(deploy_tests/platform.py). ``local`` writes ``<out>/nginx.conf`` (pid, temp files and access log beside it) for
``nginx -p <out> -c nginx.conf -e stderr -g 'daemon off;'``; its options fall back to the
``GATEWAY_*`` environment variables, then to the defaults below. ``committed`` renders the
compose and k8s targets and the docs page from this file and the service registry alone (no
options, no environment), so the committed files never drift: change a value here or add a
service to ``ecom_common.service_registry``, re-render, commit them. See docs/gateway.md.
"""

import argparse
import math
import os
import re
import sys
from pathlib import Path

from ecom_common.service_registry import NAMES, SERVICES

GATEWAY = Path(__file__).resolve().parent
TEMPLATE = GATEWAY / "nginx.conf.template"
RENDERED = GATEWAY / "rendered"
DOCS_TEMPLATE = GATEWAY / "docs.html.template"
DOCS_PAGE = GATEWAY / "docs" / "index.html"
LANDING_TEMPLATE = GATEWAY / "landing.html.template"
LANDING_PAGE = GATEWAY / "docs" / "landing.html"

# Tunables shared by every target (override per target in TARGETS, or for local on the command line).
DEFAULTS = {
    "listen": "8000",
    "rate": "20r/s",  # sustained requests per client IP
    "burst": "40",  # requests above the rate let through at once before 429
    "max_body_size": "1m",  # larger request bodies get 413
    "max_upload_size": "12m",  # the same on upload routes (product images: IMAGE_MAX_BYTES is 10 MB)
    "upstream_timeout": "30s",  # send/read timeout towards a service (gunicorn's timeout is 30s)
    "cors_origins": "http://localhost:3000 http://127.0.0.1:3000 http://localhost:5173",
    "worker_processes": "auto",
    # Addresses (CIDRs, space-separated) of proxies in front of the gateway whose X-Forwarded-For
    # it believes: the client's address is then the last one not theirs (rate limit, logs,
    # services). Empty: the connecting address is the client's.
    "trusted_proxies": "",
    # Strict-Transport-Security, where HTTPS is terminated in front of the gateway; empty: none.
    "hsts": "",
    # Of the requests that come without a traceparent, the share whose new trace is marked
    # sampled (the services' parent-based samplers then record it): 0 to 100.
    "trace_sample_percent": "100",
}

# Inside a container: logs to the container's output, scratch files in /tmp (works as root or
# not), the docs page mounted at /etc/nginx/docs/index.html, this file at /etc/nginx/nginx.conf.
_CONTAINER = {
    "pid_path": "/tmp/nginx.pid",  # noqa: S108 - the container's own /tmp
    "temp_dir": "/tmp/nginx",  # noqa: S108
    "error_log": "stderr",
    "access_log": "/dev/stdout",
    "docs_dir": "/etc/nginx/docs",
}
TARGETS = {
    # Each service's address in that target, from its registry entry.
    "compose": {**_CONTAINER, "upstream_address": lambda service: f"{service.package}:8000"},
    "k8s": {
        **_CONTAINER,
        "upstream_address": lambda service: f"{service.host}:8000",
        "cors_origins": "https://shop.example.com",
        # The Service keeps the client's address (externalTrafficPolicy: Local); behind an Ingress
        # or a load balancer that forwards it, list its addresses in trusted_proxies.
        "hsts": "max-age=31536000; includeSubDomains",
    },
}

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_RATE = re.compile(r"^(\d+)r/([sm])$")


def retry_after_seconds(rate: str) -> int:
    """Seconds until the bucket lets one more request through: what 429's Retry-After says."""
    match = _RATE.match(rate)
    if not match:
        raise ValueError(f"rate must look like 20r/s or 30r/m, not {rate!r}")
    per, unit = int(match[1]), match[2]
    return max(1, math.ceil((1 if unit == "s" else 60) / per))


def _locations(prefixes, upstream: str, *, path: str = "") -> str:
    lines = []
    for prefix in prefixes:
        match = "= " if prefix.startswith("= ") else ""
        lines.append(
            f"        location {match}{prefix.removeprefix('= ')} {{ proxy_pass http://{upstream}{path}; }}\n"
        )
    return "".join(lines)


def service_blocks(upstreams: dict, *, max_upload_size: str) -> dict:
    """The per-service parts of the config, one per registered service, in the registry's order."""
    blocks = {"upstream_blocks": "", "api_locations": "", "admin_locations": "", "schema_locations": ""}
    for service in SERVICES:
        blocks["upstream_blocks"] += (
            f"    upstream {service.name} {{\n        server {upstreams[service.name]};\n"
            "        keepalive 16;\n        keepalive_timeout 4s;\n    }\n"
        )
        blocks["api_locations"] += (
            f"        # ------------------------------------------------------------ {service.package}\n"
        )
        blocks["api_locations"] += _locations(service.routes, service.name)
        blocks["api_locations"] += "".join(
            f"        location ~ {pattern} {{ client_max_body_size {max_upload_size}; "
            f"proxy_pass http://{service.name}; }}\n"
            for pattern in service.upload_routes
        )
        blocks["admin_locations"] += _locations(
            (f"/admin/{service.admin_slug}/", f"/static/{service.admin_slug}/"), service.name
        )
        blocks["schema_locations"] += _locations((f"/api/schema/{service.name}/",), service.name, path="/api/schema/")
    return blocks


def render_docs_page() -> str:
    """The gateway's /api/docs/ page: one Swagger UI over every registered service's schema."""
    urls = ",\n".join(
        f'        {{name: "{service.title} ({service.package})", url: "/api/schema/{service.name}/"}}'
        for service in SERVICES
    )
    first = SERVICES[0]
    return (
        DOCS_TEMPLATE.read_text()
        .replace("{{schema_urls}}", urls)
        .replace("{{primary_name}}", f"{first.title} ({first.package})")
        .replace("{{assets}}", f"/static/{first.admin_slug}/drf_spectacular_sidecar/swagger-ui-dist")
    )


def render_landing_page() -> str:
    """The gateway's / page: where everything is, for a newcomer's first click."""
    admins = "\n".join(
        f'      <li><a href="/admin/{service.admin_slug}/">{service.title}</a> <small>({service.package})</small></li>'
        for service in SERVICES
    )
    schemas = ", ".join(f'<a href="/api/schema/{service.name}/">{service.name}</a>' for service in SERVICES)
    return LANDING_TEMPLATE.read_text().replace("{{admin_links}}", admins).replace("{{schema_links}}", schemas)


def _real_ip(trusted_proxies: str) -> str:
    if not trusted_proxies.split():
        return ""
    lines = [f"        set_real_ip_from {address};\n" for address in trusted_proxies.split()]
    return "".join(lines) + "        real_ip_header X-Forwarded-For;\n        real_ip_recursive on;\n"


def _trace_sampling(percent: str) -> str:
    """split_clients entries: flags 01 (sampled) for ``percent`` of the new traces, else 00."""
    share = float(percent)
    if not 0 <= share <= 100:
        raise ValueError(f"trace_sample_percent must be between 0 and 100, not {percent!r}")
    if share == 100:
        return '        * "01";\n'
    if share == 0:
        return '        * "00";\n'
    return f'        {share:g}% "01";\n        * "00";\n'


def render(values: dict) -> str:
    """The template with every placeholder filled from ``values`` (a missing one is an error)."""
    values = dict(values)
    values.update(service_blocks(values.pop("upstreams"), max_upload_size=values["max_upload_size"]))
    values["retry_after"] = str(retry_after_seconds(values["rate"]))
    values["cors_origin_entries"] = "".join(
        f'        "{origin}" $http_origin;\n' for origin in values["cors_origins"].split()
    )
    values.setdefault("user_directive", "")
    values["real_ip"] = _real_ip(values.pop("trusted_proxies"))
    values["trace_sampling"] = _trace_sampling(values.pop("trace_sample_percent"))
    hsts = values.pop("hsts")
    values["hsts_header"] = f'        add_header Strict-Transport-Security "{hsts}" always;\n' if hsts else ""

    def fill(match: re.Match) -> str:
        name = match[1]
        if name not in values:
            raise KeyError(f"{TEMPLATE.name} uses {{{{{name}}}}}, which the renderer does not set")
        return str(values[name])

    return _PLACEHOLDER.sub(fill, TEMPLATE.read_text())


def committed_target(name: str) -> str:
    values = {**DEFAULTS, **TARGETS[name]}
    address = values.pop("upstream_address")
    return render({**values, "upstreams": {service.name: address(service) for service in SERVICES}})


def k8s_target_at(*, listen: str, upstreams: dict) -> str:
    """The k8s target with its services and its own port elsewhere (all of them, or it fails)."""
    values = {**DEFAULTS, **TARGETS["k8s"], "listen": listen}
    del values["upstream_address"]
    missing = set(NAMES) - set(upstreams)
    if missing:
        raise ValueError(f"no upstream for {sorted(missing)}")
    return render({**values, "upstreams": upstreams})


def local_target(*, out: Path, upstreams: dict, **options) -> str:
    out = out.resolve()
    values = {
        **DEFAULTS,
        "listen": "127.0.0.1:8000",
        "worker_processes": "1",
        **{name: value for name, value in options.items() if value is not None},
        "upstreams": upstreams,
        "pid_path": out / "nginx.pid",
        "temp_dir": out / "tmp",
        "error_log": "stderr",
        "access_log": out / "access.log",
        "docs_dir": GATEWAY / "docs",
    }
    if os.geteuid() == 0:
        # Started as root, nginx would run its workers as "nobody", who may not read a private
        # var directory; workers run as the user who started it, as they do for everyone else.
        values["user_directive"] = "user root;\n"
    return render(values)


def _upstream(text: str) -> tuple[str, str]:
    service, _, address = text.partition("=")
    if service not in NAMES or not address:
        raise argparse.ArgumentTypeError(f"expected <{'|'.join(NAMES)}>=host:port, not {text!r}")
    return service, address


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    targets = parser.add_subparsers(dest="target", required=True)
    local = targets.add_parser("local", help="render for this machine (make run, the system tests)")
    env = os.environ.get
    local.add_argument("--out", type=Path, default=Path(env("ECOM_VAR_DIR", "var")) / "gateway")
    local.add_argument("--listen", default=env("GATEWAY_LISTEN"))
    local.add_argument(
        "--upstream",
        type=_upstream,
        action="append",
        default=[],
        help="service=host:port (default: 127.0.0.1 and the contract's ports)",
    )
    local.add_argument("--rate", default=env("GATEWAY_RATE"))
    local.add_argument("--burst", default=env("GATEWAY_BURST"))
    local.add_argument("--max-body-size", default=env("GATEWAY_MAX_BODY_SIZE"))
    local.add_argument("--max-upload-size", default=env("GATEWAY_MAX_UPLOAD_SIZE"))
    local.add_argument("--upstream-timeout", default=env("GATEWAY_UPSTREAM_TIMEOUT"))
    local.add_argument("--cors-origins", default=env("GATEWAY_CORS_ORIGINS"))
    local.add_argument("--trusted-proxies", default=env("GATEWAY_TRUSTED_PROXIES"))
    local.add_argument("--hsts", default=env("GATEWAY_HSTS"))
    local.add_argument("--trace-sample-percent", default=env("GATEWAY_TRACE_SAMPLE_PERCENT"))
    k8s_at = targets.add_parser("k8s-at", help="print the k8s config with other addresses (the deploy test)")
    k8s_at.add_argument("--listen", required=True)
    k8s_at.add_argument("--upstream", type=_upstream, action="append", required=True, help="service=host:port")
    committed = targets.add_parser("committed", help="render gateway/rendered/compose.conf and k8s.conf")
    committed.add_argument("--check", action="store_true", help="fail when a committed file differs")
    args = parser.parse_args(argv)

    if args.target == "local":
        upstreams = {service.name: f"127.0.0.1:{service.port}" for service in SERVICES}
        upstreams.update(dict(args.upstream))
        text = local_target(
            out=args.out,
            upstreams=upstreams,
            listen=args.listen,
            rate=args.rate,
            burst=args.burst,
            max_body_size=args.max_body_size,
            max_upload_size=args.max_upload_size,
            upstream_timeout=args.upstream_timeout,
            cors_origins=args.cors_origins,
            trusted_proxies=args.trusted_proxies,
            hsts=args.hsts,
            trace_sample_percent=args.trace_sample_percent,
        )
        (args.out / "tmp").mkdir(parents=True, exist_ok=True)
        (args.out / "nginx.conf").write_text(text)
        print(args.out.resolve() / "nginx.conf")
        return 0

    if args.target == "k8s-at":
        print(k8s_target_at(listen=args.listen, upstreams=dict(args.upstream)), end="")
        return 0

    stale = []
    files = {RENDERED / f"{name}.conf": committed_target(name) for name in TARGETS}
    files[DOCS_PAGE] = render_docs_page()
    files[LANDING_PAGE] = render_landing_page()
    for path, text in files.items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path)
        else:
            path.write_text(text)
            print(path)
    if stale:
        print("out of date (run: python gateway/render.py committed): " + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
