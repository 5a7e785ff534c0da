"""The production stack behind its TLS proxy (docker/compose.tls.yaml on top of
compose.prod.yaml): HTTPS with a certificate of a throwaway CA, security headers, basic
auth, X-Forwarded-* believed only from the hop before, and the page working in Debian's
chromium under its Content-Security-Policy."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from stack_support import Project, copy_docker_dir, docker, production_env_file, running

from papertrade_docs.measure.stack_timing import free_port

pytestmark = pytest.mark.container

HOSTNAME = "papertrade.localhost"
USER, PASSWORD = "alice", f"pw-{uuid.uuid4().hex}"
FORGED_ADDRESS = "203.0.113.77"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


@dataclass
class TlsStack:
    project: Project
    port: int
    ca_file: Path


def make_certificates(tls: Path) -> None:
    """A throwaway CA and a server certificate for HOSTNAME, as the production page does."""
    tls.mkdir()
    (tls / "server.ext").write_text(
        f"subjectAltName=DNS:{HOSTNAME}\nextendedKeyUsage=serverAuth\n")
    commands = [
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key",
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key",
        "openssl req -x509 -new -key ca.key -sha256 -days 2 -subj /CN=test-CA -out ca.crt",
        f"openssl req -new -key server.key -subj /CN={HOSTNAME} -out server.csr",
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2"
        " -sha256 -extfile server.ext -out server.crt",
    ]
    for command in commands:
        subprocess.run(command.split(), cwd=tls, check=True, capture_output=True)


def readable_by_the_proxy(path: Path) -> None:
    """Mode 0600 for uid 1000, the proxy's user (Compose mounts secrets as they are)."""
    path.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(path, 1000, 1000)
    elif os.geteuid() != 1000:
        pytest.fail("the TLS stack's test needs root or uid 1000: the proxy (uid 1000) "
                    "reads its key as Compose mounts it", pytrace=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsStack]:
    copy = copy_docker_dir(tmp_path_factory.mktemp("tls"))
    port = free_port()
    env_file = production_env_file(copy, {"HTTP_PORT": str(free_port()), "HTTPS_PORT": str(port)})
    make_certificates(copy / "tls")
    readable_by_the_proxy(copy / "tls" / "server.key")
    project = Project(copy, "compose.prod.yaml", env_file=env_file,
                      extra_files=("compose.tls.yaml",))
    project.name_own_images()
    project.run("build", "proxy")
    hashed = subprocess.run(
        ["docker", "run", "--rm", "-i", "--network", "none", project.own_images["proxy"],
         "hash-password"], input=f"{PASSWORD}\n", capture_output=True, text=True,
        timeout=120, check=True).stdout.strip()
    assert hashed.startswith("$2a$") and PASSWORD not in hashed
    (copy / "tls" / "users").write_text(f"{USER} {hashed}\n")
    readable_by_the_proxy(copy / "tls" / "users")
    with running(project):
        yield TlsStack(project, port, copy / "tls" / "ca.crt")


def https(stack: TlsStack, path: str, headers: dict[str, str] | None = None,
          context: ssl.SSLContext | None = None) -> http.client.HTTPResponse:
    """GET https://HOSTNAME:port/path, connecting to 127.0.0.1 (where the port is published)."""
    context = context or ssl.create_default_context(cafile=str(stack.ca_file))
    connection = http.client.HTTPSConnection(HOSTNAME, stack.port, context=context, timeout=10)
    connection.sock = context.wrap_socket(
        socket.create_connection(("127.0.0.1", stack.port), timeout=10),
        server_hostname=HOSTNAME)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    return response


def authorised(extra: dict[str, str] | None = None) -> dict[str, str]:
    import base64

    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}", **(extra or {})}


def test_health_over_https_with_the_ca_and_refused_without_it(stack):
    response = https(stack, "/health")
    assert response.status == 200
    with pytest.raises(ssl.SSLCertVerificationError):
        https(stack, "/health", context=ssl.create_default_context())


def test_no_key_or_password_hash_in_the_proxy_image(stack):
    """The key and the users file are secrets at run time: the image (its layers, history,
    configuration) and the container's configuration hold neither."""
    tls = stack.ca_file.parent
    key_lines = [line for line in (tls / "server.key").read_text().splitlines()
                 if line and not line.startswith("-----")]
    password_hash = (tls / "users").read_text().split()[1]
    image = stack.project.own_images["proxy"]
    saved = subprocess.run(["docker", "save", image], capture_output=True, timeout=120,
                           check=True).stdout
    described = (docker("image", "inspect", image) + docker("history", "--no-trunc", image)
                 + json.dumps(stack.project.container("proxy")["Config"]))
    for secret in [*key_lines, password_hash]:
        assert secret.encode() not in saved
        assert secret not in described


def test_only_the_proxy_is_published(stack):
    published = {
        service: stack.project.container(service)["HostConfig"]["PortBindings"] or {}
        for service in stack.project.services()
    }
    assert {service for service, ports in published.items() if ports} == {"proxy"}
    assert [b["HostIp"] for b in published["proxy"]["8443/tcp"]] == ["127.0.0.1"]


def test_everything_but_health_needs_a_user(stack):
    assert https(stack, "/").status == 401
    assert https(stack, "/api/portfolios").status == 401
    wrong = {"Authorization": "Basic " + "YWxpY2U6d3Jvbmc="}  # alice:wrong
    assert https(stack, "/api/portfolios", wrong).status == 401
    assert https(stack, "/api/portfolios", authorised()).status == 200
    assert https(stack, "/", authorised()).status == 200


def test_security_headers_and_hsts_on_https(stack):
    for response in (https(stack, "/", authorised()), https(stack, "/api/portfolios")):
        headers = response.headers
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
    headers = https(stack, "/", authorised()).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def backend_log_line(stack: TlsStack, marker: str) -> str:
    log = stack.project.run("logs", "--no-log-prefix", "backend").stdout
    lines = [line for line in log.splitlines() if marker in line]
    assert len(lines) == 1, f"{marker} in the backend's log: {lines}"
    return lines[0]


def test_a_forged_x_forwarded_for_does_not_reach_the_backends_log(stack):
    marker = f"forged-{uuid.uuid4().hex[:8]}"
    response = https(stack, f"/api/portfolios?{marker}",
                     authorised({"X-Forwarded-For": FORGED_ADDRESS}))
    assert response.status == 200
    line = backend_log_line(stack, marker)
    assert FORGED_ADDRESS not in line
    # The client as the proxy saw it: here, Docker's port forwarding from the edge
    # network's gateway.
    edge = docker("network", "inspect", f"{stack.project.name}_edge",
                  "--format", "{{(index .IPAM.Config 0).Gateway}}").strip()
    assert line.split()[1] == f"{edge}:0", line


def test_the_backend_sees_https_behind_the_proxy(stack):
    # The API redirects /api/portfolios/ to /api/portfolios: an absolute URL built from
    # the scheme and host the backend believes.
    response = https(stack, "/api/portfolios/", authorised())
    assert response.status == 307
    assert response.headers["Location"] == f"https://{HOSTNAME}:{stack.port}/api/portfolios"


def test_nginx_ignores_forwarded_headers_from_any_peer_but_the_proxy(stack):
    """The backend's container calls nginx directly, with forged headers: nginx passes its
    own view on (the caller's address, plain http), and the backend logs that."""
    marker = f"direct-{uuid.uuid4().hex[:8]}"
    script = (
        "import urllib.request, urllib.error, socket\n"
        "class Stay(urllib.request.HTTPRedirectHandler):\n"
        "    def redirect_request(self, *args, **kwargs): return None\n"
        f"request = urllib.request.Request('http://frontend:8080/api/portfolios/?{marker}',"
        f" headers={{'X-Forwarded-For': '{FORGED_ADDRESS}', 'X-Forwarded-Proto': 'https'}})\n"
        "try: urllib.request.build_opener(Stay).open(request)\n"
        "except urllib.error.HTTPError as error: print(error.headers['Location'])\n"
    )
    result = stack.project.run("exec", "-T", "backend", "python", "-c", script)
    assert result.stdout.strip().startswith("http://frontend:8080/"), result.stdout
    line = backend_log_line(stack, marker)
    assert FORGED_ADDRESS not in line
    backend = stack.project.container("backend")["NetworkSettings"]["Networks"]
    assert line.split()[1] == f"{backend[f'{stack.project.name}_web']['IPAddress']}:0", line


# Chromium drops its connections when the host's network changes, as it does whenever
# Docker adds or removes a container's interface (other stacks on the same engine):
# such a visit is tried again, anything else fails the check.
NETWORK_CHANGED = "ERR_NETWORK_CHANGED"
VISITS = 3


def visit_the_page(browser, url: str) -> list[str]:
    """Load the page, wait for its health badge, create a portfolio through its form;
    every console error or warning and uncaught error, in order."""
    errors: list[str] = []
    context = browser.new_context(ignore_https_errors=True,
                                  http_credentials={"username": USER, "password": PASSWORD})
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_function("document.querySelector('#health').dataset.state",
                               timeout=10_000)
        health = page.locator("#health").inner_text()
        if health != "Backend healthy":
            return [*errors, f"#health says {health!r}"]
        # A portfolio made through the form: the page's scripts, styles and API calls.
        name = f"Browser {uuid.uuid4().hex[:6]}"
        page.fill("#new-portfolio input[name=name]", name)
        page.fill("#new-portfolio input[name=cash]", "1000.00")
        page.click("#new-portfolio button[type=submit]")
        page.locator("#portfolios", has_text=name).wait_for(timeout=10_000)
        display = page.evaluate("getComputedStyle(document.querySelector('.topbar')).display")
        if display == "inline":
            errors.append("the stylesheet did not apply (.topbar is inline)")
    except Exception as error:  # noqa: BLE001 - a failed visit is reported, or tried again
        errors.append(str(error))
    finally:
        context.close()
    return errors


def test_the_page_works_in_chromium_under_its_content_security_policy(stack):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make chromium' (as root on Debian), or set "
                    "CHROMIUM to a chromium binary", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # *.localhost is the loopback address to chromium itself: no DNS needed. The
        # certificate's checks are the tests above; here, what the page does under its CSP.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for _ in range(VISITS):
                errors = visit_the_page(browser, f"https://{HOSTNAME}:{stack.port}/")
                if not any(NETWORK_CHANGED in error for error in errors):
                    break
        finally:
            browser.close()
    assert not errors, "\n".join(errors)
