"""Diagrams of the Docker stacks, drawn from their Compose files.

    python -m papertrade_docs.diagrams --refresh   # rewrite docs/data/compose-*.json, lab-*.json
    python -m papertrade_docs.diagrams --check     # exit 1 when a snapshot is stale
    python -m papertrade_docs.diagrams --svg dev   # print a diagram

`stack_diagram("dev")` and `stack_diagram("prod")` are page macros (registered by
src/papertrade_docs/macros/main.py). Each reads a stack's Compose file the way Compose itself
does (`docker compose config --format json`, compose.py), keeps what the picture
shows, and draws it as inline SVG with the project's own code (svg.py).
`lab_diagram("tls")` is the same for the TLS-interception lab of the proxies page: the
lab's proxy and the probe builds that go through it, from their Compose files, the
proxy's script and the probes' Dockerfiles (lab.py, lab_svg.py), with its own snapshot
(docs/data/lab-tls.json) refreshed and checked with the stacks'.

Why the macro always draws from the committed snapshot (docs/data/compose-dev.json,
compose-prod.json), never from a live `docker compose config`:

- The Pages workflow builds the site without Docker; a macro that used Compose when
  present and the snapshot otherwise would publish one picture and preview another
  whenever the two disagree, and nobody would notice which one a build used.
- The build stays deterministic and fast, and independent of the builder's shell
  (an exported BACKEND_PORT or COMPOSE_FILE would otherwise redraw the published site).
- Staleness is caught where it belongs, in the tests: tests/unit/test_diagram_snapshot.py
  runs `docker compose config` now and fails, naming what changed and the refresh
  command, when the snapshot no longer says the same. A changed port, a renamed
  service or a new volume therefore fails the tests until the snapshot is refreshed,
  and the refreshed snapshot shows up in the diff of the change that caused it.
"""

from __future__ import annotations

from pathlib import Path

from papertrade_docs.diagrams import lab as labs
from papertrade_docs.diagrams.compose import (
    REFRESH,
    STACKS,
    DiagramError,
    Stack,
    load_snapshot,
    stack,
)
from papertrade_docs.diagrams.lab_svg import lab_svg
from papertrade_docs.diagrams.svg import stack_svg

CAPTION = (
    "Drawn from what <code>docker compose config</code> reports for "
    "<code>{compose}</code> with the settings of <code>{env}</code>. An arrow points from "
    "a service to one it waits for (<code>depends_on</code>), labelled with the condition; "
    "a secret line names the build stages that mount the secret."
)

THROUGH_CAPTION = (
    "Drawn from the stack file <code>{through}</code> makes of what "
    "<code>docker compose config</code> reports for <code>{compose}</code> with the "
    "settings of <code>{env}</code>: a swarm builds nothing and starts its services in no "
    "particular order, so there are no build lines and no arrows."
)


def diagram(spec: Stack, data: dict) -> str:
    """The figure for a page: the SVG and its caption, on one line."""
    svg = stack_svg(data, f"{spec.title}: services, ports, mounts, networks and secrets")
    compose = "</code> + <code>".join(name.removeprefix("docker/") for name in spec.files)
    env = spec.env_file.removeprefix("docker/")
    caption = CAPTION.format(compose=compose, env=env)
    if spec.through:
        caption = THROUGH_CAPTION.format(
            through=spec.through.removeprefix("docker/"), compose=compose, env=env)
    return f'<figure class="pt-stack-figure">{svg}<figcaption>{caption}</figcaption></figure>'



LAB_CAPTION = (
    "Drawn from what <code>docker compose config</code> reports for <code>{probes}</code> "
    "(the builds, with their Dockerfiles) and <code>{compose}</code> (the proxy, with the "
    "script it starts). Solid arrows are connections; dashed ones, the path of the lab's "
    "CA back to the builds."
)


def lab_diagram_html(spec: labs.Lab, data: dict) -> str:
    """The lab's figure for a page: the SVG and its caption, on one line."""
    svg = lab_svg(data, f"{spec.title}: the builds, the intercepting proxy, the registries "
                        "and where each CA is trusted")
    return (
        f'<figure class="pt-stack-figure">{svg}<figcaption>'
        f"{LAB_CAPTION.format(probes=spec.probes_file, compose=spec.compose_file)}"
        "</figcaption></figure>"
    )


def register_diagrams(env) -> None:
    """stack_diagram(key): the diagram of a stack, from its committed snapshot;
    lab_diagram(key): the picture of a lab (lab.py), from its own."""
    root = Path(env.project_dir)

    @env.macro
    def stack_diagram(key: str) -> str:
        spec = stack(key)
        return diagram(spec, load_snapshot(spec, root))

    @env.macro
    def lab_diagram(key: str) -> str:
        spec = labs.lab(key)
        return lab_diagram_html(spec, labs.load_snapshot(spec, root))


__all__ = ["REFRESH", "STACKS", "DiagramError", "diagram", "lab_diagram_html",
           "register_diagrams", "stack"]
