"""Where the stack uses or states environment variables, and the scan of all of them."""

from __future__ import annotations

from pathlib import Path

from .compose_scan import scan_compose
from .dotenv_scan import scan_dotenv
from .settings_scan import scan_settings
from .usage import Usage

COMPOSE_FILES = {"dev": Path("docker/compose.yaml"), "prod": Path("docker/compose.prod.yaml")}
ENV_EXAMPLES = {"dev": Path("docker/.env.example"), "prod": Path("docker/.env.production.example")}
SETTINGS_FILE = Path("docker/backend/src/papertrade/settings.py")


def scan_all(root: Path) -> dict[str, list[Usage]]:
    """Usages keyed by place: 'compose:dev', 'env:prod', 'settings', ..."""
    found: dict[str, list[Usage]] = {}
    for flavour, path in COMPOSE_FILES.items():
        if (root / path).exists():
            found[f"compose:{flavour}"] = scan_compose(root / path, root)
    for flavour, path in ENV_EXAMPLES.items():
        if (root / path).exists():
            found[f"env:{flavour}"] = scan_dotenv(root / path, root)
    if (root / SETTINGS_FILE).exists():
        found["settings"] = scan_settings(root / SETTINGS_FILE, root)
    return found
