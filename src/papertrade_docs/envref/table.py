"""The reference table: one row per catalog variable, services found by the scan."""

from __future__ import annotations

from pathlib import Path

from papertrade_docs.envref.catalog import load_catalog
from papertrade_docs.envref.places import scan_all

REQUIRED_TEXT = {"never": "no", "production": "in production", "always": "yes"}


def services_by_variable(root: Path) -> dict[str, list[str]]:
    services: dict[str, set[str]] = {}
    for usages in scan_all(root).values():
        for usage in usages:
            if usage.service:
                services.setdefault(usage.name, set()).add(usage.service)
    return {name: sorted(found) for name, found in services.items()}


def reference_table(root: Path) -> str:
    services = services_by_variable(root)
    rows = [
        "| Variable | Services | Default | Required | Secret | Description |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for variable in sorted(load_catalog(root), key=lambda v: v.name):
        default = f"`{variable.default}`" if variable.default else "(none)"
        rows.append(
            f"| `{variable.name}` | {', '.join(services.get(variable.name, [])) or '(none)'} "
            f"| {_cell(default)} | {REQUIRED_TEXT[variable.required]} "
            f"| {'yes' if variable.secret else 'no'} | {_cell(variable.description)} |"
        )
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
