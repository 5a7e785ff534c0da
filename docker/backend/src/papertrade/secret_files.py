"""Passwords read from files (Compose or Docker secrets under /run/secrets), so they
never travel in the environment, where `docker inspect` and process listings show them."""

from __future__ import annotations

import os
from pathlib import Path


class SecretFileError(ValueError):
    """A password file the settings name cannot be used."""


def read_secret(path: Path, variable: str) -> str:
    """The password in ``path`` (``variable`` names it, for the message), without the
    trailing line breaks, as the shell's ``$(<file)`` reads it in the db and cache images."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretFileError(
            f"{variable}: {path} does not exist; mount the password file there "
            "(a Compose secret) or unset the variable"
        ) from None
    except PermissionError:
        raise SecretFileError(
            f"{variable}: {path} is not readable by uid {os.getuid()}; "
            f"make the file on the host readable by that uid (chown {os.getuid()})"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise SecretFileError(f"{variable}: cannot read {path} ({reason})") from None
    secret = text.rstrip("\r\n")
    if not secret:
        raise SecretFileError(f"{variable}: {path} is empty; write the password into it")
    if "\n" in secret:
        raise SecretFileError(
            f"{variable}: {path} holds more than one line; keep only the password in it"
        )
    return secret
