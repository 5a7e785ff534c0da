"""Variables the backend's pydantic-settings class reads, found by reading its source
(no import: the host need not have the backend's dependencies)."""

from __future__ import annotations

import ast
from pathlib import Path

from papertrade_docs.envref.usage import Usage


def scan_settings(path: Path, root: Path, service: str = "backend") -> list[Usage]:
    relative = str(path.relative_to(root))
    tree = ast.parse(path.read_text(), filename=str(path))
    usages = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and _is_settings(node):
            prefix = _env_prefix(node)
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                    field = statement.target.id
                    # A leading underscore makes a private attribute, which pydantic
                    # never reads from the environment.
                    if field == "model_config" or field.startswith("_"):
                        continue
                    default, description = _default_and_description(statement.value)
                    usages.append(
                        Usage(
                            name=(prefix + field).upper(),
                            path=relative,
                            line=statement.lineno,
                            source="settings",
                            kind="field",
                            service=service,
                            default=default,
                            description=description,
                        )
                    )
    return usages


def _is_settings(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(base, ast.Name) and base.id == "BaseSettings")
        or (isinstance(base, ast.Attribute) and base.attr == "BaseSettings")
        for base in node.bases
    )


def _env_prefix(node: ast.ClassDef) -> str:
    for statement in node.body:
        targets = (
            [statement.target] if isinstance(statement, ast.AnnAssign) else
            statement.targets if isinstance(statement, ast.Assign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
            call = statement.value
            if isinstance(call, ast.Call):
                for keyword in call.keywords:
                    if keyword.arg == "env_prefix":
                        return ast.literal_eval(keyword.value)
    return ""


def _default_and_description(value: ast.expr | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, ast.Call) and _call_name(value) == "Field":
        description = None
        default_node = value.args[0] if value.args else None
        for keyword in value.keywords:
            if keyword.arg == "description":
                description = ast.literal_eval(keyword.value)
            elif keyword.arg == "default":
                default_node = keyword.value
        return _literal_text(default_node), description
    return _literal_text(value), None


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _literal_text(node: ast.expr | None) -> str | None:
    if node is None or (isinstance(node, ast.Constant) and node.value is Ellipsis):
        return None
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return None if value is None else str(value)
