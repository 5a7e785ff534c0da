"""The db and cache images, `scratch` with only the servers, their tools and bash: they
keep what the official images' entry points do and what the pages use, locked down as in
production (read-only root file system, no capabilities, uid 1000): initialisation from
the POSTGRES_* variables and /docker-entrypoint-initdb.d, time zones, the C.UTF-8 locale,
a user that tools can look up, psql, pg_dump and pg_restore; Redis with its password,
redis-cli and the health check."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_support import DOCKER_DIR, Project, running

pytestmark = pytest.mark.container

INIT_SQL = "CREATE TABLE init_check (n integer);\n"
# Init scripts run with bash, the POSTGRES_* variables set and a server on the socket.
INIT_SH = """#!/bin/bash
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \\
  -c "INSERT INTO init_check VALUES (42)"
"""
LOCKED_DOWN = {
    "read_only": True,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges:true"],
    "init": True,
}


def compose_file(directory: Path) -> dict:
    return {
        "services": {
            "db": {
                **LOCKED_DOWN,
                "image": "papertrade/db:17",
                "build": str(DOCKER_DIR / "db"),
                "environment": {
                    "POSTGRES_USER": "trader",
                    "POSTGRES_PASSWORD": "data-images-test",
                    "POSTGRES_DB": "ledger",
                    "TZ": "Europe/Paris",
                },
                "volumes": [f"{directory / 'initdb'}:/docker-entrypoint-initdb.d:ro"],
                "tmpfs": [
                    "/var/lib/postgresql/data:uid=1000,gid=1000,mode=0700",
                    "/var/run/postgresql",
                    "/tmp",
                ],
            },
            "cache": {
                **LOCKED_DOWN,
                "image": "papertrade/cache:8",
                "build": str(DOCKER_DIR / "cache"),
                "environment": {"REDIS_PASSWORD": "data-images-test"},
            },
        }
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    directory = tmp_path_factory.mktemp("data-images")
    (directory / "initdb").mkdir()
    (directory / "initdb" / "01-table.sql").write_text(INIT_SQL)
    (directory / "initdb" / "02-row.sh").write_text(INIT_SH)
    for script in (directory / "initdb").iterdir():
        script.chmod(0o644)
    (directory / "compose.yaml").write_text(json.dumps(compose_file(directory)))
    with running(Project(directory, "compose.yaml")) as project:
        yield project


def exec_in(stack: Project, service: str, *command: str, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(
        stack.command("exec", "-T", service, *command),
        cwd=stack.directory, env=stack.environment(), input=stdin,
        capture_output=True, timeout=120, check=False,
    )
    assert result.returncode == 0, f"{command} exited {result.returncode}: {result.stderr!r}"
    return result.stdout


def psql(stack: Project, sql: str, database: str = "ledger") -> str:
    out = exec_in(stack, "db", "psql", "-U", "trader", "-d", database, "-v", "ON_ERROR_STOP=1",
                  "-tAc", sql)
    return out.decode().strip()


def test_the_database_is_initialised_from_the_variables_and_the_init_scripts(stack):
    assert psql(stack, "SELECT current_user, current_database()") == "trader|ledger"
    assert psql(stack, "SELECT n FROM init_check") == "42"


def test_time_zones_and_the_c_utf8_locale_work(stack):
    assert psql(stack, "SHOW timezone") == "Europe/Paris"
    assert psql(stack, "SELECT to_char(timestamptz '2026-01-01 12:00:00+00' "
                       "AT TIME ZONE 'America/New_York', 'HH24')") == "07"
    assert psql(stack, "SELECT datcollate, datctype FROM pg_database "
                       "WHERE datname = 'ledger'") == "C.UTF-8|C.UTF-8"
    assert psql(stack, "SELECT upper('été') COLLATE \"C.utf8\"") == "ÉTÉ"


def test_the_user_is_known_by_name(stack):
    assert exec_in(stack, "db", "id", "-un").decode().strip() == "postgres"
    assert exec_in(stack, "cache", "bash", "-c", "echo ~redis").decode().strip() == "/data"


def test_a_custom_format_dump_restores_in_one_transaction(stack):
    dump = exec_in(stack, "db", "pg_dump", "-Fc", "-U", "trader", "ledger")
    psql(stack, "CREATE DATABASE restored")
    exec_in(stack, "db", "pg_restore", "--single-transaction", "-U", "trader",
            "-d", "restored", stdin=dump)
    assert psql(stack, "SELECT n FROM init_check", database="restored") == "42"


def test_nothing_of_debian_s_userland_but_the_tools(stack):
    for path in ("/usr/bin/apt-get", "/usr/bin/dpkg", "/usr/bin/perl", "/usr/bin/ls"):
        exec_in(stack, "db", "bash", "-c", f"test ! -e {path}")
        exec_in(stack, "cache", "bash", "-c", f"test ! -e {path}")


def test_redis_answers_with_its_password_only(stack):
    authed = exec_in(stack, "cache", "bash", "-c",
                     "REDISCLI_AUTH=$REDIS_PASSWORD redis-cli SET data-images ok "
                     "&& REDISCLI_AUTH=$REDIS_PASSWORD redis-cli GET data-images")
    assert authed.decode().split() == ["OK", "ok"]
    assert b"NOAUTH" in exec_in(stack, "cache", "redis-cli", "GET", "data-images")
    exec_in(stack, "cache", "cache-healthcheck")
