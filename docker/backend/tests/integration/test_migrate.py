import asyncio
import os
import subprocess
import sys

import psycopg
import pytest

from papertrade.migrate import DatabaseUnreachable, upgrade
from papertrade.migrations import MigrationError, bundled_migrations, load_migrations

pytestmark = [pytest.mark.services, pytest.mark.anyio]


def recorded(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        ).fetchall()


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {name for (name,) in rows}


async def test_migrations_are_applied_in_order_and_recorded(empty_database_url):
    applied = await upgrade(empty_database_url)
    assert applied == bundled_migrations()
    assert recorded(empty_database_url) == [(m.version, m.name) for m in bundled_migrations()]
    assert {"portfolios", "trades", "positions", "schema_migrations"} <= tables(empty_database_url)
    assert await upgrade(empty_database_url) == []


async def test_concurrent_runs_take_turns_and_apply_each_migration_once(empty_database_url):
    runs = await asyncio.gather(*(upgrade(empty_database_url) for _ in range(4)))
    assert sorted(len(applied) for applied in runs) == [0, 0, 0, len(bundled_migrations())]
    assert len(recorded(empty_database_url)) == len(bundled_migrations())


async def test_a_failing_migration_leaves_nothing_half_done(empty_database_url, tmp_path):
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE first (id int);")
    (tmp_path / "0002_broken.sql").write_text(
        "CREATE TABLE second (id int);\nCREATE TABLE oops (id nosuchtype);"
    )
    with pytest.raises(psycopg.errors.UndefinedObject, match="nosuchtype"):
        await upgrade(empty_database_url, load_migrations(tmp_path))
    assert recorded(empty_database_url) == [(1, "first")]
    assert tables(empty_database_url) == {"first", "schema_migrations"}


async def test_a_database_newer_than_the_code_is_refused(empty_database_url, tmp_path):
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    (tmp_path / "0002_second.sql").write_text("SELECT 2;")
    await upgrade(empty_database_url, load_migrations(tmp_path))
    (tmp_path / "0002_second.sql").unlink()
    with pytest.raises(MigrationError, match="has migration 0002_second, which this code does not"):
        await upgrade(empty_database_url, load_migrations(tmp_path))


async def test_renaming_an_applied_migration_is_refused(empty_database_url, tmp_path):
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    await upgrade(empty_database_url, load_migrations(tmp_path))
    (tmp_path / "0001_first.sql").rename(tmp_path / "0001_renamed.sql")
    with pytest.raises(MigrationError, match="applied version 0001 as 'first'"):
        await upgrade(empty_database_url, load_migrations(tmp_path))


async def test_an_unreachable_database_is_one_clear_error_without_the_password():
    with pytest.raises(DatabaseUnreachable) as error:
        await upgrade("postgresql://trader:s3cret@127.0.0.1:1/none", wait_seconds=0)
    assert "cannot reach PostgreSQL at postgresql://trader:***@127.0.0.1:1/none" in str(error.value)
    assert "s3cret" not in str(error.value)


def run_cli(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "papertrade.migrate", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_applies_then_reports_up_to_date(empty_database_url):
    first = run_cli(empty_database_url)
    assert first.returncode == 0, first.stderr
    assert "applied migration 0001_create_portfolios" in first.stderr
    second = run_cli(empty_database_url)
    assert second.returncode == 0
    assert second.stdout.strip() == f"schema is up to date at {bundled_migrations()[-1].label}"


def test_the_command_line_fails_in_one_line_when_the_database_is_unreachable():
    result = run_cli("postgresql://trader@127.0.0.1:1/none", "--wait", "0")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("papertrade.migrate: cannot reach PostgreSQL at")
