"""The production run's env file: fresh secrets, the rest as the example has it."""

from __future__ import annotations

from papertrade_docs.measure.throwaway_env import parse, with_fresh_secrets, write

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
