"""Ask bash itself whether a command is complete, or whether it would print its second
prompt (PS2) and wait for more: an open quote, a heredoc before its delimiter line, an
`if`/`for`/`while`/`case`/`{`/`(` not closed, a trailing `|`, `&&` or `||`.

Many texts are checked with one bash process: each is parsed in a forked subshell that
has turned on `set -n` (read commands, execute none), so nothing of a page runs here,
whatever its text. bash's own verdict is its message: "unexpected end of file",
"unexpected EOF while looking for ...", or a here-document "delimited by end-of-file".
Verdicts are remembered, so a page parsed twice asks once.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

# For each text (NUL-terminated on stdin): bash's messages about it, then a NUL.
_CHECKER = r"""
while IFS= read -r -d '' __execdocs_text; do
  ( eval "set -n
${__execdocs_text}" ) 2>&1
  printf '\0'
done
"""
_WANTS_MORE = re.compile(
    r": line \d+: (?:syntax error: unexpected end of file"
    r"|unexpected EOF while looking for"
    r"|warning: here-document at line \d+ delimited by end-of-file \(wanted `(?P<word>.*)'\))",
    re.M,
)
_TIMEOUT = 60
_CACHE_LIMIT = 20_000


class ShellUnavailable(Exception):
    """bash could not be asked (not installed, or it failed)."""


@dataclass(frozen=True)
class Verdict:
    complete: bool
    heredoc_word: str | None = None  # incomplete: the heredoc delimiter bash waits for


_verdicts: dict[str, Verdict] = {}


def verdicts(texts: Sequence[str]) -> list[Verdict]:
    """bash's verdict on each of `texts`, asking one bash process for all that are new."""
    new = list(dict.fromkeys(text for text in texts if text not in _verdicts))
    if new:
        if len(_verdicts) + len(new) > _CACHE_LIMIT:
            _verdicts.clear()
        _verdicts.update(zip(new, _ask_bash(new), strict=True))
    return [_verdicts[text] for text in texts]


def known(text: str) -> Verdict | None:
    """The verdict on `text` if bash was already asked."""
    return _verdicts.get(text)


def is_complete(text: str) -> bool:
    return verdicts([text])[0].complete


def _ask_bash(texts: list[str]) -> list[Verdict]:
    bash = shutil.which("bash")
    if bash is None:
        raise ShellUnavailable("bash is not installed")
    stdin = "".join(text.replace("\0", "") + "\0" for text in texts).encode()
    try:
        done = subprocess.run(
            [bash, "--noprofile", "--norc", "-c", _CHECKER],
            input=stdin,
            capture_output=True,
            timeout=_TIMEOUT,
            env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ShellUnavailable(str(error)) from None
    answers = done.stdout.decode(errors="replace").split("\0")[: len(texts)]
    if len(answers) != len(texts):
        raise ShellUnavailable(f"bash answered {len(answers)} of {len(texts)} checks")
    return [_verdict(answer) for answer in answers]


def _verdict(messages: str) -> Verdict:
    found = _WANTS_MORE.search(messages)
    if found is None:
        return Verdict(True)
    return Verdict(False, found.group("word"))
