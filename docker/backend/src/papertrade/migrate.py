"""Applying the schema migrations, in order, once each, under a PostgreSQL advisory lock.

The application runs this at start-up; ``python -m papertrade.migrate`` runs it alone.
The advisory lock makes concurrent starts (several replicas, a reload) take turns, so a
migration is never applied twice.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

import psycopg

from papertrade.migrations import Migration, MigrationError, bundled_migrations
from papertrade.settings import SettingsError, load_settings
from papertrade.urls import redact

log = logging.getLogger(__name__)

# Any constant works as long as nothing else in the database uses it; this one spells "ptmigr".
ADVISORY_LOCK_KEY = 0x70_74_6D_69_67_72
CONNECT_TIMEOUT_SECONDS = 5

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


class DatabaseUnreachable(RuntimeError):
    """PostgreSQL did not accept a connection before the deadline."""


async def connect(
    database_url: str, wait_seconds: float, password: str | None = None
) -> psycopg.AsyncConnection:
    """Connect, retrying until ``wait_seconds`` have passed (PostgreSQL may still be starting).
    ``password``, from a password file, is for a URL that carries none."""
    extra = {} if password is None else {"password": password}
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while True:
        try:
            return await psycopg.AsyncConnection.connect(
                database_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, **extra
            )
        except psycopg.OperationalError as error:
            if time.monotonic() + delay > deadline:
                reason = str(error).strip().splitlines()[0]
                raise DatabaseUnreachable(
                    f"cannot reach PostgreSQL at {redact(database_url)} ({reason}); "
                    "check DATABASE_URL and that the database is running"
                ) from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


async def upgrade(
    database_url: str,
    migrations: list[Migration] | None = None,
    wait_seconds: float = 30,
    password: str | None = None,
) -> list[Migration]:
    """Apply the migrations the database lacks; returns those applied, in order."""
    migrations = bundled_migrations() if migrations is None else migrations
    async with await connect(database_url, wait_seconds, password) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        try:
            await conn.execute(CREATE_LEDGER)
            cursor = await conn.execute("SELECT version, name FROM schema_migrations")
            recorded = dict(await cursor.fetchall())
            pending = pending_migrations(migrations, recorded)
            for migration in pending:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (migration.version, migration.name),
                    )
                log.info("applied migration %s", migration.label)
            return pending
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))


def pending_migrations(migrations: list[Migration], recorded: dict[int, str]) -> list[Migration]:
    """The migrations still to apply, after checking the database's record agrees with ours."""
    known = {migration.version: migration for migration in migrations}
    for version, name in sorted(recorded.items()):
        if version not in known:
            raise MigrationError(
                f"the database has migration {version:04d}_{name}, which this code does not "
                "ship; run a version of the application at least as new as the database"
            )
        if known[version].name != name:
            raise MigrationError(
                f"{known[version].source}: the database applied version {version:04d} as "
                f"{name!r}; an applied migration must not be renamed or replaced"
            )
    return [migration for migration in migrations if migration.version not in recorded]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m papertrade.migrate",
        description="Apply the schema migrations the database named by DATABASE_URL lacks.",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=30,
        metavar="SECONDS",
        help="how long to wait for PostgreSQL to accept connections (default 30)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = load_settings()
        applied = asyncio.run(
            upgrade(
                settings.database_url,
                wait_seconds=arguments.wait,
                password=settings.database_password,
            )
        )
    except (SettingsError, MigrationError, DatabaseUnreachable) as error:
        print(f"papertrade.migrate: {error}", file=sys.stderr)
        return 1
    if not applied:
        latest = bundled_migrations()[-1]
        print(f"schema is up to date at {latest.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
