"""The measurement's own plumbing: what it copies, the env file it makes, its summary."""

from __future__ import annotations

import json
import subprocess

import pytest
from sample_measurements import sample

from papertrade_docs.measure.cli import (
    copy_checkout,
    kept_sections,
    main,
    summary,
    write_production_env,
)
from papertrade_docs.measure.compose_builds import ComposeFileError


def test_the_copy_holds_what_a_fresh_clone_holds(tmp_path):
    source = tmp_path / "repo" / "docker"
    (source / "frontend" / "node_modules").mkdir(parents=True)
    (source / "frontend" / "node_modules" / "dep.js").write_text("")
    (source / "frontend" / "main.ts").write_text("export {};\n")
    (source / ".env").write_text("POSTGRES_PASSWORD=mine\n")
    (source / "compose.yaml").write_text("services: {}\n")
    (tmp_path / "repo" / ".gitignore").write_text("node_modules/\n.env\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path / "repo", check=True)
    copy = tmp_path / "copy" / "docker"
    copy_checkout(source, copy)
    copied = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert copied == ["compose.yaml", "frontend/main.ts"]


def test_the_production_env_file_has_fresh_secrets_and_the_chosen_port(tmp_path):
    (tmp_path / ".env.production.example").write_text("POSTGRES_PASSWORD=\nHTTP_PORT=8080\n")
    (tmp_path / "compose.prod.yaml").write_text(
        "secrets:\n  redis_password:\n    file: ./secrets/redis_password\n"
    )
    path = write_production_env(tmp_path, {"HTTP_PORT": "18080"})
    text = path.read_text()
    assert "HTTP_PORT=18080\n" in text
    assert "POSTGRES_PASSWORD=\n" not in text
    # And the password files the Compose file mounts.
    assert len((tmp_path / "secrets" / "redis_password").read_text().strip()) == 48


def test_without_the_production_example_the_error_names_it(tmp_path):
    with pytest.raises(ComposeFileError, match=r"\.env\.production\.example is missing"):
        write_production_env(tmp_path, {})


def test_the_summary_shows_each_image_against_its_budget():
    lines = summary(sample()).splitlines()
    assert lines[0].split()[:2] == ["backend-prod", "74"]
    assert lines[0].endswith("OVER budget (55 MB)")  # the sample's 74 MB
    assert lines[1].endswith("within budget (250 MB)")
    assert "built in   61.2 s cold,  0.84 s warm" in lines[0]
    assert "dev_ready_seconds" in lines[6] and lines[6].endswith("12.3 s")


def test_zero_tries_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--tries", "0"])
    assert exit_.value.code == 2
    assert "--tries must be at least 1" in capsys.readouterr().err


def test_the_build_cache_switch_is_refused_with_the_reason(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--use-build-cache"])
    assert exit_.value.code == 2
    assert "every run builds each image cold, then warm" in capsys.readouterr().err


def test_a_new_measurement_keeps_the_installer_comparison(tmp_path):
    path = tmp_path / "measurements.json"
    assert kept_sections(path) == {}
    path.write_text(json.dumps(sample()))
    assert kept_sections(path) == {"installers": sample()["installers"]}
    path.write_text("{ broken")
    assert kept_sections(path) == {}
