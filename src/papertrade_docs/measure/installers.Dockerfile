# The one-off comparison of pip and uv (`make measure-installers`, installers.py): each
# installs the backend's production lock, requirements.txt, into a fresh venv, exactly as
# a build stage would. It lives here, not in docker/backend/Dockerfile, on purpose: the
# production Dockerfile keeps one way to install (no build arg that only a benchmark
# uses, nothing a reader of it has to skip), and its images stay what they are.
#
# Nothing here is rebuilt by hand to match production: BASE is the production
# Dockerfile's own `python` stage (Debian's python3 and python3-venv, so the same
# interpreter and ensurepip's pip), built from docker/backend by installers.py, and the
# build context is docker/backend itself (its .dockerignore, its locks). What each stage
# runs mirrors the production builder: the same ENV, the same `--require-hashes` and
# wheels-only policy (`--only-binary=:all:` for pip, `--no-build` for uv), the optional
# extra_ca secret for the steps that download (pip reads it as PIP_CERT, uv as
# SSL_CERT_FILE), no download cache. Bytecode is left out by both (pip --no-compile,
# uv's default), as in the production stage, where rootfs.sh compiles it afterwards.
#
# installers.py builds each target with `--no-cache` (cold; BASE itself is a finished
# image, not rebuilt) and times the RUN steps from BuildKit's plain progress.

ARG BASE=papertrade-measure/installers-base:unset

FROM ${BASE} AS common
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    UV_PYTHON=/opt/venv/bin/python \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /build
COPY requirements.txt requirements-build.txt ./


# pip, as the images installed the lock before uv: a venv with ensurepip's pip ...
FROM common AS pip
RUN python3 -m venv /opt/venv
# ... then the lock by hash.
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export PIP_CERT=/run/secrets/extra_ca; fi \
 && /opt/venv/bin/pip install --require-hashes --only-binary=:all: --no-deps --no-compile \
        -r requirements.txt \
 && /opt/venv/bin/pip check


# uv, as the images install the lock now: first uv itself, by hash and with ensurepip's
# pip, into the build tools' venv (a cost pip does not have, timed as its own step) ...
FROM common AS uv
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export PIP_CERT=/run/secrets/extra_ca; fi \
 && python3 -m venv /opt/build \
 && /opt/build/bin/pip install --require-hashes --only-binary=:all: --no-deps --no-compile \
        -r requirements-build.txt
# ... then the lock by hash into a venv without pip.
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export SSL_CERT_FILE=/run/secrets/extra_ca; fi \
 && python3 -m venv --without-pip /opt/venv \
 && /opt/build/bin/uv pip install --require-hashes --no-deps --no-build -r requirements.txt \
 && /opt/build/bin/uv pip check
