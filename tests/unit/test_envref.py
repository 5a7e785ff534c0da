"""The environment reference catches every way the catalog and the stack can disagree."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from papertrade_docs.envref.catalog import CatalogError, load_catalog
from papertrade_docs.envref.check import find_problems
from papertrade_docs.envref.table import reference_table

CATALOG = """
variables:
  - name: POSTGRES_PASSWORD
    description: Password of the database user.
    default: papertrade
    required: production
    secret: true
  - name: LOG_LEVEL
    description: How much the backend logs.
    default: info
  - name: BACKEND_PORT
    description: Host port of the backend.
    default: "8000"
"""

COMPOSE_DEV = """
services:
  backend:
    ports: ["127.0.0.1:${BACKEND_PORT:-8000}:8000"]
    environment:
      LOG_LEVEL: ${LOG_LEVEL:-info}
  db:
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-papertrade}
"""

COMPOSE_PROD = """
services:
  backend:
    environment:
      LOG_LEVEL: ${LOG_LEVEL:-info}
  db:
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env.production}
"""

ENV_DEV = """
# Host port of the backend.
BACKEND_PORT=8000
# How much the backend logs.
LOG_LEVEL=info
# Password of the database user.
POSTGRES_PASSWORD=papertrade
"""

ENV_PROD = """
# How much the backend logs.
LOG_LEVEL=info
# Password of the database user (required).
POSTGRES_PASSWORD=
"""

SETTINGS = '''
from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    log_level: str = Field("info", description="How much the backend logs.")
'''


def make_tree(root: Path, **overrides: str) -> Path:
    files = {
        "docker/environment.yaml": CATALOG,
        "docker/compose.yaml": COMPOSE_DEV,
        "docker/compose.prod.yaml": COMPOSE_PROD,
        "docker/.env.example": ENV_DEV,
        "docker/.env.production.example": ENV_PROD,
        "docker/backend/src/papertrade/settings.py": SETTINGS,
    }
    files.update({k.replace("__", "/"): v for k, v in overrides.items()})
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_a_consistent_tree_has_no_problems(tmp_path):
    assert find_problems(make_tree(tmp_path)) == []


def test_a_variable_used_but_not_documented_is_reported_where_it_is_used(tmp_path):
    compose = COMPOSE_DEV + (
        "  cache:\n    environment:\n      REDIS_PASSWORD: ${REDIS_PASSWORD:-}\n"
    )
    problems = find_problems(make_tree(tmp_path, **{"docker/compose.yaml": compose}))
    assert any(
        p.startswith("docker/compose.yaml:12: REDIS_PASSWORD is used here but not documented")
        for p in problems
    ), problems


def test_a_documented_variable_nothing_uses_is_reported_at_the_catalog_line(tmp_path):
    catalog = CATALOG + "  - name: UNUSED_THING\n    description: Nothing reads this.\n"
    problems = find_problems(make_tree(tmp_path, **{"docker/environment.yaml": catalog}))
    assert problems == [
        "docker/environment.yaml:14: UNUSED_THING is documented but no Compose file or "
        "setting uses it: remove it, or use it"
    ]


def test_a_renamed_variable_is_caught_both_ways(tmp_path):
    compose = COMPOSE_DEV.replace("LOG_LEVEL", "BACKEND_LOG_LEVEL")
    compose_prod = COMPOSE_PROD.replace("LOG_LEVEL", "BACKEND_LOG_LEVEL")
    settings = SETTINGS.replace("log_level", "backend_log_level")
    root = make_tree(
        tmp_path,
        **{
            "docker/compose.yaml": compose,
            "docker/compose.prod.yaml": compose_prod,
            "docker/backend/src/papertrade/settings.py": settings,
        },
    )
    problems = "\n".join(find_problems(root))
    assert "BACKEND_LOG_LEVEL is used here but not documented" in problems
    assert "LOG_LEVEL is documented but no Compose file or setting uses it" in problems


def test_defaults_that_disagree_are_reported(tmp_path):
    compose = COMPOSE_DEV.replace("${LOG_LEVEL:-info}", "${LOG_LEVEL:-debug}")
    problems = find_problems(make_tree(tmp_path, **{"docker/compose.yaml": compose}))
    assert problems == [
        "docker/compose.yaml:6: LOG_LEVEL defaults to 'debug' here but to 'info' in "
        "docker/environment.yaml: make them agree"
    ]


def test_a_settings_default_that_disagrees_is_reported(tmp_path):
    settings = SETTINGS.replace('Field("info"', 'Field("warning"')
    problems = find_problems(
        make_tree(tmp_path, **{"docker/backend/src/papertrade/settings.py": settings})
    )
    assert len(problems) == 1
    assert problems[0].startswith("docker/backend/src/papertrade/settings.py:7: LOG_LEVEL")


def test_a_private_attribute_of_the_settings_is_no_variable(tmp_path):
    # pydantic never fills an underscore attribute from the environment.
    settings = SETTINGS + "    _password: str | None = PrivateAttr(default=None)\n"
    assert find_problems(
        make_tree(tmp_path, **{"docker/backend/src/papertrade/settings.py": settings})
    ) == []


def test_a_settable_variable_missing_from_the_example_is_reported(tmp_path):
    env = ENV_DEV.replace("# Host port of the backend.\nBACKEND_PORT=8000\n", "")
    problems = find_problems(make_tree(tmp_path, **{"docker/.env.example": env}))
    assert problems == [
        "docker/compose.yaml:4: BACKEND_PORT can be set but docker/.env.example does not "
        "list it: add it there with a one-line description"
    ]


def test_an_example_without_description_is_reported(tmp_path):
    env = ENV_DEV.replace("# How much the backend logs.\n", "")
    problems = find_problems(make_tree(tmp_path, **{"docker/.env.example": env}))
    assert problems == [
        "docker/.env.example:4: LOG_LEVEL has no description: add a one-line `# ...` "
        "comment above it"
    ]


def test_a_secret_with_a_value_in_the_production_example_is_reported(tmp_path):
    env = ENV_PROD.replace("POSTGRES_PASSWORD=", "POSTGRES_PASSWORD=hunter2")
    problems = find_problems(make_tree(tmp_path, **{"docker/.env.production.example": env}))
    assert len(problems) == 1 and "is a secret: leave its value empty" in problems[0]


def test_a_required_secret_that_production_does_not_require_is_reported(tmp_path):
    compose = COMPOSE_PROD.replace(
        "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env.production}", "${POSTGRES_PASSWORD}"
    )
    problems = find_problems(make_tree(tmp_path, **{"docker/compose.prod.yaml": compose}))
    assert problems == [
        "docker/environment.yaml:3: POSTGRES_PASSWORD is documented as required but "
        "docker/compose.prod.yaml never writes it as ${POSTGRES_PASSWORD:?message}"
    ]


@pytest.mark.parametrize(
    ("catalog", "message"),
    [
        ("variables:\n  - name: X\n", "docker/environment.yaml:2: a variable needs a name"),
        ("variables:\n  - {name: X, description: d, colour: red}\n", "unknown key 'colour'"),
        ("variables:\n  - {name: X, description: d, required: maybe}\n", "required must be"),
        ("variables:\n  - {name: X, description: d}\n  - {name: X, description: d}\n",
         "docker/environment.yaml:3: X is listed twice"),
        ("vars: []\n", "expected a top-level 'variables:' list"),
    ],
)
def test_a_malformed_catalog_is_refused_with_its_line(tmp_path, catalog, message):
    make_tree(tmp_path, **{"docker/environment.yaml": catalog})
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace("$", r"\$")):
        load_catalog(tmp_path)


def test_the_table_lists_every_variable_with_the_services_that_use_it(tmp_path):
    table = reference_table(make_tree(tmp_path)).splitlines()
    assert table[0].startswith("| Variable | Services | Default | Required | Secret |")
    rows = {line.split("|")[1].strip(): line for line in table[2:]}
    assert set(rows) == {"`BACKEND_PORT`", "`LOG_LEVEL`", "`POSTGRES_PASSWORD`"}
    assert "| backend |" in rows["`LOG_LEVEL`"]
    assert "| db |" in rows["`POSTGRES_PASSWORD`"] and "| in production | yes |" in rows[
        "`POSTGRES_PASSWORD`"
    ]
