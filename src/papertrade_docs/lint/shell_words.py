"""Shell text as the lint reads it: the command lines of a page's blocks, each line
with its page line, split into simple commands and read the way the tools read their
options. A reader, not a shell: enough to find a program and its options (quotes,
`\\` continuations, heredocs, command substitutions, comments), not to run anything.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from execdocs import Fence, Origin, parse_transcript
from papertrade_docs.lint.blocks import MACRO, SHELL_LANGUAGES, SNIPPET

CONSOLE = "console"


@dataclass(frozen=True)
class SourceLine:
    line: int  # 1-based line of the page
    text: str


def block_lines(page: Path, fence: Fence) -> list[SourceLine]:
    """The shell text of a block, each line with its page line: a console block's
    commands (their output left out), a shell block's whole body."""
    lang = fence.lang.lower()
    if lang == CONSOLE:
        origins = [Origin(page, fence.body_line(k) + 1) for k in range(len(fence.body))]
        return [
            SourceLine(command.origin.line + k, part)
            for command in parse_transcript(fence.body, origins)
            for k, part in enumerate(command.text.split("\n"))
        ]
    if lang in SHELL_LANGUAGES:
        return [SourceLine(fence.body_line(k) + 1, text) for k, text in enumerate(fence.body)]
    return []


# `<<EOF`, `<<-'EOF'`, `<< "EOF"`, but not the here-string `<<<`.
_HEREDOC = re.compile(r"(?<!<)<<-?(?!<)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def logical_commands(lines: Iterable[SourceLine]) -> Iterator[tuple[list[SourceLine], str]]:
    """Whole command lines as bash reads them: `\\` continuations and quotes spanning
    lines joined, a trailing `|` or `&&` continued, heredoc bodies left out."""
    pending: list[SourceLine] = []
    text = ""
    heredocs: list[str] = []
    for source in lines:
        if heredocs:
            if source.text.strip() == heredocs[0]:
                heredocs.pop(0)
            continue
        line = source.text
        if SNIPPET.match(line):
            continue  # an included snippet is a file of its own
        line = MACRO.sub("MACRO_VALUE", line)
        if not pending:
            text = line
        elif text.endswith("\\"):
            text = text[:-1] + " " + line
        else:
            text = text + "\n" + line
        pending.append(source)
        heredocs += [match[2] for match in _HEREDOC.finditer(line)]
        if _complete(text):
            yield pending, text
            pending, text = [], ""
    if pending:
        yield pending, text


_CONTINUED_BY = {"|", "&&", "||", "|&"}


def _complete(text: str) -> bool:
    if text.endswith("\\"):
        return False
    try:
        tokens = _tokens(_outer(text)[0])
    except ValueError:  # a quote still open
        return False
    return not (tokens and tokens[-1] in _CONTINUED_BY)


def _outer(text: str) -> tuple[str, list[str]]:
    """`text` without its comments, each command substitution (`$(...)`, backticks)
    replaced by one word; and the substitutions' own text, to check on their own."""
    out: list[str] = []
    inner: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote == "'":
            quote = "" if c == "'" else quote
            out.append(c)
            i += 1
        elif c == "\\":
            out.append(text[i : i + 2])
            i += 2
        elif c == "'" and not quote:
            quote = "'"
            out.append(c)
            i += 1
        elif c == '"':
            quote = "" if quote == '"' else '"'
            out.append(c)
            i += 1
        elif text.startswith("$(", i) and not text.startswith("$((", i):
            end = _closing_parenthesis(text, i + 2)
            inner.append(text[i + 2 : end])
            out.append("SUBSTITUTION")
            i = end + 1
        elif c == "`":
            end = text.find("`", i + 1)
            end = len(text) if end < 0 else end
            inner.append(text[i + 1 : end])
            out.append("SUBSTITUTION")
            i = end + 1
        elif c == "#" and not quote and (i == 0 or text[i - 1] in " \t\n;|&()"):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        else:
            out.append(c)
            i += 1
    return "".join(out), inner


def _closing_parenthesis(text: str, start: int) -> int:
    depth, quote, i = 1, "", start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c == "\\":
            i += 1
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


_PUNCTUATION = "();<>|&"


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^]]*\])?\+?=")
_KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}"}
_NOT_A_COMMAND = {"for", "case", "select", "function", "esac", "in", "[[", "]]"}
_WRAPPERS = {"sudo", "env", "command", "exec", "nohup", "time", "nice"}


def simple_commands(text: str) -> Iterator[list[str]]:
    """The words of each simple command of a command line, with what runs in command
    substitutions as commands of their own; redirections left out."""
    outer, substitutions = _outer(text)
    for inner in substitutions:
        yield from simple_commands(inner)
    try:
        tokens = _tokens(outer)
    except ValueError:
        return
    words: list[str] = []
    redirect = False
    for token in [*tokens, ";"]:
        if token and all(c in _PUNCTUATION for c in token):
            if "<" in token or ">" in token:
                redirect = True
                continue
            if words:
                yield words
            words = []
            continue
        if redirect:
            redirect = False
            continue
        words.append(token)


def program_of(words: list[str]) -> tuple[str, list[str]] | None:
    """The program a simple command runs, by file name, and its arguments."""
    k = 0
    while k < len(words) and (words[k] in _KEYWORDS or _ASSIGNMENT.match(words[k])):
        k += 1
    if k == len(words) or words[k] in _NOT_A_COMMAND or words[k].endswith("()"):
        return None
    name = words[k].rsplit("/", 1)[-1]
    if name in _WRAPPERS:
        rest = words[k + 1 :]
        while rest and (rest[0].startswith("-") or _ASSIGNMENT.match(rest[0])):
            rest = rest[1:]
        return program_of(rest) if rest else None
    return name, words[k + 1 :]


# --- options, read the way the tools read them ------------------------------------------


@dataclass
class Arguments:
    letters: list[tuple[str, str | None]]  # short options: (letter, value or None)
    long: list[str]  # --long options as written
    operands: list[str]

    def has(self, letters: str) -> bool:
        return any(letter in letters for letter, _ in self.letters)

    def values(self, letter: str) -> list[str]:
        return [value or "" for found, value in self.letters if found == letter]

    def has_long(self, *names: str) -> bool:
        return any(option.split("=", 1)[0] in names for option in self.long)


def parse_arguments(
    args: list[str], valued: str = "", optional: str = "", stop_at_operand: bool = False
) -> Arguments:
    """Short options (`-ab`, `-e VALUE`, `-eVALUE`), long ones and operands. `valued`
    letters take a value (the rest of the word or the next word), `optional` ones only
    the rest of the word (`sed -i.bak`). GNU reads options after operands too, unless
    `stop_at_operand` (a command that runs another, like xargs)."""
    found = Arguments([], [], [])
    words = iter(args)
    for word in words:
        if word == "--":
            found.operands += list(words)
            break
        if word.startswith("--"):
            found.long.append(word)
        elif word.startswith("-") and len(word) > 1:
            for k in range(1, len(word)):
                letter, rest = word[k], word[k + 1 :]
                if letter in valued:
                    found.letters.append((letter, rest or next(words, "")))
                    break
                if letter in optional:
                    found.letters.append((letter, rest))
                    break
                found.letters.append((letter, None))
        else:
            found.operands.append(word)
            if stop_at_operand:
                found.operands += list(words)
                break
    return found
