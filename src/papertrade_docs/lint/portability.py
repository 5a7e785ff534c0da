"""Commands that work on a Mac as well as on Linux (`make lint`'s `portability` step,
with `build_files`).

- **GNU-only idioms.** The shell a reader types (shell and console blocks, hidden ones
  too, read as `blocks` reads them for shellcheck) must work with both GNU and BSD
  userlands (`sed -i` without a suffix, `grep -P`, `readlink -f`, `mktemp` without a
  template, ...), unless the block sits in a Linux content tab (`=== "Linux"`).
  Commands run inside a container (`docker ...`) are not the reader's userland and are
  not looked at. In a macOS tab, BSD's own forms (`sed -i ''`) are right.
- **Tools beyond Docker are named.** A page that runs jq, Node.js or Python on the
  reader's machine says so in its introduction (before its first section).

Each finding is `file:line: <idiom> is GNU-only; <portable form>` (or, for a tool,
what to name), at the page's source line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from execdocs import Fence, InvalidPage
from papertrade_docs.lint.blocks import content_tabs, read_page
from papertrade_docs.lint.shell_words import (
    SourceLine,
    block_lines,
    logical_commands,
    parse_arguments,
    program_of,
    simple_commands,
)


@dataclass(frozen=True)
class Idiom:
    needle: str  # the word on the page line to point at
    idiom: str
    portable: str

    def message(self) -> str:
        return f"{self.idiom} is GNU-only; {self.portable}"


_BRE_EXTENSIONS = ("\\|", "\\+", "\\?")
_SED_ADDRESS = r"(?:\d+|\$|/(?:[^/\\\n]|\\.)*/)"
# GNU's one-line `a`, `i` and `c` (`1i text`, `$a\text`); POSIX puts the text on the
# line after `a\`.
_SED_ONE_LINE_TEXT = re.compile(
    rf"(?:^|[;{{\n])\s*(?:{_SED_ADDRESS}(?:\s*,\s*{_SED_ADDRESS})?)?\s*!?\s*"
    r"(?P<command>[aic])(?!\s*\\\n)(?=\s*[^\s/;}])"
)


def _bre_extension(patterns: list[str], tool: str) -> list[Idiom]:
    for pattern in patterns:
        for extension in _BRE_EXTENSIONS:
            if extension in pattern:
                return [
                    Idiom(
                        tool,
                        f"`{extension}` in a basic regular expression",
                        f"use `{tool} -E` with `{extension[1]}`",
                    )
                ]
    return []


def _bsd_in_place(args: list[str]) -> bool:
    """`sed -i '' ...`: BSD's in-place edit without a backup (GNU reads '' as the script)."""
    return any(
        re.fullmatch(r"-[A-Za-z]*i", word) and following == ""
        for word, following in zip(args, args[1:], strict=False)
    )


def _sed(args: list[str], bsd: bool = False) -> list[Idiom]:
    found = parse_arguments(args, valued="efl", optional="i")
    idioms = []
    if _bsd_in_place(args):
        if not bsd:
            idioms.append(
                Idiom(
                    "-i",
                    "`sed -i ''` is BSD-only, and `sed -i` without a suffix",
                    "write `sed -i.bak ... FILE && rm FILE.bak`, or put each form in a Linux"
                    " and a macOS tab",
                )
            )
        found.operands.remove("")
    elif any(not value for value in found.values("i")) or found.has_long("--in-place"):
        idioms.append(
            Idiom(
                "-i",
                "`sed -i` without a suffix",
                "write `sed -i.bak ... FILE && rm FILE.bak` (BSD sed reads the next word as"
                " the suffix)",
            )
        )
    scripts = found.values("e") or ([] if found.has("f") else found.operands[:1])
    for script in scripts:
        match = _SED_ONE_LINE_TEXT.search(script)
        if match:
            command = match["command"]
            idioms.append(
                Idiom(
                    "sed",
                    f"`sed` one-line `{command}` text",
                    f"write `{command}\\` with the text on the next line, or build the file"
                    " with `{ echo TEXT; cat FILE; } > NEW && mv NEW FILE`",
                )
            )
            break
    if not (found.has("Er") or found.has_long("--regexp-extended")):
        idioms += _bre_extension(scripts, "sed")
    return idioms


def _grep(program: str, args: list[str]) -> list[Idiom]:
    found = parse_arguments(args, valued="ABCDdefm")
    idioms = []
    if found.has("P") or found.has_long("--perl-regexp"):
        idioms.append(
            Idiom(
                "-P" if found.has("P") else "--perl-regexp",
                "`grep -P`",
                "use `grep -E` (`[0-9]` for `\\d`, `[[:space:]]` for `\\s`), or `sed -E`",
            )
        )
    extended = found.has("EFP") or found.has_long("--extended-regexp", "--fixed-strings")
    if program == "grep" and not extended:
        idioms += _bre_extension(found.values("e") or found.operands[:1], "grep")
    return idioms


def _readlink(args: list[str]) -> list[Idiom]:
    found = parse_arguments(args)
    if found.has("fem") or found.has_long("--canonicalize", "--canonicalize-existing"):
        return [
            Idiom(
                "readlink",
                "`readlink -f`",
                'write `(cd "$(dirname "$path")" && pwd -P)` for a folder\'s real path',
            )
        ]
    return []


def _date(args: list[str]) -> list[Idiom]:
    found = parse_arguments(args, valued="dfrv")
    if found.has("d") or found.has_long("--date"):
        return [
            Idiom(
                "-d" if found.has("d") else "--date",
                "`date -d`",
                "BSD writes `date -j -f FORMAT STRING`: put each in a Linux and a macOS tab,"
                " or run it in a container",
            )
        ]
    return []


def _stat(args: list[str]) -> list[Idiom]:
    found = parse_arguments(args, valued="cft")
    if found.has("c") or found.has_long("--format", "--printf"):
        return [
            Idiom(
                "stat",
                "`stat -c`",
                "BSD writes `stat -f`; for a size use `wc -c < FILE`, for owner and mode"
                " `ls -ln FILE`",
            )
        ]
    return []


def _base64(args: list[str]) -> list[Idiom]:
    found = parse_arguments(args, valued="wbio")
    if found.has("w") or found.has_long("--wrap"):
        return [Idiom("base64", "`base64 -w`", "write `base64 | tr -d '\\n'` for one line")]
    return []


def _xargs(args: list[str], bsd: bool = False) -> list[Idiom]:
    found = parse_arguments(args, valued="EILnPsda", stop_at_operand=True)
    idioms = []
    if found.has("r") or found.has_long("--no-run-if-empty"):
        idioms.append(
            Idiom(
                "-r" if found.has("r") else "--no-run-if-empty",
                "`xargs -r`",
                "use `find ... -exec CMD {} +` (runs nothing when nothing is found), or"
                ' test the input first (`[ -n "$list" ]`)',
            )
        )
    if found.operands:
        idioms += command_idioms(found.operands, bsd)
    return idioms


def _cp(args: list[str]) -> list[Idiom]:
    found = parse_arguments(args, valued="St")
    no_clobber = found.has_long("--no-clobber") or any(
        option.startswith("--update=none") for option in found.long
    )
    if found.has("n") or no_clobber:
        return [
            Idiom(
                "cp",
                "`cp -n`",
                "its exit status for an existing file differs between systems and versions;"
                " write `[ -e DEST ] || cp SRC DEST`",
            )
        ]
    return []


def _mktemp(args: list[str]) -> list[Idiom]:
    found = parse_arguments(args, valued="p")
    portable = 'write `mktemp "${TMPDIR:-/tmp}/NAME.XXXXXX"` (with `-d` for a folder)'
    if found.has("tp") or found.has_long("--tmpdir", "--suffix"):
        return [Idiom("mktemp", "`mktemp -t`/`-p`/`--tmpdir` (BSD's `-t` differs)", portable)]
    if not found.operands:
        return [Idiom("mktemp", "`mktemp` without a template", portable)]
    return []


def _find(args: list[str]) -> list[Idiom]:
    if any(word in ("-printf", "-fprintf") for word in args):
        return [Idiom("-printf", "`find -printf`", "use `-exec ls -ld {} +` or `-print`")]
    return []


def _gnu_command(name: str, portable: str) -> list[Idiom]:
    return [Idiom(name, f"`{name}`", portable)]


def _shell(args: list[str], bsd: bool = False) -> list[Idiom]:
    found = parse_arguments(args, stop_at_operand=True)
    if found.has("c") and found.operands:
        return [
            idiom
            for words in simple_commands(found.operands[0])
            for idiom in command_idioms(words, bsd)
        ]
    return []


_CHECKS = {
    "sed": _sed,
    "grep": lambda args: _grep("grep", args),
    "egrep": lambda args: _grep("egrep", args),
    "fgrep": lambda args: _grep("fgrep", args),
    "readlink": _readlink,
    "date": _date,
    "stat": _stat,
    "base64": _base64,
    "xargs": _xargs,
    "cp": _cp,
    "mktemp": _mktemp,
    "find": _find,
    "bash": _shell,
    "sh": _shell,
    "tac": lambda _: _gnu_command("tac", "write `tail -r` (BSD) or `sed -n '1!G;h;$p'`"),
    "nproc": lambda _: _gnu_command("nproc", "write `getconf _NPROCESSORS_ONLN`"),
    "timeout": lambda _: _gnu_command("timeout", "macOS has none; put it in a Linux tab"),
    "sha256sum": lambda _: _gnu_command("sha256sum", "write `shasum -a 256`"),
    "md5sum": lambda _: _gnu_command("md5sum", "write `openssl md5`"),
}


# What runs its arguments inside a container, not on the reader's machine.
_CONTAINER_CLIENTS = {"docker", "podman"}
# The checks that read a command differently in a macOS tab (BSD's userland).
_USERLAND_AWARE = {"sed", "xargs", "bash", "sh"}


def command_idioms(words: list[str], bsd: bool = False) -> list[Idiom]:
    """The GNU-only idioms of one simple command run on the reader's machine; `bsd`: in a
    macOS tab, where BSD's own forms are right."""
    found = program_of(words)
    if found is None:
        return []
    name, args = found
    if name in _CONTAINER_CLIENTS:
        return []  # its commands run in a container's userland, not the reader's
    check = _CHECKS.get(name)
    if check is None:
        return []
    return check(args, bsd) if name in _USERLAND_AWARE else check(args)


# --- tools beyond Docker ----------------------------------------------------------------

# A program run on the reader's machine, the tool it belongs to, and how a page's
# introduction may name that tool.
HOST_TOOLS = {
    "jq": ("jq", re.compile(r"\bjq\b")),
    "yq": ("yq", re.compile(r"\byq\b")),
    "node": ("Node.js", re.compile(r"\b(?:node(?:\.js)?|npm)\b", re.IGNORECASE)),
    "npm": ("Node.js", re.compile(r"\b(?:node(?:\.js)?|npm)\b", re.IGNORECASE)),
    "npx": ("Node.js", re.compile(r"\b(?:node(?:\.js)?|npm)\b", re.IGNORECASE)),
    "python": ("Python", re.compile(r"\bpython", re.IGNORECASE)),
    "python3": ("Python", re.compile(r"\bpython", re.IGNORECASE)),
    "pip": ("Python", re.compile(r"\bpython|\bpip\b", re.IGNORECASE)),
    "pip3": ("Python", re.compile(r"\bpython|\bpip\b", re.IGNORECASE)),
}


def host_tool(words: list[str]) -> str | None:
    """The program of HOST_TOOLS a simple command runs on the reader's machine."""
    found = program_of(words)
    while found is not None and found[0] == "xargs":
        operands = parse_arguments(found[1], valued="EILnPsda", stop_at_operand=True).operands
        found = program_of(operands) if operands else None
    if found is None or found[0] not in HOST_TOOLS:
        return None
    return found[0]


_SECTION = re.compile(r"^#{2,6}\s")


def introduction(lines: list[str], fences: list[Fence]) -> str:
    """The page's text before its first section heading (`##`), code blocks left out."""
    in_code = set()
    for fence in fences:
        first, last = fence.comment or (fence.open_line, fence.close_line)
        in_code.update(range(first, last + 1))
    text = []
    for index, line in enumerate(lines):
        if index in in_code:
            continue
        if _SECTION.match(line):
            break
        text.append(line)
    return "\n".join(text)


# --- a page ---------------------------------------------------------------------------------


_LINUX = re.compile(r"\b(?:Linux|Debian|Ubuntu|Fedora|RHEL)\b")
_MACOS = re.compile(r"\b(?:macOS|Mac|BSD)\b")


def _is_linux_tab(label: str) -> bool:
    return bool(_LINUX.search(label)) and not _MACOS.search(label)


def _is_macos_tab(label: str) -> bool:
    return bool(_MACOS.search(label)) and not _LINUX.search(label)


def _line_of(lines: list[SourceLine], program: str, needle: str) -> int:
    """The page line showing the finding: the first that holds the needle, from the one
    that names the program on."""
    named = re.compile(rf"\b{re.escape(program)}\b")
    start = next((k for k, source in enumerate(lines) if named.search(source.text)), 0)
    for source in lines[start:]:
        if needle in source.text:
            return source.line
    return lines[start].line


def page_findings(page: Path, root: Path) -> list[str]:
    """`file:line: ...` for each GNU-only idiom outside a Linux tab, and for each tool
    beyond Docker the page runs without naming it in its introduction."""
    name = page.relative_to(root).as_posix()
    try:
        lines, fences = read_page(page)
        blocks = [(fence, block_lines(page, fence)) for fence in fences]
    except InvalidPage as error:
        return [f"{Path(error.origin.path).relative_to(root)}:{error.origin.line}: {error.message}"]
    findings: list[str] = []
    tools: dict[str, int] = {}  # tool name: first page line using it
    for fence, block in blocks:
        tabs = content_tabs(lines, fence)
        linux_only = any(_is_linux_tab(label) for label in tabs)
        bsd = any(_is_macos_tab(label) for label in tabs)
        for sources, text in logical_commands(block):
            for words in simple_commands(text):
                tool = host_tool(words)
                if tool:
                    tools.setdefault(tool, _line_of(sources, tool, tool))
                if linux_only:
                    continue
                program = (program_of(words) or ("", []))[0]
                for idiom in command_idioms(words, bsd):
                    line = _line_of(sources, program, idiom.needle)
                    findings.append(f"{name}:{line}: {idiom.message()}")
    intro = introduction(lines, fences)
    named: set[str] = set()
    for program, line in sorted(tools.items(), key=lambda item: item[1]):
        tool, mention = HOST_TOOLS[program]
        if tool in named or mention.search(intro):
            continue
        named.add(tool)
        findings.append(
            f"{name}:{line}: `{program}` runs on the reader's machine, but the page's"
            f" introduction does not name {tool}; say so before the first section (e.g."
            f' "Besides Docker, this page uses {tool}.")'
        )
    return sorted(set(findings), key=_by_line)


def _by_line(finding: str) -> tuple[str, int, str]:
    file, line, rest = finding.split(":", 2)
    return file, int(line) if line.isdigit() else 0, rest
