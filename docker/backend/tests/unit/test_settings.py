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
