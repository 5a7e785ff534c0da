"""The labs' own build inputs, checked without Docker: the proxy installs only what its
hash lock pins, and the lock still holds what requirements.in asks for."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TLS_LAB = ROOT / "labs" / "tls-intercept"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.MULTILINE)


def requirements(path: Path) -> dict[str, str]:
    return {name.lower().replace("_", "-"): version for name, version in PIN.findall(
        path.read_text(encoding="utf-8"))}


def test_the_lock_pins_what_requirements_in_asks_for_with_hashes():
    asked = requirements(TLS_LAB / "requirements.in")
    locked = requirements(TLS_LAB / "requirements.txt")
    assert asked, "requirements.in names nothing"
    stale = {name: version for name, version in asked.items() if locked.get(name) != version}
    assert not stale, (
        f"labs/tls-intercept/requirements.txt does not pin {stale}: refresh it with the "
        "command at the top of requirements.in")
    entries = re.split(r"\n(?=\S)", (TLS_LAB / "requirements.txt").read_text(encoding="utf-8"))
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert unhashed == []


def test_the_proxy_installs_by_hash_and_wheels_only():
    dockerfile = (TLS_LAB / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes" in dockerfile and "--only-binary=:all:" in dockerfile
    assert "-r /opt/lab/requirements.txt" in dockerfile


def test_the_lab_publishes_nothing_and_runs_unprivileged():
    service = yaml.safe_load((TLS_LAB / "compose.yaml").read_text())["services"]["proxy"]
    assert "ports" not in service
    assert service["network_mode"] == "bridge"
    assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
    assert "USER 1000:1000" in (TLS_LAB / "Dockerfile").read_text(encoding="utf-8")
