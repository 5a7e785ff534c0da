"""A fence's info string: the language, then `key="value"` options.

Options are written the way pytest-examples reads them (double or single quotes).
`parse_info` checks them and refuses anything it does not understand, so a typo never
silently turns a test off. Options the site's highlighter reads itself (`title`,
`linenums`, `hl_lines`) are accepted and left to it. `reader_info` is the info string
as the built site gets it: test options removed, `file="path"` shown as the title.
"""

from __future__ import annotations

import re

from execdocs.model import BlockKind, InvalidPage, Origin

TEST_OPTIONS = ("test", "reason", "wait", "timeout", "exit", "file", "requires", "url",
                "sources")
# Read by pymdownx.highlight/superfences; not ours, but allowed on any block.
DISPLAY_OPTIONS = ("title", "linenums", "hl_lines")
TEST_MODES = ("skip", "background")
INTEGER_OPTIONS = ("wait", "timeout", "exit")
# Sourced as shell blocks; a language is compared in lower case (```BASH is bash), as the
# site's highlighter reads it.
SHELL_LANGUAGES = ("bash", "sh", "shell")
# A `screenshot` block photographs `url` in the page's sandbox (`execdocs.screenshot`);
# its text is the picture's description, and the site shows the picture in its place.
SCREENSHOT = "screenshot"
SCREENSHOT_OPTIONS = ("url", "sources")
RUN_LANGS = ("console", *SHELL_LANGUAGES, "python", SCREENSHOT)
# How pymdownx.superfences reads these; any other value makes the site show the block
# as text, so the runner refuses it.
_DISPLAY_VALUES = {
    "hl_lines": (re.compile(r"\d+(?:-\d+)?(?:[ \t]+\d+(?:-\d+)?)*"), 'hl_lines="1 3-4"'),
    "linenums": (re.compile(r"\d+(?:[ \t].*)?"), 'linenums="1"'),
}

_OPTION = re.compile(r"""\s*(?P<key>[A-Za-z_][\w-]*)=(?P<quote>["'])(?P<value>.*?)(?P=quote)""")
_LANG = re.compile(r"[\w.+#-]*")


def parse_info(info: str, origin: Origin) -> tuple[str, dict[str, str]]:
    """The language and the test options of an info string (display options dropped).

    Raises `InvalidPage` at `origin` for anything malformed or unknown.
    """
    info = info.strip()
    lang, rest = split_language(info)
    if rest.lstrip().startswith("{"):
        return _attribute_form(info, lang, rest, origin), {}
    if rest and not rest[0].isspace() and (lang or _test_options_in(rest)):
        raise InvalidPage(
            origin, f'{info!r} does not start with a language; write ```lang key="value"'
        )
    try:
        found_options = _option_matches(rest)
    except ValueError as bad:
        raise InvalidPage(
            origin, f'malformed option {bad} in {info!r}; write options as key="value"'
        ) from None
    options: dict[str, str] = {}
    for found in found_options:
        key, value = found.group("key"), found.group("value")
        if key in options:
            raise InvalidPage(origin, f"option {key!r} is given twice; keep one")
        if key not in TEST_OPTIONS and key not in DISPLAY_OPTIONS:
            known = ", ".join(TEST_OPTIONS + DISPLAY_OPTIONS)
            raise InvalidPage(origin, f"unknown option {key!r}; the options are: {known}")
        options[key] = value
    _check(options, origin)
    return lang, {key: value for key, value in options.items() if key in TEST_OPTIONS}


def split_language(info: str) -> tuple[str, str]:
    """(language, the rest) of a stripped info string; no language when it starts with an
    option. A leading `.` (```.sh) is not part of the language, as on the site."""
    word = _LANG.match(info).group()
    if info[len(word) :].startswith("="):
        return "", info
    return word.removeprefix("."), info[len(word) :]


def _attribute_form(info: str, lang: str, rest: str, origin: Origin) -> str:
    """The language of a `{.lang key="value"}` info string, which the site reads as
    attributes. The runner does not: a block it would run (or one with a test option)
    written this way is refused, a block that is only shown is fine."""
    attributes = rest.strip()
    lang = lang or next(iter(re.findall(r"(?:^|\s|\{)\.([\w#+-][\w#.+-]*)", attributes)), "")
    named = {found.group("key") for found in re.finditer(r"(?P<key>[A-Za-z_][\w-]*)=", attributes)}
    if lang in RUN_LANGS or is_shell_language(lang) or named & set(TEST_OPTIONS):
        raise InvalidPage(
            origin,
            f"execdocs reads options written `lang key=\"value\"`, not in braces as in {info!r};"
            f' write the language first, then the options: ```{lang or "lang"} key="value"',
        )
    return lang


def _test_options_in(text: str) -> bool:
    """Whether `text` (options with no language first) names any test option: only the
    site's display options may go without a language (```title="x" is shown)."""
    return any(re.match(rf"{key}=", word) for word in text.split() for key in TEST_OPTIONS)


def _option_matches(text: str) -> list[re.Match[str]]:
    """The `key="value"` options making up all of `text`; ValueError names a bad one."""
    matches = []
    position = 0
    while text[position:].strip():
        found = _OPTION.match(text, position)
        if found is None or (found.end() < len(text) and not text[found.end()].isspace()):
            raise ValueError(repr(_bad_token(text[position:].strip())))
        matches.append(found)
        position = found.end()
    return matches


def _bad_token(text: str) -> str:
    """The malformed option at the start of `text`, whole: an option whose quote is
    never closed runs to the end."""
    if re.match(r"""[A-Za-z_][\w-]*=["']""", text) and _OPTION.match(text) is None:
        return text
    quoted = re.match(r"""[^\s"']*(?:(["'])[^"']*\1?[^\s"']*)*""", text).group()
    return quoted or text.split()[0]


def _check(options: dict[str, str], origin: Origin) -> None:
    for key, (pattern, example) in _DISPLAY_VALUES.items():
        if key in options and not pattern.fullmatch(options[key]):
            raise InvalidPage(
                origin,
                f'{key}="{options[key]}" is not what the site reads, so it would show the'
                f" block as text; write e.g. {example}",
            )
    test = options.get("test")
    if test is not None and test not in TEST_MODES:
        raise InvalidPage(origin, f'test="{test}" is not a mode; use test="skip" or "background"')
    if test == "skip" and not options.get("reason", "").strip():
        raise InvalidPage(origin, 'test="skip" needs a reason; add reason="why it is not run"')
    if "reason" in options and test != "skip":
        raise InvalidPage(origin, 'reason= only goes with test="skip"; remove it or skip the block')
    for key in INTEGER_OPTIONS:
        if key in options and not options[key].isdecimal():
            raise InvalidPage(
                origin, f'{key}="{options[key]}" is not a whole number; write e.g. {key}="30"'
            )
    if options.get("timeout") is not None and int(options["timeout"]) == 0:
        raise InvalidPage(origin, 'timeout="0" would fail at once; give seconds, e.g. "60"')
    for key in ("file", "requires", *SCREENSHOT_OPTIONS):
        if key in options and not options[key].strip():
            raise InvalidPage(origin, f'{key}="" is empty; give a value or remove the option')


def block_kind(lang: str, options: dict[str, str], origin: Origin) -> BlockKind:
    """What the runner does with a block: see the table in the contract."""
    if lang == SCREENSHOT:
        return _screenshot_kind(options, origin)
    for key in SCREENSHOT_OPTIONS:
        if key in options:
            raise InvalidPage(origin, f"{key}= goes on ```{SCREENSHOT} blocks only; remove it")
    if lang == "console":
        if "file" in options:
            raise InvalidPage(
                origin, "file= writes a block to a file; use it on ```text or the file's language"
            )
        return "console"
    if "file" in options:
        return "file"
    if is_shell_language(lang):
        return "shell"
    if lang == "python":
        return "python"
    return "shown"


def _screenshot_kind(options: dict[str, str], origin: Origin) -> BlockKind:
    url = options.get("url", "")
    if not url.startswith(("http://", "https://")):
        raise InvalidPage(origin, f"a ```{SCREENSHOT} block needs the address to photograph;"
                                  ' add url="http://127.0.0.1:PORT/path"')
    for key in ("file", "exit"):
        if key in options:
            raise InvalidPage(origin, f"{key}= does nothing on a ```{SCREENSHOT} block; remove it")
    return "screenshot"


def is_shell_language(lang: str) -> bool:
    """Whether a block of language `lang` is sourced as a shell block (any case)."""
    return lang.lower() in SHELL_LANGUAGES


def reader_info(info: str) -> str:
    """The info string as readers get it: test options removed, `file` as the title.

    Text this module cannot parse is returned unchanged (the runner reports it).
    """
    stripped = info.strip()
    lang = _LANG.match(stripped).group()
    try:
        found_options = _option_matches(stripped[len(lang) :])
    except ValueError:
        return info
    kept: list[str] = [lang] if lang else []
    title: str | None = None
    has_title = False
    for found in found_options:
        key = found.group("key")
        if key == "file":
            title = found.group("value")
        elif key not in TEST_OPTIONS:
            has_title = has_title or key == "title"
            kept.append(found.group().strip())
    if title is not None and not has_title:
        quote = "'" if '"' in title else '"'
        kept.append(f"title={quote}{title}{quote}")
    return " ".join(kept)
