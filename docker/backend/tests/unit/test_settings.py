import pytest

from papertrade.settings import Settings, SettingsError, load_settings


def test_defaults_suit_the_development_stack(clean_environment):
    settings = load_settings()
    assert settings.database_url == "postgresql://papertrade:papertrade@db:5432/papertrade"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.log_level == "info"
    assert settings.cors_origins == ["http://localhost:5173", "http://127.0.0.1:5173"]
    assert settings.idempotency_ttl_seconds == 86400
    assert settings.app_env == "development"
    assert settings.trusted_proxy == ""


def test_every_setting_is_read_from_its_upper_case_variable(clean_environment):
    clean_environment.setenv("DATABASE_URL", "postgresql://u:p@elsewhere:5433/books")
    clean_environment.setenv("REDIS_URL", "redis://:pw@other:6380/2")
    clean_environment.setenv("LOG_LEVEL", "DEBUG")
    clean_environment.setenv("CORS_ORIGINS", "https://a.example, https://b.example,")
    clean_environment.setenv("IDEMPOTENCY_TTL_SECONDS", "60")
    clean_environment.setenv("APP_ENV", "Production")
    clean_environment.setenv("TRUSTED_PROXY", "frontend")
    settings = load_settings()
    assert settings.database_url == "postgresql://u:p@elsewhere:5433/books"
    assert settings.redis_url == "redis://:pw@other:6380/2"
    assert settings.log_level == "debug"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.idempotency_ttl_seconds == 60
    assert settings.app_env == "production"
    assert settings.trusted_proxy == "frontend"


def test_empty_cors_origins_allow_none(clean_environment):
    clean_environment.setenv("CORS_ORIGINS", "")
    assert load_settings().cors_origins == []


def test_every_setting_is_described_for_the_reference():
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, name


def test_production_refuses_to_start_without_its_services(clean_environment):
    clean_environment.setenv("APP_ENV", "production")
    clean_environment.setenv("REDIS_URL", "redis://cache:6379/0")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value) == "APP_ENV=production needs DATABASE_URL set explicitly"


def test_a_bad_value_is_one_line_naming_the_variable_without_its_password(clean_environment):
    clean_environment.setenv("DATABASE_URL", "mysql://admin:hunter2@db/papertrade")
    clean_environment.setenv("IDEMPOTENCY_TTL_SECONDS", "0")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    assert "\n" not in message
    assert "DATABASE_URL: must start with postgresql://" in message
    assert "IDEMPOTENCY_TTL_SECONDS: Input should be greater than 0" in message
    assert "hunter2" not in message
    assert "mysql://admin:***@db/papertrade" in message


def test_an_unknown_log_level_names_the_choices(clean_environment):
    clean_environment.setenv("LOG_LEVEL", "verbose")
    with pytest.raises(SettingsError, match=r"LOG_LEVEL: .*'debug'"):
        load_settings()


# --- Passwords from files (Compose secrets) -----------------------------------------------


def secret_file(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_passwords_are_read_from_the_files_the_settings_name(clean_environment, tmp_path):
    clean_environment.setenv("DATABASE_URL", "postgresql://papertrade@db:5432/papertrade")
    clean_environment.setenv(
        "DATABASE_PASSWORD_FILE", str(secret_file(tmp_path, "db", "s3cret-db\n"))
    )
    clean_environment.setenv("REDIS_URL", "redis://cache:6379/0")
    clean_environment.setenv(
        "REDIS_PASSWORD_FILE", str(secret_file(tmp_path, "cache", "s3cret-cache\r\n"))
    )
    settings = load_settings()
    assert settings.database_password == "s3cret-db"
    assert settings.redis_password == "s3cret-cache"
    # The URLs stay without the password, so nothing that shows a URL can show it.
    assert "s3cret" not in settings.database_url + settings.redis_url
    assert "s3cret" not in repr(settings)


def test_without_password_files_the_urls_carry_the_passwords(clean_environment):
    settings = load_settings()
    assert settings.database_password is None
    assert settings.redis_password is None


def test_a_missing_password_file_is_one_line_saying_what_to_do(clean_environment, tmp_path):
    missing = tmp_path / "postgres_app_password"
    clean_environment.setenv("DATABASE_URL", "postgresql://papertrade@db:5432/papertrade")
    clean_environment.setenv("DATABASE_PASSWORD_FILE", str(missing))
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value) == (
        f"DATABASE_PASSWORD_FILE: {missing} does not exist; mount the password file there "
        "(a Compose secret) or unset the variable"
    )


def test_an_unreadable_password_file_names_the_uid_that_must_read_it(
    clean_environment, tmp_path, monkeypatch
):
    path = secret_file(tmp_path, "redis_password", "pw\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    # A file mode would not do: the tests may run as root, who reads any file.
    monkeypatch.setattr(type(path), "read_text", refuse)
    clean_environment.setenv("REDIS_PASSWORD_FILE", str(path))
    with pytest.raises(SettingsError, match=r"^REDIS_PASSWORD_FILE: .* is not readable by uid \d+"):
        load_settings()


@pytest.mark.parametrize("text", ["", "\n", "first\nsecond\n"])
def test_an_empty_or_multi_line_password_file_is_refused(clean_environment, tmp_path, text):
    clean_environment.setenv("REDIS_PASSWORD_FILE", str(secret_file(tmp_path, "pw", text)))
    refusal = r"^REDIS_PASSWORD_FILE: .* (is empty|more than one line)"
    with pytest.raises(SettingsError, match=refusal):
        load_settings()


def test_a_password_in_both_the_url_and_a_file_is_refused(clean_environment, tmp_path):
    clean_environment.setenv("DATABASE_URL", "postgresql://u:inline@db/papertrade")
    clean_environment.setenv("DATABASE_PASSWORD_FILE", str(secret_file(tmp_path, "pw", "x")))
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "DATABASE_URL carries a password and DATABASE_PASSWORD_FILE names another" in str(
        refused.value
    )
    assert "inline" not in str(refused.value)
