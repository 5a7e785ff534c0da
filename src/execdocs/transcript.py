"""Console transcripts: split a block into commands.

`parse_transcript` turns the lines of a ```console block into `Command`s: `$ ` starts a
command, a line ending in `\\` continues it onto the next line, and following lines that
start with `> ` (the shell's second prompt) continue it while bash would still be
waiting for more (an open quote, a heredoc, an unclosed `if`, a trailing `|` ...); once
the command is complete, `> ` lines are output (npm prints its scripts that way). The
other lines are the expected output of the command above them; blank lines leading or
trailing that output are layout, not output. How that output is matched is
`execdocs.matcher`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from execdocs import shell_syntax
from execdocs.model import Command, InvalidPage, Origin

PROMPT = "$ "
SECOND_PROMPT = "> "


def parse_transcript(lines: Sequence[str], origins: Sequence[Origin]) -> list[Command]:
    """The commands of a console block whose body is `lines` (one `Origin` per line)."""
    [commands], problems = parse_transcripts([(lines, origins)])
    if commands is None:
        raise InvalidPage.several(problems)
    return commands


def parse_transcripts(
    blocks: Sequence[tuple[Sequence[str], Sequence[Origin]]],
) -> tuple[list[list[Command] | None], list[InvalidPage]]:
    """The commands of several console blocks (body lines, origins), None for each block
    that is invalid, and the problems of those.

    Whether a `> ` line continues a command is bash's to say (`execdocs.shell_syntax`);
    the texts it is asked about are gathered over all the blocks first, in two rounds,
    so that a page costs one or two bash processes.
    """
    blocks = [(list(lines), list(origins)) for lines, origins in blocks]
    asks = any(_is_continuation(line) for lines, _ in blocks for line in lines)
    for round_ in (_FirstGuess, _SecondGuess) if asks else ():
        guess = round_()
        for lines, origins in blocks:
            try:
                _commands(lines, origins, guess)
            except InvalidPage:
                pass  # reported by the real pass below
        try:
            shell_syntax.verdicts(guess.asked)
        except shell_syntax.ShellUnavailable:
            break  # reported, for each command that needs bash, by the real pass below
    results: list[list[Command] | None] = []
    problems: list[InvalidPage] = []
    for lines, origins in blocks:
        try:
            results.append(_commands(lines, origins, _ask_bash))
        except InvalidPage as error:
            results.append(None)
            problems.append(error)
    return results, problems


Decide = Callable[[str, "shell_syntax.Verdict | None"], "shell_syntax.Verdict"]


def _commands(lines: list[str], origins: list[Origin], decide: Decide) -> list[Command]:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return []
    if not _is_command(lines[first]):
        raise InvalidPage(
            origins[first],
            f"a console block must start with a `$ ` command line, not {lines[first].strip()!r};"
            " start it with `$ command` or use ```text for output alone",
        )
    commands: list[Command] = []
    i = first
    while i < len(lines):
        origin = origins[i]
        parts = [lines[i][len(PROMPT.rstrip()) :].removeprefix(" ")]
        i += 1
        previous: shell_syntax.Verdict | None = None
        while i < len(lines):
            if parts[-1].endswith("\\"):
                parts.append(lines[i])
            elif _is_continuation(lines[i]):
                try:
                    previous = decide("\n".join(parts), previous)
                except shell_syntax.ShellUnavailable as error:
                    raise InvalidPage(
                        origin,
                        f"cannot tell whether the `> ` lines below continue this command or"
                        f" are its output: bash could not be asked ({error}); install bash",
                    ) from None
                if previous.complete:
                    break  # `> ` lines after a complete command are its output
                parts.append(lines[i][len(SECOND_PROMPT) :])
            else:
                break
            i += 1
        if not "".join(parts).strip():
            raise InvalidPage(origin, "a `$` prompt with no command; write the command after `$ `")
        expected_from = i
        while i < len(lines) and not _is_command(lines[i]):
            i += 1
        expected_to = i
        # Blank lines leading or trailing the output are layout, not output.
        while expected_from < expected_to and not lines[expected_from].strip():
            expected_from += 1
        while expected_to > expected_from and not lines[expected_to - 1].strip():
            expected_to -= 1
        commands.append(
            Command(
                text="\n".join(parts),
                origin=origin,
                expected=[line.rstrip() for line in lines[expected_from:expected_to]],
                expected_origins=list(origins[expected_from:expected_to]),
                expected_at=(expected_from, expected_to),
            )
        )
    return commands


def _is_command(line: str) -> bool:
    return line.startswith(PROMPT) or line.rstrip() == PROMPT.rstrip()


def _is_continuation(line: str) -> bool:
    return line.startswith(SECOND_PROMPT) or line.rstrip() == SECOND_PROMPT.rstrip()


def _inferred(text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict | None:
    """The verdict on `text` without asking: inside a heredoc until its delimiter line."""
    word = previous.heredoc_word if previous is not None else None
    if word is not None and text.rsplit("\n", 1)[-1].lstrip("\t") != word:
        return previous
    return None


def _ask_bash(text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict:
    return _inferred(text, previous) or shell_syntax.verdicts([text])[0]


class _FirstGuess:
    """First round: gather the first text of each command followed by `> ` lines."""

    def __init__(self):
        self.asked: list[str] = []

    def __call__(self, text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict:
        known = shell_syntax.known(text) or _inferred(text, previous)
        if known is not None:
            return known
        self.asked.append(text)
        return shell_syntax.Verdict(True)  # go on as if complete; the next round knows


class _SecondGuess(_FirstGuess):
    """Second round: past a heredoc to its delimiter line; for any other incomplete
    command, every longer text its `> ` lines could make."""

    def __call__(self, text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict:
        known = shell_syntax.known(text) or _inferred(text, previous)
        if known is not None:
            return known
        self.asked.append(text)
        guessing_on = previous is not None and not previous.complete
        return shell_syntax.Verdict(not guessing_on)
