# uv installs one package, trusting the extra CA bundle only if one is given (as
# SSL_CERT_FILE, the way the backend's Dockerfile hands it to uv). Two retries ride out a
# reset connection; a refused certificate fails them too, within seconds.
# The stage the compose file beside it builds locally (never pulled), so no tag to pin.
# hadolint ignore=DL3006
FROM tls-probe/python-builder
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export SSL_CERT_FILE=/run/secrets/extra_ca; fi \
 && UV_HTTP_RETRIES=2 uv pip install --no-deps --target /tmp/probe idna==3.20
