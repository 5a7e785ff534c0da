"""The backend's images, built from docker/backend/Dockerfile: the small prod image still
imports and serves everything the app needs, the backend's own test suite passes in the
dev image against real PostgreSQL and Redis, and both images keep their size targets."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from stack_support import extra_ca_bundle

from papertrade_docs.measure.docker_cli import compose_env
from papertrade_docs.measure.images import image as budgeted_image

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
BACKEND = DOCKER / "backend"
VENV_BIN = ROOT / ".venv" / "bin"
# The budgets of src/papertrade_docs/measure/images.py, in bytes
# as `docker image inspect` reports them.
SIZE_LIMITS = {name: budgeted_image(name).budget_bytes for name in ("backend-dev", "backend-prod")}

DATABASE_URL = "postgresql://papertrade:test-password@db:5432/papertrade"
REDIS_URL = "redis://:test-cache-password@cache:6379/0"

# Image names carry the stack's own project name (NAMESPACE), not the reader's
# `papertrade/...`: the tests never retag a contributor's images, and remove theirs.
COMPOSE = f"""
services:
  db:
    image: NAMESPACE/db:17
    build: {DOCKER / "db"}
    environment:
      POSTGRES_USER: papertrade
      POSTGRES_PASSWORD: test-password
      POSTGRES_DB: papertrade
    tmpfs: ["/var/lib/postgresql/data:uid=1000,gid=1000,mode=0700"]
  cache:
    image: NAMESPACE/cache:8
    build: {DOCKER / "cache"}
    environment:
      REDIS_PASSWORD: test-cache-password
  backend-dev:
    image: NAMESPACE/backend:dev
    build: {{context: {BACKEND}, target: dev, secrets: [extra_ca]}}
    environment:
      DATABASE_URL: {DATABASE_URL}
      REDIS_URL: {REDIS_URL}
    depends_on:
      db: {{condition: service_healthy}}
      cache: {{condition: service_healthy}}
  backend-prod:
    image: NAMESPACE/backend:prod
    build: {{context: {BACKEND}, target: prod, secrets: [extra_ca]}}
    environment:
      DATABASE_URL: {DATABASE_URL}
      REDIS_URL: {REDIS_URL}
    read_only: true
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    ports: ["127.0.0.1::8000"]
    depends_on:
      db: {{condition: service_healthy}}
      cache: {{condition: service_healthy}}
secrets:
  extra_ca:
    file: ${{EXTRA_CA_BUNDLE:-/dev/null}}
"""

# Everything the app imports, as uvicorn loads it: Config.load() imports the app and the
# event loop, HTTP protocol and lifespan implementations the server will use.
IMPORT_CHECK = """
import pkgutil, importlib, sys
import papertrade, psycopg, uvicorn
for module in pkgutil.walk_packages(papertrade.__path__, "papertrade."):
    importlib.import_module(module.name)
config = uvicorn.Config("papertrade.main:app", host="127.0.0.1", port=8000)
config.load()
assert psycopg.pq.__impl__ == "python", psycopg.pq.__impl__
print(config.http_protocol_class.__module__, config.lifespan_class.__module__,
      psycopg.pq.__impl__, psycopg.pq.version() // 10000, len(sys.modules))
"""


def run(
    *args: str, check: bool = True, timeout: float = 600, **kwargs
) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, capture_output=True, text=True, check=check, timeout=timeout, **kwargs
    )


def build_environment() -> dict[str, str]:
    return compose_env(EXTRA_CA_BUNDLE=extra_ca_bundle())


class Stack:
    def __init__(self, directory: Path, prefix: str = "backend-image") -> None:
        self.project = f"{prefix}-{uuid.uuid4().hex[:8]}"
        (directory / "compose.yaml").write_text(COMPOSE.replace("NAMESPACE", self.project))
        self.base = ("docker", "compose", "-p", self.project, "-f", str(directory / "compose.yaml"))
        self.environment = build_environment()

    def __call__(self, *args: str, check: bool = True, timeout: float = 600):
        return run(*self.base, *args, check=check, timeout=timeout, env=self.environment)

    def image(self, service: str) -> str:
        config = json.loads(self("config", "--format", "json").stdout)
        return config["services"][service]["image"]

    def images(self) -> list[str]:
        config = json.loads(self("config", "--format", "json").stdout)
        return [service["image"] for service in config["services"].values()]

    def url(self, path: str) -> str:
        address = self("port", "backend-prod", "8000").stdout.strip()
        return f"http://{address}{path}"

    def leftovers(self) -> list[str]:
        label = f"label=com.docker.compose.project={self.project}"
        found = run("docker", "ps", "-aq", "--filter", label).stdout.split()
        for kind in ("network", "volume"):
            found += run("docker", kind, "ls", "-q", "--filter", label).stdout.split()
        return found


@contextmanager
def started(directory: Path, *services: str, prefix: str = "backend-image") -> Iterator[Stack]:
    """The services (all by default) built, up and healthy; down with their volumes after.
    The other container tests of the API (test_api_*.py) run on this stack too."""
    stack = Stack(directory, prefix)
    stack("build", *services, timeout=1800)
    try:
        stack("up", "-d", "--wait", "--wait-timeout", "180", *services)
        yield stack
    finally:
        stack("down", "-v", "--remove-orphans", "--timeout", "5", check=False)
        run("docker", "image", "rm", *stack.images(), check=False)
    assert stack.leftovers() == []


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with started(tmp_path_factory.mktemp("backend-image")) as stack:
        yield stack


def request(url: str, body: dict | None = None, **headers: str) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_dockerfile_and_its_script_pass_the_linters():
    hadolint = run(str(VENV_BIN / "hadolint"), str(BACKEND / "Dockerfile"), check=False)
    assert hadolint.returncode == 0, hadolint.stdout + hadolint.stderr
    shellcheck = run(str(VENV_BIN / "shellcheck"), str(BACKEND / "rootfs.sh"), check=False)
    assert shellcheck.returncode == 0, shellcheck.stdout


def test_the_backend_suite_passes_in_the_dev_image(stack):
    result = stack("exec", "-T", "backend-dev", "pytest", "-q", check=False, timeout=300)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary, summary


def test_the_prod_image_imports_everything_the_app_imports(stack):
    result = stack("exec", "-T", "backend-prod", "python", "-c", IMPORT_CHECK, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == [
        "uvicorn.protocols.http.h11_impl",
        "uvicorn.lifespan.on",
        "python",  # psycopg's ctypes binding, on Debian's libpq (PostgreSQL 17's)
        "17",
    ]


def test_the_prod_image_serves_health_and_a_trade_round_trip(stack):
    assert request(stack.url("/health")) == (200, {"status": "healthy"})
    status, portfolio = request(stack.url("/api/portfolios"), {"name": "Image", "cash": "100"})
    assert status == 201, portfolio
    trades = stack.url(f"/api/portfolios/{portfolio['id']}/trades")
    order = {"symbol": "ACME", "side": "buy", "quantity": 3, "price": "20.5"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    assert request(trades, order, **key)[1] == request(trades, order, **key)[1]
    status, refused = request(trades, {**order, "quantity": 2})
    assert (status, refused["code"]) == (409, "insufficient_cash")
    positions = request(stack.url(f"/api/portfolios/{portfolio['id']}/positions"))[1]
    assert positions == [
        {"symbol": "ACME", "quantity": 3, "average_price": "20.50", "cost": "61.50"}
    ]


def test_the_prod_image_runs_the_migrations_on_their_own(stack):
    result = stack("exec", "-T", "backend-prod", "python", "-m", "papertrade.migrate")
    assert re.fullmatch(r"schema is up to date at \d{4}_[a-z0-9_]+\n", result.stdout), result.stdout


def test_the_prod_container_is_non_root_without_a_shell(stack):
    image = stack.image("backend-prod")
    config = json.loads(run("docker", "image", "inspect", image).stdout)[0]["Config"]
    assert config["User"] == "1000:1000"
    assert config["Healthcheck"]["Test"][:2] == ["CMD", "/opt/venv/bin/python"]
    assert "curl" not in json.dumps(config["Healthcheck"])
    uid = stack("exec", "-T", "backend-prod", "python", "-c", "import os; print(os.getuid())")
    assert uid.stdout.strip() == "1000"
    shell = stack("exec", "-T", "backend-prod", "sh", "-c", "true", check=False)
    assert shell.returncode != 0


def test_the_prod_image_refuses_to_start_without_its_service_urls(stack):
    result = run("docker", "run", "--rm", stack.image("backend-prod"), check=False, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        "papertrade: APP_ENV=production needs DATABASE_URL and REDIS_URL set explicitly\n"
    )


def test_the_build_ca_is_nowhere_in_the_images_metadata(stack):
    for image in (stack.image("backend-dev"), stack.image("backend-prod")):
        config = run("docker", "image", "inspect", image).stdout
        history = run("docker", "history", "--no-trunc", image).stdout
        for text in (config, history):
            assert "BEGIN CERTIFICATE" not in text
            assert "PIP_CERT=/run" not in text.replace(" ", "")


@pytest.mark.parametrize("service", SIZE_LIMITS)
def test_the_image_keeps_its_size_target(stack, service):
    image = stack.image(service)
    size = int(run("docker", "image", "inspect", "-f", "{{.Size}}", image).stdout)
    assert size < SIZE_LIMITS[service], f"{image} is {size / 1e6:.1f} MB"


def test_health_names_the_failing_cache_without_its_error_and_logs_why(stack):
    # Last in the module: it stops a service of the shared stack.
    stack("stop", "cache")
    status, body = request(stack.url("/health"))
    # Public: which dependency fails, never a host, role or error message.
    assert (status, body) == (
        503,
        {"status": "unhealthy", "checks": {"database": "ok", "cache": "failing"}},
    )
    logs = stack("logs", "--no-color", "backend-prod")
    assert "papertrade.health: health: cache: " in logs.stdout + logs.stderr
