"""Shared fixtures. Unit tests (tests/unit) need nothing running; integration tests
(tests/integration, marked `services`) use the PostgreSQL and Redis that DATABASE_URL and
REDIS_URL name, as inside the backend's dev container."""

from __future__ import annotations

import pytest

from papertrade.settings import Settings

SETTING_NAMES = [name.upper() for name in Settings.model_fields]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting in the environment, so each test sets exactly what it means to."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch
