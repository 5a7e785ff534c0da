"""The stack's images: every Dockerfile passes hadolint, and the extra CA bundle given to
builds as a BuildKit secret ends up in no final image: not in a layer, not in the
history, not in the environment or the labels."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from stack_support import DOCKER_DIR, ROOT, Project, copy_docker_dir, docker, extra_ca_bundle

pytestmark = pytest.mark.container

HADOLINT = ROOT / ".venv" / "bin" / "hadolint"
DOCKERFILES = ("backend", "frontend", "db", "cache", "proxy")
# What each Compose file builds: together, every final image of the stack.
BUILDS = {
    "compose.yaml": ("backend", "frontend", "db", "cache"),
    "compose.prod.yaml": ("backend", "frontend"),
}
# Variables that would point a program at a CA bundle at run time.
CA_VARIABLES = ("NODE_EXTRA_CA_CERTS", "PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
SCAN_CHUNK_BYTES = 1 << 20


@pytest.mark.parametrize("component", DOCKERFILES)
def test_hadolint_passes(component):
    dockerfile = DOCKER_DIR / component / "Dockerfile"
    assert dockerfile.is_file(), f"{dockerfile} is missing"
    result = subprocess.run(
        [str(HADOLINT), str(dockerfile)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@dataclass
class ThrowawayCA:
    pem: str
    der: bytes

    @classmethod
    def create(cls, directory: Path) -> ThrowawayCA:
        pem, der = directory / "test-ca.pem", directory / "test-ca.der"
        subject = f"/CN=papertrade throwaway test CA {uuid.uuid4().hex}"
        openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        key = directory / "test-ca.key"
        run(*openssl, "-subj", subject, "-keyout", str(key), "-out", str(pem))
        run("openssl", "x509", "-in", str(pem), "-outform", "DER", "-out", str(der))
        return cls(pem.read_text(), der.read_bytes())

    @property
    def body_lines(self) -> list[str]:
        """The base64 lines between the BEGIN and END markers."""
        return [line for line in self.pem.splitlines() if line and not line.startswith("-")]

    def pem_traces(self) -> list[bytes]:
        """What a copied PEM file holds: the body as written, and each full line of it."""
        lines = self.body_lines
        return ["\n".join(lines).encode(), *(line.encode() for line in lines if len(line) == 64)]

    def traces(self) -> list[bytes]:
        """Every form that betrays the certificate: as PEM, as one base64 string, as DER."""
        joined = "".join(self.body_lines)
        assert base64.b64decode(joined) == self.der
        return [*self.pem_traces(), joined.encode(), self.der]


def run(*args: str) -> None:
    subprocess.run(args, capture_output=True, check=True)


def traces_in_saved_image(image: str, traces: list[bytes]) -> set[bytes]:
    """The traces found anywhere in `docker save IMAGE`: every layer, uncompressed."""
    overlap = max(len(trace) for trace in traces)
    found: set[bytes] = set()
    with subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE) as save:
        assert save.stdout is not None
        tail = b""
        while chunk := save.stdout.read(SCAN_CHUNK_BYTES):
            window = tail + chunk
            found.update(trace for trace in traces if trace in window)
            tail = window[-overlap:]
    assert save.returncode == 0, f"docker save {image} failed"
    return found


def remove_images(names: list[str]) -> None:
    for name in names:
        subprocess.run(["docker", "image", "rm", "-f", name], capture_output=True, check=False)


@dataclass
class CABuild:
    ca: ThrowawayCA
    bundle: Path
    images: list[str]


def every_build(copy: Path, variables: dict[str, str], prefix: str) -> dict:
    """One Compose file building every final image of BUILDS, as the stack's files build
    each (context, target, arguments, secrets), under names starting with `prefix`: built
    in one command, the stages the images share are built once, without cache too."""
    combined: dict = {"services": {}, "secrets": {}}
    for compose_file, services in BUILDS.items():
        project = Project(copy, compose_file, variables)
        config = json.loads(project.run("config", "--format", "json").stdout)
        for service in services:
            image = config["services"][service]["image"].split("/", 1)[1]
            build = config["services"][service]["build"]
            combined["services"][image.replace(":", "-")] = {
                "image": f"{prefix}/{image}", "build": build}
            for secret in build.get("secrets", []):  # the file it reads; not the project's name
                defined = config["secrets"][secret["source"]]
                combined["secrets"][secret["source"]] = {
                    key: value for key, value in defined.items() if key != "name"}
    return combined


@pytest.fixture(scope="module")
def ca_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CABuild]:
    """Every final image, built without cache (so each step that mounts the secret runs
    again) under throwaway names, with EXTRA_CA_BUNDLE = the host's bundle plus a
    throwaway CA. The images are removed afterwards."""
    host_bundle = extra_ca_bundle()
    if not host_bundle:
        pytest.fail("no CA bundle to build with: set EXTRA_CA_BUNDLE or install ca-certificates")
    workspace = tmp_path_factory.mktemp("ca")
    ca = ThrowawayCA.create(workspace)
    bundle = workspace / "bundle-with-test-ca.pem"
    bundle.write_text(Path(host_bundle).read_text() + ca.pem)
    copy = copy_docker_dir(workspace)
    variables = {"EXTRA_CA_BUNDLE": str(bundle)}
    combined = every_build(copy, variables, f"papertrade-ca-test-{uuid.uuid4().hex[:8]}")
    (copy / "ca-test.json").write_text(json.dumps(combined))
    built = [service["image"] for service in combined["services"].values()]
    try:
        Project(copy, "ca-test.json", variables).run("build", "--no-cache")
        yield CABuild(ca, bundle, built)
    finally:
        remove_images(built)


def test_the_scan_finds_a_bundle_copied_into_an_image(tmp_path):
    """The scan can fail: an image that copies the bundle is caught."""
    ca = ThrowawayCA.create(tmp_path)
    (tmp_path / "bundle.pem").write_text(ca.pem)
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY bundle.pem /etc/bundle.pem\n")
    image = f"papertrade-ca-test-leak-{uuid.uuid4().hex[:8]}:latest"
    (tmp_path / "compose.yaml").write_text(
        json.dumps({"services": {"leak": {"image": image, "build": "."}}})
    )
    try:
        Project(tmp_path, "compose.yaml").run("build")
        assert set(ca.pem_traces()) <= traces_in_saved_image(image, ca.traces())
    finally:
        remove_images([image])


def test_no_layer_of_any_final_image_holds_the_ca(ca_build):
    traces = ca_build.ca.traces()
    leaks = {image: traces_in_saved_image(image, traces) for image in ca_build.images}
    assert len(ca_build.images) == 6
    assert {image: found for image, found in leaks.items() if found} == {}


def test_no_history_environment_or_label_mentions_the_ca(ca_build):
    first_line = ca_build.ca.body_lines[0]
    for image in ca_build.images:
        info = json.loads(docker("image", "inspect", image))[0]
        config = info["Config"]
        history = docker("history", "--no-trunc", "--format", "{{json .}}", image)
        words = [history, json.dumps(config.get("Env")), json.dumps(config.get("Labels"))]
        for text in words:
            assert first_line not in text, f"{image}: the certificate is in its metadata"
            assert str(ca_build.bundle) not in text, f"{image}: the bundle's path is in it"
        names = {entry.split("=", 1)[0] for entry in config.get("Env") or []}
        assert not names & set(CA_VARIABLES), f"{image} sets {names & set(CA_VARIABLES)}"
