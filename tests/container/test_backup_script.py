"""docker/backup.sh and docker/restore.sh against the real production stack, run the way
cron runs them: from `/`, with nothing in the environment but HOME and a short PATH. A
dump is private (0600), named by its time, made as the configured role of the configured
database, kept N deep; a failure exits non-zero and leaves no file; a restore is one
transaction (a corrupt dump changes nothing)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_support import Project, copy_docker_dir, production_env_file, request, running

from papertrade_docs.measure.stack_timing import free_port

pytestmark = pytest.mark.container

# Not the defaults: a script that hard-codes `-U papertrade papertrade` fails here. The
# application's role (the database's owner); the superuser is the stack's `postgres`.
ROLE, DATABASE = "ledger_owner", "ledger"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    copy = copy_docker_dir(tmp_path_factory.mktemp("backup"))
    env_file = production_env_file(
        copy, {"HTTP_PORT": str(free_port()), "POSTGRES_APP_USER": ROLE, "POSTGRES_DB": DATABASE}
    )
    with running(Project(copy, "compose.prod.yaml", env_file=env_file)) as project:
        yield project


def cron_run(script: Path, *args: str, project: str) -> subprocess.CompletedProcess[str]:
    """The script as cron starts it: from /, no exported variables, cron's PATH plus the
    docker CLI's folder (what a crontab's PATH= line adds). The project name is the
    test's (a reader's comes from compose.prod.yaml)."""
    docker_dir = str(Path(shutil.which("docker") or "/usr/bin/docker").parent)
    env = {"HOME": os.environ.get("HOME", "/root"), "PATH": f"{docker_dir}:/usr/bin:/bin",
           "COMPOSE_PROJECT_NAME": project}
    return subprocess.run([str(script), *args], cwd="/", env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def backup(stack: Project, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cron_run(stack.directory / "backup.sh", str(folder), *args, project=stack.name)


def restore(stack: Project, dump: Path) -> subprocess.CompletedProcess[str]:
    return cron_run(stack.directory / "restore.sh", str(dump), project=stack.name)


def api(stack: Project) -> str:
    port = stack.container("frontend")["HostConfig"]["PortBindings"]["8080/tcp"][0]["HostPort"]
    return f"http://127.0.0.1:{port}/api/portfolios"


def names(stack: Project) -> set[str]:
    status, portfolios = request(api(stack))
    assert status == 200, portfolios
    return {p["name"] for p in portfolios}


def create(stack: Project, name: str) -> None:
    status, body = request(api(stack), {"name": name, "cash": "10.00"})
    assert status == 201, body


def test_a_cron_run_writes_a_private_dump_of_the_configured_database(stack, tmp_path):
    create(stack, "kept")
    folder = tmp_path / "backups"
    result = backup(stack, folder)
    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    assert dump.parent == folder and dump.name.startswith("papertrade-"), result.stdout
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format, compressed
    assert sorted(folder.iterdir()) == [dump]  # no temporary file left beside it

    create(stack, "after the backup")
    assert restore(stack, dump).returncode == 0
    assert names(stack) == {"kept"}


def test_retention_keeps_the_newest_dumps(stack, tmp_path):
    folder = tmp_path / "backups"
    written = []
    for _ in range(4):
        result = backup(stack, folder, "2")
        assert result.returncode == 0, result.stderr
        written.append(Path(result.stdout.strip()))
    assert len(set(written)) == 4
    assert sorted(folder.iterdir()) == written[-2:]


def test_a_failed_backup_exits_non_zero_and_leaves_no_file(stack, tmp_path):
    folder = tmp_path / "backups"
    result = cron_run(stack.directory / "backup.sh", str(folder), project=f"{stack.name}-down")
    assert result.returncode != 0
    assert "pg_dump failed" in result.stderr, result.stderr
    assert list(folder.iterdir()) == []


def test_a_folder_inside_the_repository_is_refused(stack):
    result = backup(stack, stack.directory / "backups")
    assert result.returncode != 0
    assert "inside the repository" in result.stderr, result.stderr
    assert not (stack.directory / "backups").exists()


# Every table of the database with its number of rows.
ROW_COUNTS = """SELECT table_name, (xpath('/row/n/text()', query_to_xml(
  format('SELECT count(*) AS n FROM %I', table_name), false, true, '')))[1]::text
FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"""


def row_counts(stack: Project) -> str:
    result = stack.run("exec", "-T", "db", "psql", "-U", ROLE, "-d", DATABASE, "-Atc", ROW_COUNTS)
    return result.stdout


def test_a_corrupt_dump_restores_nothing(stack, tmp_path):
    create(stack, "before the corrupt restore")
    portfolio = max(p["id"] for p in request(api(stack))[1])
    status, trade = request(f"{api(stack)}/{portfolio}/trades",
                            {"side": "buy", "symbol": "ACME", "quantity": 1, "price": "1.00"})
    assert status == 201, trade
    result = backup(stack, tmp_path / "backups")
    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    before = row_counts(stack)
    assert "\ntrades|0" not in before, before  # the dump's last data: rows to lose
    # Cut inside the last table's data: pg_restore has dropped and recreated tables by
    # the time it fails, so only the single transaction keeps the data.
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(dump.read_bytes()[:-20])

    failed = restore(stack, truncated)
    assert failed.returncode != 0
    assert "the database is as it was before" in failed.stderr, failed.stderr
    assert row_counts(stack) == before
