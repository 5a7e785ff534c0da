import pytest

from papertrade.migrations import MigrationError, bundled_migrations, load_migrations


def test_bundled_migrations_are_numbered_from_one_without_gaps():
    migrations = bundled_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].label == "0001_create_portfolios"
    assert all("CREATE TABLE" in m.sql for m in migrations)


def test_files_are_ordered_by_version_not_by_listing(tmp_path):
    (tmp_path / "0002_second.sql").write_text("SELECT 2;")
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    (tmp_path / "README.md").write_text("not a migration")
    assert [m.label for m in load_migrations(tmp_path)] == ["0001_first", "0002_second"]


def test_a_badly_named_file_is_named_in_the_error(tmp_path):
    (tmp_path / "1_first.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"1_first\.sql: migration files are named like"):
        load_migrations(tmp_path)


def test_a_gap_in_the_versions_is_refused(tmp_path):
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    (tmp_path / "0003_third.sql").write_text("SELECT 3;")
    with pytest.raises(MigrationError, match=r"0003_third\.sql: version 0002 is missing"):
        load_migrations(tmp_path)


def test_a_version_used_twice_is_refused(tmp_path):
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    (tmp_path / "0001_other.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"version 0001 is used twice"):
        load_migrations(tmp_path)


def test_an_empty_migration_is_refused(tmp_path):
    (tmp_path / "0001_first.sql").write_text("  \n")
    with pytest.raises(MigrationError, match=r"0001_first\.sql: the migration is empty"):
        load_migrations(tmp_path)
