"""Info strings: language, options, their checks, the block's kind, the reader's view."""

from pathlib import Path

import pytest

from execdocs.model import InvalidPage, Origin
from execdocs.options import block_kind, parse_info, reader_info

AT = Origin(Path("docs/page.md"), 12)


def refused(info: str) -> InvalidPage:
    with pytest.raises(InvalidPage) as caught:
        parse_info(info, AT)
    assert caught.value.origin == AT
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("info", "lang", "options"),
    [
        ("console", "console", {}),
        ("", "", {}),
        ("  sh  ", "sh", {}),
        ('console wait="60"', "console", {"wait": "60"}),
        ("console wait='60'", "console", {"wait": "60"}),
        (
            'console test="skip" reason="needs Docker Hub"',
            "console",
            {"test": "skip", "reason": "needs Docker Hub"},
        ),
        ('bash test="background"', "bash", {"test": "background"}),
        ('console exit="1" timeout="30"', "console", {"exit": "1", "timeout": "30"}),
        ('yaml file="docker/compose.yaml"', "yaml", {"file": "docker/compose.yaml"}),
        ('console requires="registry"', "console", {"requires": "registry"}),
        ('text title="Output" linenums="1" hl_lines="2 3"', "text", {}),
        ("c++", "c++", {}),
        ('sh  file="a b.sh"   title="Script"', "sh", {"file": "a b.sh"}),
        ("""sh reason='say "hi"' test="skip\"""", "sh", {"reason": 'say "hi"', "test": "skip"}),
    ],
)
def test_parse_info(info, lang, options):
    assert parse_info(info, AT) == (lang, options)


def test_unknown_option_names_the_known_ones():
    message = refused('console retries="3"').message
    assert "unknown option 'retries'" in message and "wait" in message


def test_skip_without_reason():
    assert "needs a reason" in refused('console test="skip"').message
    assert "needs a reason" in refused('console test="skip" reason="  "').message


def test_reason_without_skip():
    assert 'only goes with test="skip"' in refused('console reason="why"').message


def test_unknown_test_mode():
    assert "not a mode" in refused('console test="maybe"').message


@pytest.mark.parametrize("key", ["wait", "timeout", "exit"])
@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "", " 3"])
def test_integer_options_must_be_whole_numbers(key, value):
    assert "whole number" in refused(f'console {key}="{value}"').message


def test_zero_timeout_is_refused_but_zero_exit_and_wait_are_fine():
    assert "timeout" in refused('console timeout="0"').message
    assert parse_info('console exit="0" wait="0"', AT)[1] == {"exit": "0", "wait": "0"}


@pytest.mark.parametrize(
    "info",
    [
        "console wait=60",  # unquoted
        'console wait="60',  # unclosed quote
        'console wait="60"x',  # junk glued on
        'console wait="60"timeout="5"',  # no space between options
        "console skip",  # bare word
        'console wait = "60"',  # spaces around =
        "console=x",
    ],
)
def test_malformed_quoting_is_refused(info):
    assert 'key="value"' in refused(info).message


def test_options_without_a_language_are_refused():
    assert "does not start with a language" in refused('file="notes.txt"').message


def test_brace_style_info_is_refused_with_advice():
    assert "language first" in refused('{ .console title="x" }').message


def test_duplicate_option():
    assert "twice" in refused('console wait="1" wait="2"').message


def test_empty_file_or_requires():
    assert "empty" in refused('yaml file=""').message
    assert "empty" in refused('console requires=""').message


@pytest.mark.parametrize(
    ("lang", "options", "kind"),
    [
        ("console", {}, "console"),
        ("bash", {}, "shell"),
        ("sh", {}, "shell"),
        ("shell", {}, "shell"),
        ("BASH", {}, "shell"),  # as the site's highlighter and lint read it
        ("Sh", {}, "shell"),
        ("yaml", {"file": "compose.yaml"}, "file"),
        ("bash", {"file": "run.sh"}, "file"),
        ("", {"file": "notes.txt"}, "file"),
        ("python", {}, "python"),
        ("python", {"file": "app.py"}, "file"),
        ("text", {}, "shown"),
        ("json", {}, "shown"),
        ("dockerfile", {}, "shown"),
        ("", {}, "shown"),
        ("Console", {}, "shown"),
    ],
)
def test_block_kind(lang, options, kind):
    assert block_kind(lang, options, AT) == kind


def test_console_block_cannot_be_a_file():
    with pytest.raises(InvalidPage, match="file= writes a block"):
        block_kind("console", {"file": "x"}, AT)


@pytest.mark.parametrize(
    ("info", "shown"),
    [
        ('console wait="60" timeout="5"', "console"),
        ('console test="skip" reason="needs root"', "console"),
        ('yaml file="docker/compose.yaml"', 'yaml title="docker/compose.yaml"'),
        ('yaml file="a.yaml" title="Mine"', 'yaml title="Mine"'),
        ('text title="Out" linenums="1" exit="2"', 'text title="Out" linenums="1"'),
        ("sh file='say \"x\".sh'", "sh title='say \"x\".sh'"),
        ("python", "python"),
        ('file="notes.txt"', 'file="notes.txt"'),  # no language: parse_info refuses it
        ('console wait="60', 'console wait="60'),  # malformed: left for the runner to report
    ],
)
def test_reader_info(info, shown):
    assert reader_info(info) == shown


def test_a_malformed_option_is_quoted_whole():
    message = refused('console title="a b').message
    assert message.startswith("""malformed option 'title="a b' in""")
