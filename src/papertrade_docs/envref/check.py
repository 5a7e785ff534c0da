"""Every problem between the catalog and the places that use or state a variable,
each as `file:line: what is wrong and what to do`."""

from __future__ import annotations

from pathlib import Path

from papertrade_docs.envref.catalog import CATALOG_PATH, Variable, load_catalog, load_toolchain
from papertrade_docs.envref.places import COMPOSE_FILES, ENV_EXAMPLES, EXAMPLE_OF, scan_all
from papertrade_docs.envref.usage import Usage


def find_problems(root: Path) -> list[str]:
    catalog = {v.name: v for v in load_catalog(root)}
    toolchain = load_toolchain(root)
    places = scan_all(root)
    problems: list[str] = []
    problems += _undocumented(catalog, toolchain, places)
    problems += _unused(catalog, places)
    problems += _unused_toolchain(toolchain, places)
    problems += _missing_from_examples(places)
    problems += _disagreeing_defaults(catalog, places)
    problems += _required_mismatches(catalog, places)
    problems += _undescribed_examples(places)
    return problems


def _all(places: dict[str, list[Usage]], *prefixes: str) -> list[Usage]:
    return [u for key, usages in places.items() if key.startswith(prefixes) for u in usages]


def _first_of_each_name(usages) -> list[Usage]:
    """One usage per variable, the first: a problem is reported once, where it starts."""
    first: dict[str, Usage] = {}
    for usage in usages:
        first.setdefault(usage.name, usage)
    return list(first.values())


def _undocumented(catalog: dict[str, Variable], toolchain: dict[str, int], places) -> list[str]:
    stack = _all(places, "compose", "settings", "env")
    stack_names = {u.name for u in stack}
    # An image's ARG, ENV or script read: a setting, or (when only the image's own
    # programs use it) a toolchain name.
    images = [u for u in _all(places, "image") if u.name not in stack_names]
    return [
        f"{usage.where}: {usage.name} is used here but not documented: "
        f"add it to {CATALOG_PATH} with a one-line description"
        for usage in _first_of_each_name(stack)
        if usage.name not in catalog
    ] + [
        f"{usage.where}: {usage.name} is used here but not documented: "
        f"add it to {CATALOG_PATH} with a one-line description (under toolchain:, "
        f"with why, when only the image's own programs use it)"
        for usage in _first_of_each_name(images)
        if usage.name not in catalog and usage.name not in toolchain
    ]


def _unused(catalog: dict[str, Variable], places) -> list[str]:
    used = {u.name for u in _all(places, "compose", "settings", "image")}
    return [
        f"{CATALOG_PATH}:{v.line}: {v.name} is documented but no Compose file or setting "
        f"uses it: remove it, or use it"
        for v in catalog.values()
        if v.name not in used
    ]


def _unused_toolchain(toolchain: dict[str, int], places) -> list[str]:
    used = {u.name for u in _all(places, "image")}
    return [
        f"{CATALOG_PATH}:{line}: {name} is under toolchain but no image sets or reads it: "
        f"remove it"
        for name, line in toolchain.items()
        if name not in used
    ]


def _missing_from_examples(places) -> list[str]:
    problems = []
    for flavour, example_flavour in EXAMPLE_OF.items():
        example = ENV_EXAMPLES[example_flavour]
        listed = {u.name for u in places.get(f"env:{example_flavour}", [])}
        # Only interpolations can be set by a user; a fixed `environment:` value cannot.
        settable = [u for u in places.get(f"compose:{flavour}", []) if u.kind == "interpolation"]
        problems += [
            f"{usage.where}: {usage.name} can be set but {example} does not list it: "
            f"add it there with a one-line description"
            for usage in _first_of_each_name(settable)
            if usage.name not in listed
        ]
    return problems


def _disagreeing_defaults(catalog: dict[str, Variable], places) -> list[str]:
    problems = []
    for usage in _all(places, "compose", "settings", "env:dev"):
        variable = catalog.get(usage.name)
        if variable is None or usage.default is None:
            continue
        if variable.secret and usage.source == "env-example":
            continue
        if usage.default != (variable.default or ""):
            problems.append(
                f"{usage.where}: {usage.name} defaults to {usage.default!r} here but to "
                f"{variable.default!r} in {CATALOG_PATH}: make them agree"
            )
    # What an image sets is the default only where nothing else states one.
    stated = {
        u.name for u in _all(places, "compose", "settings", "env:dev") if u.default is not None
    }
    for usage in _all(places, "image"):
        variable = catalog.get(usage.name)
        if variable is None or usage.name in stated or usage.default is None:
            continue
        if "$" not in usage.default and usage.default != (variable.default or ""):
            problems.append(
                f"{usage.where}: {usage.name} is {usage.default!r} in this image but "
                f"defaults to {variable.default!r} in {CATALOG_PATH}: make them agree"
            )
    for usage in places.get("env:prod", []):
        variable = catalog.get(usage.name)
        if variable is None:
            continue
        if variable.secret and usage.default:
            problems.append(
                f"{usage.where}: {usage.name} is a secret: leave its value empty in the "
                f"example so production refuses to start until it is set"
            )
    return problems


def _required_mismatches(catalog: dict[str, Variable], places) -> list[str]:
    problems = []
    for flavour in COMPOSE_FILES:
        for usage in places.get(f"compose:{flavour}", []):
            variable = catalog.get(usage.name)
            if variable is None or not usage.required:
                continue
            expected = {"dev": ("always",), "prod": ("production", "always"),
                        "tls": ("production", "always")}[flavour]
            if variable.required not in expected:
                problems.append(
                    f"{usage.where}: {usage.name} is required here (`:?`) but "
                    f"{CATALOG_PATH}:{variable.line} says required: {variable.required}"
                )
    for name, variable in catalog.items():
        if variable.required in ("production", "always"):
            required_in_prod = any(
                u.required for u in places.get("compose:prod", []) if u.name == name
            )
            if "compose:prod" in places and not required_in_prod:
                problems.append(
                    f"{CATALOG_PATH}:{variable.line}: {name} is documented as required but "
                    f"{COMPOSE_FILES['prod']} never writes it as ${{{name}:?message}}"
                )
    return problems


def _undescribed_examples(places) -> list[str]:
    return [
        f"{u.where}: {u.name} has no description: add a one-line `# ...` comment above it"
        for u in _all(places, "env")
        if not u.description
    ]
