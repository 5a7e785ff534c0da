"""The environment reference reads the images too: the ARG and ENV of the Dockerfiles the
Compose files build, and what the shell scripts copied into those images (entry points,
health checks) read from the environment."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from papertrade_docs.envref.catalog import CatalogError, load_toolchain
from papertrade_docs.envref.check import find_problems
from papertrade_docs.envref.dockerfile_scan import image_stages, parse
from papertrade_docs.envref.places import builds, scan_all, scanned_files
from papertrade_docs.envref.script_scan import is_shell_script, scan_script
from papertrade_docs.envref.table import reference_table

ROOT = Path(__file__).resolve().parents[2]


def reads(tmp_path: Path, script: str) -> list[tuple[str, int]]:
    path = tmp_path / "entrypoint.sh"
    path.write_text(textwrap.dedent(script))
    return [(usage.name, usage.line) for usage in scan_script(path, tmp_path)]


# --- shell scripts ----------------------------------------------------------------------


def test_a_script_reads_what_it_expands_and_never_assigns(tmp_path):
    assert reads(tmp_path, """\
        #!/bin/bash
        set -eu
        initdb --pgdata="$PGDATA" ${POSTGRES_INITDB_ARGS:-}
        [ -n "${REDIS_PASSWORD:-}" ] && echo "${#TOKEN} ${!REF}"
        """) == [("PGDATA", 3), ("POSTGRES_INITDB_ARGS", 3), ("REDIS_PASSWORD", 4),
                 ("TOKEN", 4), ("REF", 4)]


def test_names_the_script_sets_itself_are_not_reads(tmp_path):
    assert reads(tmp_path, """\
        #!/bin/bash
        local user="${POSTGRES_USER:-postgres}"
        local db="$user"
        quoted=${REDIS_PASSWORD//x/y}
        quoted=${quoted//a/b}
        for script in /docker-entrypoint-initdb.d/*; do echo "$script"; done
        while read -r library; do cp "$library" /x; done < list
        export REDISCLI_AUTH="$quoted"
        """) == [("POSTGRES_USER", 2), ("REDIS_PASSWORD", 4)]


def test_a_variable_that_defaults_itself_or_is_tested_first_is_read(tmp_path):
    assert reads(tmp_path, """\
        #!/bin/sh
        POSTGRES_USER="${POSTGRES_USER:-postgres}"
        if [ -z "$MODE" ]; then MODE=serve; fi
        echo "$POSTGRES_USER $MODE"
        """) == [("POSTGRES_USER", 2), ("MODE", 3)]


def test_a_function_reading_a_global_set_further_down_reads_the_script_s_own(tmp_path):
    assert reads(tmp_path, """\
        #!/bin/bash
        say() { printf '%s: %s\\n' "$prog" "$*" >&2; echo "$LOG_DIR"; }
        prog=entrypoint
        say hello
        """) == [("LOG_DIR", 2)]


def test_comments_single_quotes_and_quoted_heredocs_expand_nothing(tmp_path):
    assert reads(tmp_path, """\
        #!/bin/bash
        # $IN_A_COMMENT is not read
        echo '$IN_SINGLE_QUOTES' $'$IN_ANSI_C\\n' "for QUOTED_WORDS in a sentence"
        cat <<'EOF'
        $IN_A_QUOTED_HEREDOC
        EOF
        cat <<EOF
        $IN_AN_UNQUOTED_HEREDOC
        EOF
        echo "$HOME $PWD $1 $@ $? $#"  # the shell's own, and positional parameters
        """) == [("IN_AN_UNQUOTED_HEREDOC", 8)]


def test_shell_scripts_are_known_by_their_first_line_or_name(tmp_path):
    files = {"healthcheck": "#!/bin/sh\n", "entry.sh": "", "env-bash": "#!/usr/bin/env bash\n",
             "probe.py": "#!/usr/bin/env python3\n", "nginx.conf": "daemon off;\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert sorted(n for n in files if is_shell_script(tmp_path / n)) == [
        "entry.sh", "env-bash", "healthcheck"]


# --- Dockerfiles ------------------------------------------------------------------------

DOCKERFILE = """\
ARG DEBIAN_RELEASE=trixie
FROM debian:${DEBIAN_RELEASE}-slim AS base
ENV LANG=C.UTF-8 \\
    # a comment inside a continued instruction
    PYTHONUNBUFFERED=1

FROM base AS builder
ARG PIP_INDEX
ENV PIP_NO_CACHE_DIR=1
COPY build.sh /usr/local/bin/

FROM base AS dev
ENV PYTHONPATH /app/src
COPY --from=builder /opt/venv /opt/venv
COPY ["docker-entrypoint.sh", "/usr/local/bin/"]
COPY scripts/ /usr/local/bin/

FROM scratch AS prod
ENV APP_ENV=production
"""


def test_the_image_of_a_target_is_its_stage_and_the_stages_it_starts_from():
    _, stages = parse(DOCKERFILE)
    assert [s.name for s in stages] == ["base", "builder", "dev", "prod"]
    assert [s.name for s in image_stages(stages, "dev")] == ["base", "dev"]
    assert [s.name for s in image_stages(stages, "prod")] == ["prod"]
    assert [s.name for s in image_stages(stages, None)] == ["prod"]


def image_tree(root: Path, dockerfile: str = DOCKERFILE, catalog: str | None = None) -> Path:
    files = {
        "docker/compose.yaml": "services:\n  app:\n    build: {context: ./app, target: dev}\n",
        "docker/app/Dockerfile": dockerfile,
        "docker/app/docker-entrypoint.sh": "#!/bin/sh\nexec app --init \"$APP_INIT\"\n",
        "docker/app/build.sh": "#!/bin/sh\necho \"$BUILD_ONLY\"\n",
        "docker/app/scripts/healthcheck": "#!/bin/sh\ntest -n \"$HEALTH_TOKEN\"\n",
        "docker/app/scripts/README": "$NOT_A_SCRIPT\n",
        "docker/environment.yaml": catalog if catalog is not None else textwrap.dedent("""\
            variables:
              - {name: DEBIAN_RELEASE, description: Debian release., default: trixie}
              - {name: PIP_INDEX, description: A package index.}
              - {name: PYTHONPATH, description: Where the app is., default: /app/src}
              - {name: APP_INIT, description: What the entry point initialises.}
              - {name: HEALTH_TOKEN, description: What the health check sends.}
            toolchain:
              LANG: the programs' character set
              PYTHONUNBUFFERED: logs at once
            """),
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_a_build_reads_its_args_the_env_of_its_image_and_its_image_s_scripts(tmp_path):
    places = scan_all(image_tree(tmp_path))
    usages = places["image:docker/app/Dockerfile"]
    found = {(u.name, u.path, u.line, u.kind, u.service) for u in usages}
    assert found == {
        ("DEBIAN_RELEASE", "docker/app/Dockerfile", 1, "build-arg", "app"),
        ("PIP_INDEX", "docker/app/Dockerfile", 8, "build-arg", "app"),
        ("LANG", "docker/app/Dockerfile", 3, "env", "app"),
        ("PYTHONUNBUFFERED", "docker/app/Dockerfile", 5, "env", "app"),
        ("PYTHONPATH", "docker/app/Dockerfile", 13, "env", "app"),
        ("APP_INIT", "docker/app/docker-entrypoint.sh", 2, "read", "app"),
        ("HEALTH_TOKEN", "docker/app/scripts/healthcheck", 2, "read", "app"),
    }  # not the builder's ENV, nor build.sh, copied into the builder only
    assert find_problems(tmp_path) == []


def test_a_variable_an_entry_point_reads_must_be_in_the_reference(tmp_path):
    root = image_tree(tmp_path)
    entrypoint = root / "docker/app/docker-entrypoint.sh"
    entrypoint.write_text(entrypoint.read_text() + 'exec app --extra ${APP_INITDB_ARGS:-}\n')
    assert find_problems(root) == [
        "docker/app/docker-entrypoint.sh:3: APP_INITDB_ARGS is used here but not documented: "
        "add it to docker/environment.yaml with a one-line description (under toolchain:, "
        "with why, when only the image's own programs use it)"
    ]


def test_an_env_or_arg_of_the_image_must_be_in_the_reference_or_the_toolchain(tmp_path):
    root = image_tree(tmp_path, DOCKERFILE.replace("FROM base AS dev\n",
                                                   "FROM base AS dev\nARG VERSION\n"
                                                   "ENV TZ=UTC\n"))
    problems = "\n".join(find_problems(root))
    assert "docker/app/Dockerfile:13: VERSION is used here but not documented" in problems
    assert "docker/app/Dockerfile:14: TZ is used here but not documented" in problems


def test_a_toolchain_name_no_image_uses_is_reported(tmp_path):
    root = image_tree(tmp_path, DOCKERFILE.replace("    PYTHONUNBUFFERED=1\n", "    X=1\n")
                      .replace("LANG=C.UTF-8 \\", "LANG=C.UTF-8"))
    problems = find_problems(root)
    assert "docker/environment.yaml:9: PYTHONUNBUFFERED is under toolchain but no image sets " \
           "or reads it: remove it" in problems


def test_a_value_the_image_sets_must_agree_with_the_reference(tmp_path):
    dockerfile = DOCKERFILE.replace("ENV PYTHONPATH /app/src", "ENV PYTHONPATH /srv")
    root = image_tree(tmp_path, dockerfile)
    assert find_problems(root) == [
        "docker/app/Dockerfile:13: PYTHONPATH is '/srv' in this image but defaults to "
        "'/app/src' in docker/environment.yaml: make them agree"
    ]


def test_the_table_names_the_service_whose_image_reads_the_variable(tmp_path):
    rows = {line.split("|")[1].strip(): line for line in
            reference_table(image_tree(tmp_path)).splitlines()[2:]}
    assert "| app |" in rows["`APP_INIT`"] and "| app |" in rows["`HEALTH_TOKEN`"]
    assert "`LANG`" not in rows  # the toolchain is not a setting of the stack


@pytest.mark.parametrize(
    ("toolchain", "message"),
    [
        ("toolchain:\n  - PATH\n", "toolchain is a mapping"),
        ("toolchain:\n  PATH:\n", "say in one line why PATH is not a setting"),
        ("toolchain:\n  APP_INIT: x\n", "APP_INIT is also under variables"),
    ],
)
def test_a_malformed_toolchain_is_refused_with_its_line(tmp_path, toolchain, message):
    catalog = "variables:\n  - {name: APP_INIT, description: d}\n" + toolchain
    with pytest.raises(CatalogError, match=message):
        load_toolchain(image_tree(tmp_path, catalog=catalog))


# --- the repository ---------------------------------------------------------------------


def test_the_repository_s_images_are_scanned_with_their_entry_points():
    assert {(b.dockerfile.as_posix(), b.target) for b in builds(ROOT)} >= {
        ("docker/backend/Dockerfile", "dev"), ("docker/backend/Dockerfile", "prod"),
        ("docker/db/Dockerfile", None), ("docker/cache/Dockerfile", None)}
    files = {path.as_posix() for path in scanned_files(ROOT)}
    assert {"docker/db/docker-entrypoint.sh", "docker/cache/docker-entrypoint.sh"} <= files
    db = {u.name for u in scan_all(ROOT)["image:docker/db/Dockerfile"] if u.kind == "read"}
    assert "POSTGRES_INITDB_ARGS" in db and "PGDATA" in db


def test_the_reference_fails_when_the_db_entry_point_reads_a_new_variable(tmp_path):
    for relative in ["docker/environment.yaml", *scanned_files(ROOT)]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, tmp_path / relative)
    assert find_problems(tmp_path) == []
    entrypoint = tmp_path / "docker/db/docker-entrypoint.sh"
    text = entrypoint.read_text()
    assert "${POSTGRES_INITDB_ARGS:-}" in text, "pick another line of the entry point"
    entrypoint.write_text(text.replace("${POSTGRES_INITDB_ARGS:-}",
                                       "${POSTGRES_INITDB_ARGS:-} ${POSTGRES_INITDB_WALDIR:-}"))
    line = text[: text.index("${POSTGRES_INITDB_ARGS:-}")].count("\n") + 1
    assert [p.split(" is used here")[0] for p in find_problems(tmp_path)] == [
        f"docker/db/docker-entrypoint.sh:{line}: POSTGRES_INITDB_WALDIR"]
