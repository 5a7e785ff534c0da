"""The production stack (docker/compose.prod.yaml): nginx serves the page and proxies the
API, a trade round-trips, PostgreSQL's data lives in its volume, every container is
locked down, no password is in any container's environment, the backend logs in as a
role that is not a superuser, and `up` refuses to start without a password file,
naming it."""

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

from papertrade_docs.measure import throwaway_env
from papertrade_docs.measure.stack_timing import free_port

pytestmark = pytest.mark.container

COMPOSE_FILE = "compose.prod.yaml"
# The password files compose.prod.yaml mounts as secrets, in the copy's secrets/.
SECRET_FILES = ("postgres_password", "postgres_app_password", "redis_password")


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


def passwords(stack: Project) -> dict[str, str]:
    """Every password the stack was given: the secret files, and any secret the env
    file holds (none now; the passwords were there before they became files)."""
    found = {
        name: path.read_text(encoding="utf-8").strip()
        for name in SECRET_FILES
        if (path := stack.directory / "secrets" / name).is_file()
    }
    env_file = throwaway_env.parse((stack.directory / ".env.production").read_text())
    found |= {
        name: value
        for name, value in env_file.items()
        if throwaway_env.SECRET_NAME.search(name) and value
    }
    return found


def test_no_password_is_in_any_containers_environment(stack):
    secrets = passwords(stack)
    assert secrets, "the stack was given no password: nothing to look for"
    assert all(len(value) >= 32 for value in secrets.values()), "weak throwaway passwords"
    for service in stack.services():
        container = stack.container(service)
        environment = "\n".join(container["Config"]["Env"])
        # What each process was started with, too: an entry point must not export it.
        for pid in docker("top", container["Id"], "-o", "pid").split()[1:]:
            environment += Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        leaked = [name for name, value in secrets.items() if value in environment]
        assert leaked == [], f"{service}'s environment holds the password of {leaked}"


def test_the_backend_logs_in_as_a_role_that_is_not_a_superuser(stack):
    def query(sql: str) -> list[str]:
        result = stack.run(
            "exec", "-T", "db", "psql", "-U", "postgres", "-d", "papertrade", "-Atc", sql
        )
        return result.stdout.split()

    # The backend's pooled connections, as the server sees them.
    logins = query(
        "SELECT DISTINCT usename FROM pg_stat_activity "
        "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    assert logins == ["papertrade"]
    assert query(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = 'papertrade'"
    ) == ["f|f|f|f|f"]
    # It owns what the migrations created, so it needs nothing more.
    assert set(query("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")) == {
        "papertrade"
    }


@pytest.mark.parametrize("database", ["postgres", "template1"])
def test_the_application_role_connects_to_its_own_database_only(stack, database):
    def connect(role: str, to: str):
        # Over the socket, which trusts local connections: only the CONNECT privilege
        # can refuse, not the password.
        return stack.run("exec", "-T", "db", "psql", "-U", role, "-d", to, "-Atc",
                         "SELECT current_user || '@' || current_database()", check=False)

    refused = connect("papertrade", database)
    assert refused.returncode == 2, refused.stdout
    assert f'permission denied for database "{database}"' in refused.stderr
    allowed = connect("papertrade", "papertrade")
    assert allowed.stdout.strip() == "papertrade@papertrade", allowed.stderr
    # The superuser, the operator's, still reaches every database.
    assert connect("postgres", database).stdout.strip() == f"postgres@{database}"


@pytest.mark.parametrize("missing", SECRET_FILES)
def test_up_refuses_without_a_password_file_and_names_it(stack, tmp_path, missing):
    copy = copy_docker_dir(tmp_path)
    env_file = production_env_file(copy, {"HTTP_PORT": str(free_port())})
    (copy / "secrets" / missing).unlink()
    project = Project(copy, COMPOSE_FILE, env_file=env_file)
    project.use_images(stack.own_images)
    try:
        result = project.run("up", "-d", "--no-build", check=False)
        assert result.returncode != 0
        assert f"bind source path does not exist: {copy / 'secrets' / missing}" in result.stderr
    finally:
        project.run("down", "--volumes", check=False)
        project.remove_leftovers()
