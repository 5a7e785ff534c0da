"""Variables a shell script reads from its environment: every `$NAME` and `${NAME...}` it
expands before assigning the name itself (`NAME="${NAME:-default}"` included), apart
from the shell's own variables (IFS, PWD, ...).

Read as text, the way the shell would: comments, single-quoted strings, `$'...'` strings
and quoted here-documents expand nothing, so what they hold is not a read.
"""

from __future__ import annotations

import re
from pathlib import Path

from papertrade_docs.envref.usage import Usage

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Set or used by the shell itself (the Bourne shell's and bash's variables, as bash's
# manual lists them), never a setting of the stack.
SHELL_VARIABLES = frozenset(
    """
    _ CDPATH HOME IFS MAIL MAILPATH OPTARG OPTIND PATH PS1 PS2 PS3 PS4
    BASH BASHOPTS BASHPID BASH_ALIASES BASH_ARGC BASH_ARGV BASH_ARGV0 BASH_CMDS
    BASH_COMMAND BASH_ENV BASH_EXECUTION_STRING BASH_LINENO BASH_LOADABLES_PATH
    BASH_REMATCH BASH_SOURCE BASH_SUBSHELL BASH_VERSINFO BASH_VERSION BASH_XTRACEFD
    CHILD_MAX COLUMNS COMP_CWORD COMP_KEY COMP_LINE COMP_POINT COMP_TYPE COMP_WORDBREAKS
    COMP_WORDS COMPREPLY DIRSTACK ENV EPOCHREALTIME EPOCHSECONDS EUID FCEDIT FIGNORE
    FUNCNAME FUNCNEST GLOBIGNORE GROUPS HISTCMD HISTCONTROL HISTFILE HISTFILESIZE
    HISTIGNORE HISTSIZE HISTTIMEFORMAT HOSTFILE HOSTNAME HOSTTYPE IGNOREEOF INPUTRC
    INSIDE_EMACS LINENO LINES MACHTYPE MAILCHECK MAPFILE OLDPWD OPTERR OSTYPE PIPESTATUS
    POSIXLY_CORRECT PPID PROMPT_COMMAND PROMPT_DIRTRIM PWD RANDOM READLINE_ARGUMENT
    READLINE_LINE READLINE_MARK READLINE_POINT REPLY SECONDS SHELL SHELLOPTS SHLVL
    SRANDOM TIMEFORMAT TMOUT UID
    """.split()
)

# Where a name gets a value from the script itself.
_ASSIGNMENT = re.compile(
    r"(?:^|(?<=[\s;&|(]))(?:(?:export|local|readonly|declare|typeset)(?:\s+-\w+)*\s+)?"
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]\n]*\])?\+?=",
    re.MULTILINE,
)
_LOOP_OR_READ = re.compile(
    r"\b(?:for\s+(?P<loop>[A-Za-z_][A-Za-z0-9_]*)\b"
    r"|(?:read|mapfile|readarray|getopts\s+\S+|printf\s+-v)\s+(?P<names>[^;&|\n]*))"
)
_QUOTED_HEREDOC = re.compile(r"<<-?\s*(?:'(?P<single>\w+)'|\"(?P<double>\w+)\"|\\(?P<escaped>\w+))")
_SHEBANG = re.compile(r"^#!\s*\S*\b(?:env\s+)?(?:ba|da|k|z)?sh\b")
# Ends a statement: what comes after sees what the statement assigned.
_SEPARATOR = re.compile(r"[\n;&|]")
_FUNCTION = re.compile(r"^[ \t]*(?:function\s+)?[A-Za-z_][\w-]*\s*\(\s*\)\s*\{", re.MULTILINE)


def is_shell_script(path: Path) -> bool:
    """A file with a shell's `#!` line, or named `*.sh`."""
    if path.suffix == ".sh":
        return True
    try:
        with path.open("rb") as file:
            first_line = file.readline(200).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_SHEBANG.match(first_line))


def scan_script(path: Path, root: Path, services: tuple[str, ...] = ()) -> list[Usage]:
    """One usage per variable read from the environment (per service), at the line of
    its first such read."""
    relative = str(path.relative_to(root))
    code, expansions = _lex(path.read_text(encoding="utf-8", errors="replace"))
    assignments = _assignments(code)
    functions = _function_bodies(code)
    first_line: dict[str, int] = {}
    for name, position in expansions:
        if name in SHELL_VARIABLES or name in first_line:
            continue
        in_function = any(start <= position < end for start, end in functions)
        if _from_environment(position, assignments.get(name, []), code, in_function):
            first_line[name] = code.count("\n", 0, position) + 1
    return [
        Usage(name, relative, line, "script", "read", service)
        for name, line in first_line.items()
        for service in (services or (None,))
    ]


def _from_environment(position: int, assigned_at: list[int], code: str, in_function: bool) -> bool:
    """Whether a read at `position` can see the environment's value rather than one the
    script assigned: nothing assigned it before (in the statements that ran), or it is
    read in its own default, `NAME="${NAME:-default}"`. In a function, an assignment
    anywhere else may run before the call, so only a name the script never sets there
    counts."""
    def separated(start: int, end: int) -> bool:
        return _SEPARATOR.search(code, start, end) is not None

    if any(q < position and separated(q, position) for q in assigned_at):
        return False  # a completed assignment comes first: the script's own value
    # What is left before the read is its own statement's assignment (a self-default).
    return not in_function or all(q < position for q in assigned_at)


def _function_bodies(code: str) -> list[tuple[int, int]]:
    """(start, end) of every `name() { ... }` body, braces counted in the blanked code."""
    bodies = []
    for match in _FUNCTION.finditer(code):
        depth, k = 1, match.end()
        while k < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[k], 0)
            k += 1
        bodies.append((match.end(), k))
    return bodies


def _assignments(code: str) -> dict[str, list[int]]:
    """Name -> positions (just after `=`, or after the name a loop or `read` sets)."""
    found: dict[str, list[int]] = {}
    for match in _ASSIGNMENT.finditer(code):
        found.setdefault(match.group("name"), []).append(match.end())
    for match in _LOOP_OR_READ.finditer(code):
        if match.group("loop"):
            found.setdefault(match.group("loop"), []).append(match.end())
            continue
        for word in match.group("names").split():
            if not word.startswith("-") and NAME.fullmatch(word):
                found.setdefault(word, []).append(match.end())
    return found


def _lex(text: str) -> tuple[str, list[tuple[str, int]]]:
    """The script's code, with comments and quoted text blanked (newlines kept, so
    positions agree), and every expansion `(name, position)` in the order it appears."""
    text = _blank_quoted_heredocs(text)
    out = list(text)
    expansions: list[tuple[str, int]] = []
    i, n, in_double = 0, len(text), False

    def blank(start: int, end: int) -> None:
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        char = text[i]
        if char == "\\":
            if in_double:
                blank(i, i + 2)
            i += 2
            continue
        if char == '"':
            in_double = not in_double
        elif in_double and char != "$":
            blank(i, i + 1)  # quoted text assigns nothing and separates nothing
        elif char == "'" and not in_double:
            end = text.find("'", i + 1)
            end = n if end < 0 else end
            blank(i + 1, end)
            i = end + 1
            continue
        elif char == "#" and not in_double and (i == 0 or text[i - 1] in " \t\n;&|()"):
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
            continue
        elif char == "$":
            i = _expansion(text, i, in_double, expansions, blank)
            continue
        i += 1
    return "".join(out), expansions


def _expansion(text: str, i: int, in_double: bool, expansions, blank) -> int:
    """Records the name expanded at text[i] == '$'; returns where scanning goes on."""
    following = text[i + 1 : i + 2]
    if following == "'" and not in_double:  # $'...': ANSI-C quoting, a literal
        k = i + 2
        while k < len(text) and text[k] != "'":
            k += 2 if text[k] == "\\" else 1
        blank(i + 2, min(k, len(text)))
        return k + 1
    start = i + 1
    if following == "{":
        start = i + 2
        if text[start : start + 1] in ("#", "!") and NAME.match(text, start + 1):
            start += 1
    match = NAME.match(text, start)
    if match is None:
        return i + 1
    expansions.append((match.group(), i))
    return match.end()


def _blank_quoted_heredocs(text: str) -> str:
    """Quoted here-documents (`<<'EOF'`) expand nothing: blank their bodies."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        match = _QUOTED_HEREDOC.search(lines[index])
        index += 1
        if match is None:
            continue
        delimiter = match.group("single") or match.group("double") or match.group("escaped")
        while index < len(lines) and lines[index].strip() != delimiter:
            lines[index] = ""
            index += 1
    return "\n".join(lines)
