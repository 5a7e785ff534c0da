"""The application's settings, read from the environment.

Each field is one environment variable: its name upper-cased (``database_url`` is
``DATABASE_URL``). The descriptions are the text of the docs' environment reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from papertrade.secret_files import read_secret
from papertrade.urls import redact

# Production must be told where its services are: these defaults only suit development.
REQUIRED_IN_PRODUCTION = ("database_url", "redis_url")


class SettingsError(ValueError):
    """The environment holds a setting the application cannot use."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: str = Field(
        default="postgresql://papertrade:papertrade@db:5432/papertrade",
        description=(
            "PostgreSQL connection URL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE). "
            "Required when APP_ENV=production."
        ),
    )
    redis_url: str = Field(
        default="redis://cache:6379/0",
        description=(
            "Redis connection URL (redis://[:PASSWORD@]HOST:PORT/DB), a cache of idempotent "
            "replies. Required when APP_ENV=production."
        ),
    )
    database_password_file: Path | None = Field(
        default=None,
        description=(
            "File holding the password of DATABASE_URL's role (a Compose secret under "
            "/run/secrets/), for a DATABASE_URL without a password: the password then "
            "never appears in the environment."
        ),
    )
    redis_password_file: Path | None = Field(
        default=None,
        description=(
            "File holding the Redis password (a Compose secret under /run/secrets/), for a "
            "REDIS_URL without a password: the password then never appears in the environment."
        ),
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        default="info",
        description="Log level of the application (and of uvicorn in the production image): "
        "critical, error, warning, info or debug.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["http://localhost:5173", "http://127.0.0.1:5173"],
        description="Comma-separated origins allowed to call the API from a browser "
        "(the Vite dev server); empty allows none.",
    )
    idempotency_ttl_seconds: int = Field(
        default=86400,
        gt=0,
        description="How long, in seconds, a response is kept for replay under its "
        "Idempotency-Key header.",
    )
    trusted_proxy: str = Field(
        default="",
        description="Host name of the reverse proxy (nginx) whose X-Forwarded-For and "
        "X-Forwarded-Proto the production server believes, looked up again when its "
        "address changes; empty believes nobody's.",
    )
    app_env: Literal["development", "test", "production"] = Field(
        default="development",
        description="Deployment environment: development, test or production; production "
        "refuses to start without DATABASE_URL and REDIS_URL.",
    )

    # Read from the *_FILE settings once, at start-up, so a missing file stops the app
    # with one line instead of failing the first connection.
    _database_password: SecretStr | None = PrivateAttr(default=None)
    _redis_password: SecretStr | None = PrivateAttr(default=None)

    @property
    def database_password(self) -> str | None:
        """The password from DATABASE_PASSWORD_FILE; None when the URL carries its own."""
        return self._database_password.get_secret_value() if self._database_password else None

    @property
    def redis_password(self) -> str | None:
        """The password from REDIS_PASSWORD_FILE; None when the URL carries its own."""
        return self._redis_password.get_secret_value() if self._redis_password else None

    @field_validator("log_level", "app_env", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _postgresql_url(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _read_password_files(self) -> Settings:
        for url_name, file_name in (
            ("database_url", "database_password_file"),
            ("redis_url", "redis_password_file"),
        ):
            path = getattr(self, file_name)
            if path is None:
                continue
            if _has_password(getattr(self, url_name)):
                raise ValueError(
                    f"{url_name.upper()} carries a password and {file_name.upper()} names "
                    "another; give the password in one of them only"
                )
            secret = SecretStr(read_secret(path, file_name.upper()))
            setattr(self, f"_{file_name.removesuffix('_file')}", secret)
        return self

    @model_validator(mode="after")
    def _production_is_configured(self) -> Settings:
        if self.app_env == "production":
            missing = [name for name in REQUIRED_IN_PRODUCTION if name not in self.model_fields_set]
            if missing:
                names = " and ".join(name.upper() for name in missing)
                raise ValueError(f"APP_ENV=production needs {names} set explicitly")
        return self


def _has_password(url: str) -> bool:
    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one line per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe(error)) from None


def describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors():
        names = [str(part).upper() for part in detail["loc"]]
        message = detail["msg"].removeprefix("Value error, ")
        if names:
            shown = detail["input"]
            if isinstance(shown, str):
                shown = redact(shown)
            problems.append(f"{'.'.join(names)}: {message} (got {shown!r})")
        else:
            problems.append(message)
    return "; ".join(problems)
