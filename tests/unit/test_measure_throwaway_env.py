"""The production run's env file: fresh secrets, the rest as the example has it; and
its password files, one per secret the Compose file reads from its secrets/ folder."""

from __future__ import annotations

import os
import re
import stat

from papertrade_docs.measure.throwaway_env import (
    CONTAINER_UID,
    parse,
    with_fresh_secrets,
    write,
    write_secret_files,
)

EXAMPLE = """\
# Secrets: replace every one.
POSTGRES_PASSWORD=change-me-db
REDIS_PASSWORD="change-me-cache"
DATABASE_URL=postgresql://papertrade:change-me-db@db:5432/papertrade
LOG_LEVEL=info  # or debug
HTTP_PORT=8080
"""


def test_the_example_is_read_with_quotes_and_comments_removed():
    assert parse(EXAMPLE) == {
        "POSTGRES_PASSWORD": "change-me-db",
        "REDIS_PASSWORD": "change-me-cache",
        "DATABASE_URL": "postgresql://papertrade:change-me-db@db:5432/papertrade",
        "LOG_LEVEL": "info",
        "HTTP_PORT": "8080",
    }


def test_secrets_are_fresh_and_used_wherever_the_placeholder_was():
    values = with_fresh_secrets(parse(EXAMPLE), {"HTTP_PORT": "18080"})
    password = values["POSTGRES_PASSWORD"]
    assert password != "change-me-db" and len(password) >= 32
    assert values["REDIS_PASSWORD"] not in (password, "change-me-cache")
    assert values["DATABASE_URL"] == f"postgresql://papertrade:{password}@db:5432/papertrade"
    assert values["LOG_LEVEL"] == "info"
    assert values["HTTP_PORT"] == "18080"


def test_two_runs_never_share_a_secret():
    first = with_fresh_secrets(parse(EXAMPLE), {})
    second = with_fresh_secrets(parse(EXAMPLE), {})
    assert first["POSTGRES_PASSWORD"] != second["POSTGRES_PASSWORD"]


def test_the_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / ".env.production"
    write(path, {"POSTGRES_PASSWORD": "x" * 32})
    assert path.stat().st_mode & 0o077 == 0
    assert parse(path.read_text()) == {"POSTGRES_PASSWORD": "x" * 32}


COMPOSE_WITH_SECRETS = """\
services: {}
secrets:
  extra_ca:
    file: ${EXTRA_CA_BUNDLE:-/dev/null}
  postgres_password:
    file: ./secrets/postgres_password
  redis_password:
    file: ./secrets/redis_password
"""


def test_each_password_file_of_the_compose_file_gets_a_fresh_private_password(tmp_path):
    (tmp_path / "compose.prod.yaml").write_text(COMPOSE_WITH_SECRETS)
    written = write_secret_files(tmp_path, "compose.prod.yaml")
    assert sorted(p.name for p in written) == ["postgres_password", "redis_password"]
    values = [p.read_text() for p in written]
    assert all(re.fullmatch(r"[0-9a-f]{48}\n", value) for value in values)
    assert values[0] != values[1]
    for path in written:
        info = path.stat()
        if os.getuid() in (0, CONTAINER_UID):
            # What the containers' user can read and nobody else.
            assert stat.S_IMODE(info.st_mode) == 0o600
            assert info.st_uid == CONTAINER_UID
