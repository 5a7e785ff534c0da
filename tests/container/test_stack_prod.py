"""The production stack (docker/compose.prod.yaml): nginx serves the page and proxies the
API, a trade round-trips, PostgreSQL's data lives in its volume, every container is
locked down, and `up` refuses to start without a password, naming it."""

from __future__ import annotations

import http.client
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_support import (
    Project,
    copy_docker_dir,
    docker,
    production_env_file,
    request,
    running,
    text,
)

from papertrade_docs.measure.stack_timing import free_port

pytestmark = pytest.mark.container

COMPOSE_FILE = "compose.prod.yaml"
REQUIRED_SECRETS = ("POSTGRES_PASSWORD", "REDIS_PASSWORD")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    copy = copy_docker_dir(tmp_path_factory.mktemp("prod"))
    env_file = production_env_file(copy, {"HTTP_PORT": str(free_port())})
    with running(Project(copy, COMPOSE_FILE, env_file=env_file)) as project:
        yield project


def base_url(stack: Project) -> str:
    port = stack.container("frontend")["HostConfig"]["PortBindings"]["8080/tcp"][0]["HostPort"]
    return f"http://127.0.0.1:{port}"


def create_portfolio(stack: Project, name: str, cash: str) -> dict:
    status, portfolio = request(f"{base_url(stack)}/api/portfolios", {"name": name, "cash": cash})
    assert status == 201, portfolio
    return portfolio


def portfolio_names(stack: Project) -> list[str]:
    status, portfolios = request(f"{base_url(stack)}/api/portfolios")
    assert status == 200, portfolios
    return [p["name"] for p in portfolios]


def test_nginx_serves_the_page_and_proxies_health_and_api(stack):
    assert request(f"{base_url(stack)}/health") == (200, {"status": "healthy"})
    assert isinstance(request(f"{base_url(stack)}/api/portfolios")[1], list)
    page = text(f"{base_url(stack)}/")
    assert "<title>PaperTrade</title>" in page and 'type="module"' in page


def test_trade_round_trip_through_nginx(stack):
    api = f"{base_url(stack)}/api/portfolios"
    portfolio = create_portfolio(stack, f"round-trip {uuid.uuid4().hex[:6]}", "1000.00")
    trades = f"{api}/{portfolio['id']}/trades"

    status, bought = request(
        trades, {"symbol": "acme", "side": "buy", "quantity": 4, "price": "25"}
    )
    assert status == 201, bought
    assert (bought["symbol"], bought["cash_after"]) == ("ACME", "900.00")
    status, sold = request(trades, {"symbol": "ACME", "side": "sell", "quantity": 1, "price": "30"})
    assert status == 201, sold
    assert sold["cash_after"] == "930.00"
    status, refused = request(
        trades, {"symbol": "ACME", "side": "sell", "quantity": 9, "price": "1"}
    )
    assert status == 409, refused

    assert request(f"{api}/{portfolio['id']}/positions") == (
        200,
        [{"symbol": "ACME", "quantity": 3, "average_price": "25.00", "cost": "75.00"}],
    )
    assert request(f"{api}/{portfolio['id']}")[1]["cash"] == "930.00"


def head(stack: Project, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """HEAD through nginx, redirects not followed."""
    port = int(base_url(stack).rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("HEAD", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_nginx_sends_security_headers_and_no_hsts_over_plain_http(stack):
    for path in ("/", "/health", "/api/portfolios", "/no-such-page"):
        headers = head(stack, path, {}).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert "default-src 'self'" in headers["Content-Security-Policy"], path
        assert "Strict-Transport-Security" not in headers, path


def test_forwarded_headers_a_client_sends_are_not_believed(stack):
    """The backend redirects /api/portfolios/ to an absolute URL of the scheme and host
    it believes, and logs the client's address: nginx's view, not the client's claim."""
    marker = f"claimed-{uuid.uuid4().hex[:8]}"
    forged = {"X-Forwarded-For": "203.0.113.77", "X-Forwarded-Proto": "https"}
    response = head(stack, f"/api/portfolios/?{marker}", forged)
    assert response.status == 307
    assert response.headers["Location"] == f"{base_url(stack)}/api/portfolios?{marker}"
    log = stack.run("logs", "--no-log-prefix", "backend").stdout
    lines = [line for line in log.splitlines() if marker in line]
    assert len(lines) == 1 and "203.0.113.77" not in lines[0], lines


def test_only_nginx_is_published(stack):
    published = {
        service: stack.container(service)["HostConfig"]["PortBindings"] or {}
        for service in stack.services()
    }
    assert {service for service, ports in published.items() if ports} == {"frontend"}
    bindings = published["frontend"]["8080/tcp"]
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]


def process_status(pid: str) -> dict[str, str]:
    """/proc/PID/status of a container's process, read on the engine's host."""
    path = Path("/proc") / pid / "status"
    if not path.exists():
        pytest.fail(f"{path} is missing: these checks read the engine host's /proc")
    fields = (line.split(":", 1) for line in path.read_text().splitlines())
    return {name: value.strip() for name, value in fields}


def test_every_container_is_non_root_read_only_without_capabilities(stack):
    for service in stack.services():
        container = stack.container(service)
        config = container["HostConfig"]
        assert container["Config"]["User"] == "1000:1000", service
        assert config["ReadonlyRootfs"] is True, service
        assert config["CapDrop"] == ["ALL"] and not config["CapAdd"], service
        assert "no-new-privileges:true" in config["SecurityOpt"], service
        assert config["Init"] is True, service

        # What the kernel says about every process in the container, not just the config.
        pids = docker("top", container["Id"], "-o", "pid").split()[1:]
        assert pids, f"{service} runs no process"
        for pid in pids:
            status = process_status(pid)
            assert status["Uid"].split() == ["1000"] * 4, (service, pid, status["Uid"])
            assert int(status["CapEff"], 16) == 0, (service, pid, status["CapEff"])
            assert int(status["CapBnd"], 16) == 0, (service, pid, status["CapBnd"])
            assert status["NoNewPrivs"] == "1", (service, pid)
        root = next(
            line.split()
            for line in Path(f"/proc/{pids[0]}/mounts").read_text().splitlines()
            if line.split()[1] == "/"
        )
        assert "ro" in root[3].split(","), f"{service}: / is mounted {root[3]}"


def test_postgres_data_survives_down_and_up_and_goes_with_down_volumes(stack):
    name = f"persisted {uuid.uuid4().hex[:6]}"
    create_portfolio(stack, name, "1.00")

    stack.down(volumes=False)
    stack.up()
    assert name in portfolio_names(stack)

    stack.down(volumes=True)
    stack.up()
    assert name not in portfolio_names(stack)


@pytest.mark.parametrize("missing", REQUIRED_SECRETS)
def test_up_refuses_without_a_required_secret_and_names_it(tmp_path, missing):
    copy = copy_docker_dir(tmp_path)
    env_file = production_env_file(copy, {"HTTP_PORT": str(free_port()), missing: ""})
    project = Project(copy, COMPOSE_FILE, env_file=env_file)
    try:
        result = project.run("up", "-d", "--no-build", check=False)
        assert result.returncode != 0
        assert f"required variable {missing} is missing a value" in result.stderr
        assert f"{missing} is not set; put it in .env.production" in result.stderr
        others = [name for name in REQUIRED_SECRETS if name != missing]
        assert not any(name in result.stderr for name in others), result.stderr
        assert project.leftovers() == []
    finally:
        project.remove_leftovers()
