"""The development stack (docker/compose.yaml): healthy, published on 127.0.0.1 only, and
edits to the bind-mounted source reach the running backend and Vite without a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_support import Project, copy_docker_dir, request, running, text

from papertrade_docs.measure.stack_timing import app_module, entry_module, free_port, wait_for

pytestmark = pytest.mark.container

PORTS = ("BACKEND_PORT", "FRONTEND_PORT", "POSTGRES_PORT", "REDIS_PORT")
CHANGE_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    copy = copy_docker_dir(tmp_path_factory.mktemp("dev"))
    project = Project(copy, "compose.yaml", {name: str(free_port()) for name in PORTS})
    with running(project):
        yield project


def url(stack: Project, port: str, path: str) -> str:
    return f"http://127.0.0.1:{stack.variables[port]}{path}"


def test_backend_is_healthy_directly_and_through_vite(stack):
    assert request(url(stack, "BACKEND_PORT", "/health")) == (200, {"status": "healthy"})
    assert request(url(stack, "FRONTEND_PORT", "/health")) == (200, {"status": "healthy"})
    status, portfolios = request(url(stack, "FRONTEND_PORT", "/api/portfolios"))
    assert status == 200 and isinstance(portfolios, list)


def test_every_service_is_healthy_and_published_on_loopback_only(stack):
    for service in stack.services():
        container = stack.container(service)
        assert container["State"]["Health"]["Status"] == "healthy", service
        bindings = container["HostConfig"]["PortBindings"]
        assert bindings, f"{service} publishes no port"
        host_ips = {b["HostIp"] for published in bindings.values() for b in published}
        assert host_ips == {"127.0.0.1"}, f"{service} is published on {host_ips}"


def test_source_is_bind_mounted_and_node_modules_kept_out(stack):
    mounts = {m["Destination"]: m for m in stack.container("frontend")["Mounts"]}
    assert mounts["/app"]["Type"] == "bind"
    assert Path(mounts["/app"]["Source"]) == stack.directory / "frontend"
    assert mounts["/app/node_modules"]["Type"] == "volume"
    backend = {m["Destination"]: m for m in stack.container("backend")["Mounts"]}
    assert Path(backend["/app/src"]["Source"]) == stack.directory / "backend" / "src"
    database = {m["Destination"]: m for m in stack.container("db")["Mounts"]}
    assert database["/var/lib/postgresql/data"]["Name"] == f"{stack.name}_db-data"


def started(stack: Project, service: str) -> tuple[str, str, int]:
    """What changes when a container is recreated or restarted."""
    container = stack.container(service)
    return container["Id"], container["State"]["StartedAt"], container["RestartCount"]


def test_backend_edit_answers_without_restart(stack):
    module = app_module(stack.directory / "backend" / "src")
    token = uuid.uuid4().hex[:12]
    route = url(stack, "BACKEND_PORT", f"/reload-check/{token}")
    before = started(stack, "backend")
    assert request(route)[0] == 404

    with module.open("a", encoding="utf-8") as source:
        source.write(
            f'\n\n@app.get("/reload-check/{token}")\n'
            f"def reload_check_{token}() -> dict[str, str]:\n"
            f'    return {{"token": "{token}"}}\n'
        )
    wait_for(
        lambda: request(route) == (200, {"token": token}),
        f"the backend to serve the route just added to {module.name}",
        CHANGE_TIMEOUT_SECONDS,
    )
    assert started(stack, "backend") == before, "the backend container was restarted"


def test_frontend_edit_is_served_by_vite_without_restart(stack):
    frontend = stack.directory / "frontend"
    entry = entry_module(frontend / "index.html")
    module_url = url(stack, "FRONTEND_PORT", entry)
    token = uuid.uuid4().hex[:12]
    before = started(stack, "frontend")
    # Served once first, so Vite holds the module and has to notice the change.
    served = text(module_url)
    assert served and token not in served

    with (frontend / entry.lstrip("/")).open("a", encoding="utf-8") as source:
        source.write(f'\nexport const reloadCheck = "{token}";\n')
    wait_for(
        lambda: token in text(module_url),
        f"Vite to serve {entry} with the edit",
        CHANGE_TIMEOUT_SECONDS,
    )
    assert started(stack, "frontend") == before, "the frontend container was restarted"
