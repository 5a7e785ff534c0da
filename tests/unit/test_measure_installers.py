"""The pip-and-uv comparison's plumbing, no engine needed: the build it runs mirrors the
production Dockerfile's policy, the Compose file it writes, and how it reads the times."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sample_measurements import sample

from papertrade_docs.measure import installers
from papertrade_docs.measure.installers import (
    DOCKERFILE,
    InstallersError,
    compose_document,
    count_packages,
    step_seconds,
    summary,
)

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "docker" / "backend" / "Dockerfile"

PLAIN = """\
#0 building with "default" instance using docker driver
#4 [pip common 1/3] FROM docker.io/papertrade-measure/installers-base:abc
#4 DONE 0.0s
#7 [pip common 3/3] COPY requirements.txt requirements-build.txt ./
#7 DONE 0.0s
#8 [pip pip 1/2] RUN python3 -m venv /opt/venv
#9 [pip pip 2/2] RUN --mount=type=secret,id=extra_ca     if [ -s x ]; then ...
#8 DONE 2.3s
#9 0.445 Collecting annotated-doc==0.0.7 (from -r requirements.txt (line 6))
#9 DONE 12.4s
#10 [pip] exporting to image
#10 DONE 0.1s
"""


def _run_lines(text: str) -> list[str]:
    """The RUN instructions of a Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    return [line for line in joined.splitlines() if line.startswith("RUN ")]


def test_the_steps_are_read_from_plain_progress_in_dockerfile_order():
    assert step_seconds(PLAIN, "pip", ("venv", "lock")) == {"venv": 2.3, "lock": 12.4}


def test_steps_of_another_stage_are_not_counted_and_a_mismatch_is_named():
    with pytest.raises(InstallersError, match=r"uv: expected 2 timed RUN steps.*found 0"):
        step_seconds(PLAIN, "uv", ("tool", "lock"))


def test_a_build_without_compose_prefix_reads_the_same():
    text = PLAIN.replace("[pip pip ", "[pip ")
    assert step_seconds(text, "pip", ("venv", "lock")) == {"venv": 2.3, "lock": 12.4}


def test_the_packages_of_a_lock_are_counted_without_hashes_or_comments():
    lock = "# header\nfastapi==0.1 \\\n    --hash=sha256:aa\n    # via x\nh11==0.16.0 \\\n"
    assert count_packages(lock) == 2


def test_the_comparison_builds_from_the_backend_context_with_the_ca_secret(monkeypatch):
    monkeypatch.setenv("EXTRA_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    tags = {name: f"papertrade-measure/installers-{name}:t" for name in ("base", "pip", "uv")}
    document = compose_document(ROOT / "docker" / "backend", tags, "t")
    base = document["services"]["base"]["build"]
    assert base == {"context": str(ROOT / "docker" / "backend"), "target": "python"}
    for name in ("pip", "uv"):
        build = document["services"][name]["build"]
        assert build["dockerfile"] == str(DOCKERFILE)
        assert build["target"] == name
        assert build["args"] == {"BASE": tags["base"]}
        assert build["secrets"] == ["extra_ca"]
    assert document["secrets"] == {"extra_ca": {"file": "/etc/ssl/certs/ca-certificates.crt"}}
    monkeypatch.delenv("EXTRA_CA_BUNDLE")
    assert compose_document(ROOT, tags, "t")["secrets"]["extra_ca"]["file"] == "/dev/null"


def test_the_base_stage_exists_in_the_production_dockerfile():
    assert re.search(rf"^FROM \S+ AS {installers.BASE_TARGET}$", PRODUCTION.read_text(), re.M)


def test_each_installer_keeps_the_production_policy():
    runs = _run_lines(DOCKERFILE.read_text())
    pip_lock = next(r for r in runs if "/opt/venv/bin/pip install" in r)
    uv_lock = next(r for r in runs if "uv pip install" in r)
    uv_tool = next(r for r in runs if "requirements-build.txt" in r)
    for command in (pip_lock, uv_tool):
        assert "--require-hashes" in command and "--only-binary=:all:" in command
        assert "--mount=type=secret,id=extra_ca" in command and "PIP_CERT" in command
    assert "-r requirements.txt" in pip_lock and "-r requirements.txt" in uv_lock
    assert "--require-hashes" in uv_lock and "--no-build" in uv_lock
    assert "SSL_CERT_FILE=/run/secrets/extra_ca" in uv_lock
    # The same wheels-only flags and the same uv install as the production stage.
    production = " ".join(_run_lines(PRODUCTION.read_text()))
    assert "--require-hashes --only-binary=:all: --no-deps" in production
    assert "uv pip install --require-hashes --no-deps --no-build -r requirements.txt" in production
    assert "uv pip install --require-hashes --no-deps --no-build -r requirements.txt" in uv_lock


def test_the_environment_matches_the_production_builder():
    def env(text: str) -> set[str]:
        joined = re.sub(r"\\\n", " ", text)
        blocks = [line.removeprefix("ENV ") for line in joined.splitlines()
                  if line.startswith("ENV ") and "UV_NO_CACHE" in line]
        return {pair for pair in blocks[0].split() if "=" in pair and "PATH" not in pair}

    assert env(DOCKERFILE.read_text()) == env(PRODUCTION.read_text())


def test_the_summary_names_each_installer_with_its_steps():
    lines = summary(sample()["installers"]).splitlines()
    assert lines[0].split()[:2] == ["pip", "25.1.1"]
    assert "venv 2.2 s, lock 6.8 s" in lines[0]
    assert "tool 3.1 s, lock 1.5 s" in lines[1]


def test_without_a_data_file_nothing_is_built(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(installers, "compare", lambda *_: pytest.fail("must not build"))
    assert installers.main(tmp_path, 1) == 1
    assert "run `make measure` first" in capsys.readouterr().err
