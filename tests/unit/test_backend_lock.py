"""The backend's hash locks (docker/backend/requirements*.txt) still match what they are
made from, without the network: each lock's header records the sha256 of pyproject.toml's
dependency declarations and the .in files (docker/backend/lock.py writes it); a lock made
from other inputs fails here with the command that refreshes it. Every locked package is
pinned with hashes, and pinned where pyproject.toml pins it; the Dockerfile installs only
from the locks, by hash, wheels only."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "docker" / "backend"


def _load_lock_module():
    spec = importlib.util.spec_from_file_location("backend_lock", BACKEND / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = _load_lock_module()
LOCKS = list(lock.LOCKS)
UV_PIN = next(
    line for line in lock._requirement_lines(BACKEND / "requirements-build.in")
    if line.startswith("uv==")
)
REFRESH = (
    "Refresh every lock, then commit them (it needs the package index, and uv: `pip install"
    f" {UV_PIN}`):\n\n    {lock.REFRESH}\n\n"
    "It runs `uv pip compile --generate-hashes` for each lock and records the inputs'"
    " sha256; add `--upgrade-package NAME` to move a pin that still fits."
)


def locked(path: Path) -> dict[str, tuple[str, list[str], str]]:
    """name -> (version, hashes, the requirement's text) for each entry of a lock."""
    entries = {}
    text = path.read_text("utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement = line.split(" --hash", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^ ;]+)(\s*;.*)?", requirement)
        hashes = re.findall(r"--hash=(sha256:[0-9a-f]{64})", line)
        name = canonicalize_name(match[1]) if match else requirement
        entries[name] = (match[2] if match else "", hashes, requirement)
    return entries


# --- the locks in the repository ------------------------------------------------------------


@pytest.mark.parametrize("name", LOCKS)
def test_the_lock_was_made_from_the_current_pyproject_and_in_files(name):
    path = BACKEND / name
    recorded = lock.recorded_digest(path)
    assert recorded is not None, (
        f"docker/backend/{name} has no `{lock.DIGEST_PREFIX.strip()}` line in its header:"
        f" it was not made by lock.py (or edited by hand). {REFRESH}"
    )
    assert recorded == lock.digest(BACKEND), (
        f"docker/backend/{name} is stale: pyproject.toml's dependencies (or"
        " requirements-dev.in, requirements-build.in, or lock.py's options) changed since it"
        f" was locked (inputs sha256 {recorded[:12]}..., now {lock.digest(BACKEND)[:12]}...)."
        f" {REFRESH}"
    )


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_package_is_pinned_with_hashes(name):
    entries = locked(BACKEND / name)
    assert entries, f"docker/backend/{name} locks nothing"
    unpinned = [text for version, hashes, text in entries.values() if not version or not hashes]
    assert not unpinned, (
        f"docker/backend/{name}: {', '.join(unpinned)}: no `==version` or no `--hash`; the"
        " build installs with --require-hashes and would stop. Add a dependency to"
        f" pyproject.toml (or a .in file), never to a lock. {REFRESH}"
    )


def _pins(requirements: list[str]) -> list[Requirement]:
    return [Requirement(text) for text in requirements]


def _check_pins(lock_name: str, requirements: list[Requirement]) -> list[str]:
    entries = locked(BACKEND / lock_name)
    problems = []
    for requirement in requirements:
        entry = entries.get(canonicalize_name(requirement.name))
        if entry is None:
            problems.append(f"{requirement} is not in {lock_name}")
        elif not requirement.specifier.contains(entry[0], prereleases=True):
            problems.append(f"{requirement} but {lock_name} has {entry[0]}")
    return problems


def test_each_lock_holds_what_pyproject_and_the_in_files_ask_for():
    inputs = lock.inputs(BACKEND)
    runtime = _pins(inputs["dependencies"])
    dev_tools = _pins(inputs["optional-dependencies"]["dev"] + inputs["requirements-dev.in"])
    build_tools = _pins(inputs["build-system"] + inputs["requirements-build.in"])
    problems = (
        _check_pins("requirements.txt", runtime)
        + _check_pins("requirements-dev.txt", runtime + dev_tools)
        + _check_pins("requirements-build.txt", build_tools)
    )
    assert not problems, "; ".join(problems) + f". {REFRESH}"


def test_the_dev_lock_keeps_the_production_pins():
    production = locked(BACKEND / "requirements.txt")
    development = locked(BACKEND / "requirements-dev.txt")
    differ = [
        f"{name} {version} (prod) / {development.get(name, ('missing',))[0]} (dev)"
        for name, (version, _, _) in production.items()
        if development.get(name, ("",))[0] != version
    ]
    assert not differ, f"the dev image would test other versions: {', '.join(differ)}. {REFRESH}"


def test_the_images_build_context_lets_every_lock_in():
    allowed = (BACKEND / ".dockerignore").read_text("utf-8").splitlines()
    assert [name for name in LOCKS if f"!{name}" not in allowed] == []


def _runs(dockerfile: str) -> list[str]:
    """Each RUN instruction of the Dockerfile, its continuation lines joined."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    return [line for line in joined.splitlines() if line.startswith("RUN ")]


def test_the_dockerfile_installs_only_from_the_locks_by_hash_and_wheels_only():
    runs = _runs((BACKEND / "Dockerfile").read_text("utf-8"))
    installs = [
        (run, part)
        for run in runs
        for part in re.split(r"&&", run)
        if re.search(r"\b(pip|uv pip) install\b", part)
    ]
    from_locks = [part for _, part in installs if " -r " in part]
    assert {re.search(r"-r (\S+)", part)[1] for part in from_locks} == set(LOCKS)
    for part in from_locks:
        assert "--require-hashes" in part, part
        assert "--no-build" in part or "--only-binary=:all:" in part, part
    for run, part in installs:
        if part in from_locks:
            # It downloads: the CA bundle of a TLS-intercepting proxy is given to it.
            assert "--mount=type=secret,id=extra_ca" in run, run
            assert re.search(r"export (SSL_CERT_FILE|PIP_CERT)=/run/secrets/extra_ca", run), run
        else:
            # Anything else installs only what the build made itself, offline.
            assert "--offline" in part and "--no-deps" in part, part


def test_uv_stays_out_of_both_images():
    dockerfile = (BACKEND / "Dockerfile").read_text("utf-8")
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    final = [stage for stage in stages if re.match(r"\S+ AS (dev|prod)\n", stage)]
    assert len(final) == 2
    for stage in final:
        commands = re.sub(r"#.*", "", stage)
        assert "/opt/build" not in commands and not re.search(r"\buv\b", commands), stage


# --- the check itself, on a copy --------------------------------------------------------------


@pytest.fixture
def backend_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "backend"
    copy.mkdir()
    for name in ("pyproject.toml", "requirements-dev.in", "requirements-build.in", *LOCKS):
        shutil.copy2(BACKEND / name, copy / name)
    return copy


def test_a_new_dependency_in_pyproject_makes_the_locks_stale(backend_copy):
    pyproject = backend_copy / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace('"redis==', '"humanize==4.15.0",\n    "redis=='),
        "utf-8",
    )
    assert lock.recorded_digest(backend_copy / "requirements.txt") != lock.digest(backend_copy)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"fastapi==0.163.2"', '"fastapi==0.163.3"'),  # another pin
        ('"psycopg==', '"psycopg[pool]=='),  # an extra added
        ('requires-python = ">=3.13"', 'requires-python = ">=3.14"'),
        ('"pytest==', '"pytest-xdist==3.8.0",\n    "pytest=='),  # a dev tool
        ('requires = ["setuptools==80.9.0"]', 'requires = ["setuptools==81.0.0"]'),
    ],
)
def test_any_change_to_what_is_locked_makes_the_locks_stale(backend_copy, old, new):
    pyproject = backend_copy / "pyproject.toml"
    text = pyproject.read_text("utf-8")
    assert old in text
    before = lock.digest(backend_copy)
    pyproject.write_text(text.replace(old, new), "utf-8")
    assert lock.digest(backend_copy) != before


def test_a_changed_in_file_makes_the_locks_stale(backend_copy):
    before = lock.digest(backend_copy)
    with (backend_copy / "requirements-dev.in").open("a", encoding="utf-8") as file:
        file.write("ipdb==0.13.13\n")
    assert lock.digest(backend_copy) != before


def test_comments_and_other_settings_leave_the_locks_fresh(backend_copy):
    before = lock.digest(backend_copy)
    pyproject = backend_copy / "pyproject.toml"
    text = pyproject.read_text("utf-8").replace("line-length = 100", "line-length = 99")
    pyproject.write_text("# a comment\n" + text, "utf-8")
    with (backend_copy / "requirements-dev.in").open("a", encoding="utf-8") as file:
        file.write("\n# only a comment\n")
    assert lock.digest(backend_copy) == before


def test_a_lock_without_its_header_has_no_recorded_digest(backend_copy):
    path = backend_copy / "requirements.txt"
    path.write_text(
        "".join(line for line in path.read_text("utf-8").splitlines(keepends=True)
                if not line.startswith(lock.DIGEST_PREFIX)),
        "utf-8",
    )
    assert lock.recorded_digest(path) is None


def test_a_hand_added_line_is_found_without_a_hash(backend_copy):
    path = backend_copy / "requirements.txt"
    path.write_text(path.read_text("utf-8") + "humanize==4.15.0\n", "utf-8")
    version, hashes, _ = locked(path)["humanize"]
    assert (version, hashes) == ("4.15.0", [])
