"""Time the running stack: `up` until healthy, and edits until the new code answers.

Everything runs from a throwaway copy of docker/ under a unique Compose project name
on free ports, so it neither touches the checkout nor collides with a stack already
running, and the project is taken down (volumes included) whatever happens.
"""

from __future__ import annotations

import ast
import re
import socket
import statistics
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from papertrade_docs.measure.docker_cli import DockerError, compose_env, run
from papertrade_docs.measure.progress import Progress

UP_TIMEOUT_SECONDS = 300
CHANGE_TIMEOUT_SECONDS = 60
POLL_SECONDS = 0.005
# Between two timed edits, as between two saves by a person: file watchers drop a change
# that follows the previous one within milliseconds (chokidar throttles per file), and
# a dropped change would be timed as a reload that never comes.
SETTLE_SECONDS = 1.0

MODULE_SCRIPT = re.compile(r'<script[^>]*type="module"[^>]*src="([^"]+)"')

RELOAD_ROUTE = """

@app.get("/measure-reload/{token}", include_in_schema=False)
def measure_reload_{token}() -> dict[str, str]:
    return {{"token": "{token}"}}
"""
HMR_EXPORT = '\nexport const measureHmr = "{token}";\n'


class StackError(RuntimeError):
    """The stack did not do what the measurement waits for."""


@dataclass
class Stack:
    directory: Path  # a copy of docker/
    compose_file: str
    ports: dict[str, int]
    env_file: Path | None = None
    project: str = field(default_factory=lambda: f"papertrade-measure-{uuid.uuid4().hex[:8]}")

    def compose(self, *args: str) -> list[str]:
        command = ["docker", "compose", "-p", self.project, "-f", self.compose_file]
        if self.env_file is not None:
            command += ["--env-file", str(self.env_file)]
        return command + list(args)

    def env(self) -> dict[str, str]:
        return compose_env(**{name: str(port) for name, port in self.ports.items()})


@contextmanager
def running(stack: Stack, progress: Progress, label: str) -> Iterator[float]:
    """Bring the stack up; yield the seconds `up --wait` took; always take it down."""
    try:
        with progress.step(label, f"starting ({stack.project}) and waiting until healthy"):
            started = time.monotonic()
            up = stack.compose(
                "up", "-d", "--wait", "--wait-timeout", str(UP_TIMEOUT_SECONDS),
                "--no-build", "--pull", "never",
            )  # fmt: skip
            try:
                run(up, cwd=stack.directory, env=stack.env())
            except DockerError as error:
                logs = run(
                    stack.compose("logs", "--tail", "15"), cwd=stack.directory, env=stack.env()
                )
                raise StackError(f"{error}\nthe services' last log lines:\n{logs}") from None
            ready = time.monotonic() - started
        yield ready
    finally:
        with progress.step(label, "taking the stack down"):
            run(
                stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "10"),
                cwd=stack.directory,
                env=stack.env(),
            )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_module(source: Path) -> Path:
    """The backend module that assigns the ASGI `app` at module level."""
    for path in sorted(source.rglob("*.py")):
        if _assigns_app(ast.parse(path.read_text(encoding="utf-8")).body):
            return path
    raise StackError(
        f"no module under {source} assigns `app = ...` at module level: the reload "
        "measurement adds a route to that module"
    )


def _assigns_app(statements: list[ast.stmt]) -> bool:
    """Whether `app` is assigned at module level, also inside a top-level try or if."""
    for statement in statements:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(t, ast.Name) and t.id == "app" for t in targets):
                return True
        elif isinstance(statement, ast.Try | ast.If | ast.With):
            nested = [*statement.body, *getattr(statement, "orelse", [])]
            nested += getattr(statement, "finalbody", [])
            for handler in getattr(statement, "handlers", []):
                nested += handler.body
            if _assigns_app(nested):
                return True
    return False


def entry_module(index_html: Path) -> str:
    """The URL path of the module `index.html` loads (`/src/main.ts`)."""
    match = MODULE_SCRIPT.search(index_html.read_text(encoding="utf-8"))
    if match is None:
        raise StackError(f'{index_html}: no <script type="module" src="..."> to edit')
    return match.group(1)


def backend_reload_samples(
    source: Path, base_url: str, tries: int, progress: Progress
) -> list[float]:
    """Seconds from saving a new route into the app module until the route answers."""
    module = app_module(source)
    original = module.read_text(encoding="utf-8")
    samples = []
    try:
        for attempt in range(1, tries + 1):
            wait_for(lambda: http_get(base_url + "/health")[0] == 200, "backend /health")
            time.sleep(SETTLE_SECONDS)
            token = uuid.uuid4().hex[:12]
            with progress.step("backend reload", f"try {attempt} of {tries}"):
                started = time.monotonic()
                module.write_text(original + RELOAD_ROUTE.format(token=token), encoding="utf-8")
                url = f"{base_url}/measure-reload/{token}"
                wait_for(lambda url=url, token=token: _answers(url, token), f"{url} to answer")
                samples.append(time.monotonic() - started)
    finally:
        module.write_text(original, encoding="utf-8")
    return samples


def frontend_hmr_samples(
    frontend: Path, base_url: str, tries: int, progress: Progress
) -> list[float]:
    """Seconds from saving the entry module until Vite serves the new text."""
    entry = entry_module(frontend / "index.html")
    module = frontend / entry.lstrip("/")
    original = module.read_text(encoding="utf-8")
    url = base_url + entry
    samples = []
    try:
        for attempt in range(1, tries + 1):
            token = uuid.uuid4().hex[:12]
            # Served once first, so Vite holds the module and has to notice the change.
            wait_for(lambda: http_get(url)[0] == 200, f"{url} to be served")
            time.sleep(SETTLE_SECONDS)
            with progress.step("frontend HMR", f"try {attempt} of {tries}"):
                started = time.monotonic()
                module.write_text(original + HMR_EXPORT.format(token=token), encoding="utf-8")
                wait_for(lambda token=token: _answers(url, token), f"{url} with the edit")
                samples.append(time.monotonic() - started)
    finally:
        module.write_text(original, encoding="utf-8")
    return samples


def median(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def http_get(url: str) -> tuple[int, str]:
    """Status and body; status 0 while nothing answers (a server restarting)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, ""


def wait_for(
    condition: Callable[[], bool], what: str, timeout: float = CHANGE_TIMEOUT_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise StackError(f"waited {timeout:.0f} s for {what}, in vain")
        time.sleep(POLL_SECONDS)


def _answers(url: str, token: str) -> bool:
    status, body = http_get(url)
    return status == 200 and token in body
