"""Finding and reading the versioned SQL migrations (parsing only; migrate.py applies them).

A migration is a file named like ``0001_create_portfolios.sql``; versions start at 1 and
have no gaps, so the order is never in doubt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
EXAMPLE = "0001_create_portfolios.sql"


class MigrationError(ValueError):
    """The migrations on disk, or the ones recorded in the database, cannot be applied."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    source: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def bundled_migrations() -> list[Migration]:
    """The migrations shipped inside the papertrade package."""
    return load_migrations(files("papertrade") / "sql")


def load_migrations(directory: Traversable) -> list[Migration]:
    migrations = [read_migration(entry) for entry in directory.iterdir() if is_sql(entry)]
    migrations.sort(key=lambda migration: migration.version)
    check_sequence(migrations)
    return migrations


def is_sql(entry: Traversable) -> bool:
    return entry.is_file() and entry.name.endswith(".sql")


def read_migration(entry: Traversable) -> Migration:
    match = FILE_NAME.match(entry.name)
    if match is None:
        raise MigrationError(f"{entry}: migration files are named like {EXAMPLE}; rename it")
    sql = entry.read_text(encoding="utf-8")
    if not sql.strip():
        raise MigrationError(f"{entry}: the migration is empty; write its SQL or delete it")
    return Migration(int(match["version"]), match["name"], sql, str(entry))


def check_sequence(migrations: list[Migration]) -> None:
    for expected, migration in enumerate(migrations, start=1):
        if migration.version < expected:
            raise MigrationError(
                f"{migration.source}: version {migration.version:04d} is used twice; "
                "give each migration its own number"
            )
        if migration.version > expected:
            raise MigrationError(
                f"{migration.source}: version {expected:04d} is missing before it; "
                "number the migrations 0001, 0002, ... without gaps"
            )
