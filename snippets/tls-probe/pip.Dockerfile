# pip downloads one package, trusting the extra CA bundle only if one is given. Two
# retries ride out a reset connection; a refused certificate fails them too, within a second.
# The stage the compose file beside it builds locally (never pulled), so no tag to pin.
# hadolint ignore=DL3006
FROM tls-probe/python-builder
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export PIP_CERT=/run/secrets/extra_ca; fi \
 && pip download --retries 2 --no-deps --dest /tmp/probe idna==3.20
