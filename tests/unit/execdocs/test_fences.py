"""Fences are found where CommonMark (and Material's containers) put them."""

from pathlib import Path

import pytest

from execdocs.fences import find_fences
from execdocs.model import InvalidPage, Origin

PAGE = Path("page.md")


def fences(text: str):
    lines = text.split("\n")
    return find_fences(lines, [Origin(PAGE, k + 1) for k in range(len(lines))])


def refused(text: str) -> InvalidPage:
    with pytest.raises(InvalidPage) as caught:
        fences(text)
    return caught.value


def test_backtick_fence_with_lines_and_info():
    [fence] = fences('# Title\n\n```console wait="5"\n$ ls\nout\n```\n')
    assert fence.info == 'console wait="5"'
    assert fence.lang == "console"
    assert (fence.open_line, fence.close_line) == (2, 5)
    assert fence.body == ("$ ls", "out")
    assert [fence.body_line(k) for k in range(2)] == [3, 4]
    assert not fence.hidden


def test_tilde_fence_and_longer_fences_hold_shorter_ones():
    text = "~~~markdown\n```console\n$ ls\n```\n~~~\n\n````text\n```\n````\n"
    outer, longer = fences(text)
    assert outer.marker == "~~~" and outer.body == ("```console", "$ ls", "```")
    assert longer.marker == "````" and longer.body == ("```",)


def test_a_longer_closing_fence_does_not_close_it_as_on_the_site():
    # pymdownx.superfences closes a fence only with the same run of backticks.
    error = refused("```sh\necho hi\n`````\n")
    assert error.origin.line == 1 and "never closed" in error.message


def test_several_fences_in_order():
    text = "```sh\na\n```\ntext\n```console\n$ b\n```\n```\nplain\n```"
    assert [(f.lang, f.open_line) for f in fences(text)] == [("sh", 0), ("console", 4), ("", 7)]


def test_empty_fence():
    [fence] = fences("```console\n```")
    assert fence.body == ()


def test_fence_in_list_item_loses_the_item_indentation():
    text = "1. Start it:\n\n    ```console\n    $ docker compose up -d\n    ```\n\n2. Next"
    [fence] = fences(text)
    assert fence.body == ("$ docker compose up -d",)
    assert fence.open_line == 2


def test_fence_in_nested_list_item():
    text = "- a\n    - b\n\n        ```sh\n        echo nested\n        ```\n"
    [fence] = fences(text)
    assert fence.body == ("echo nested",)


def test_fence_in_block_quote():
    [fence] = fences("> ```sh\n> echo quoted\n> ```\n")
    assert fence.body == ("echo quoted",)


def test_indented_code_block_is_not_a_fence():
    assert fences("Para\n\n    ```console\n    $ not a fence\n    ```\n") == []


def test_fence_inside_a_fence_is_body_text():
    [fence] = fences("````md\n```console\n$ shown\n```\n````")
    assert fence.lang == "md"


def test_admonition_body_is_dedented():
    text = '!!! note "Heads up"\n    Some text.\n\n    ```console\n    $ ls -a\n    ```\n\nAfter'
    [fence] = fences(text)
    assert fence.body == ("$ ls -a",)
    assert (fence.open_line, fence.close_line) == (3, 5)


def test_admonition_directly_followed_by_fence():
    [fence] = fences("!!! warning\n    ```sh\n    rm -f x\n    ```\n")
    assert fence.body == ("rm -f x",)
    assert fence.open_line == 1


def test_collapsible_admonitions_and_content_tabs():
    text = (
        "??? tip\n    ```sh\n    a\n    ```\n\n"
        "???+ tip\n    ```sh\n    b\n    ```\n\n"
        '=== "Linux"\n\n    ```sh\n    c\n    ```\n\n'
        '=== "macOS"\n\n    ```sh\n    d\n    ```\n'
    )
    assert [f.body for f in fences(text)] == [("a",), ("b",), ("c",), ("d",)]


def test_admonition_inside_list_item_and_nested_admonitions():
    text = (
        "1. Step\n\n    !!! note\n        ```sh\n        in list\n        ```\n\n"
        "!!! note\n    !!! danger\n        ```sh\n        nested\n        ```\n"
    )
    assert [f.body for f in fences(text)] == [("in list",), ("nested",)]


def test_admonition_body_keeps_relative_indentation():
    text = "!!! note\n    ```yaml\n    services:\n      db:\n        image: x\n    ```\n"
    [fence] = fences(text)
    assert fence.body == ("services:", "  db:", "    image: x")


def test_admonition_marker_inside_a_code_block_is_text():
    text = "```text\n!!! note\n    ```sh\n    x\n```\n"
    [fence] = fences(text)
    assert fence.lang == "text"
    assert fence.body == ("!!! note", "    ```sh", "    x")


def test_text_after_admonition_is_not_dedented():
    text = "!!! note\n    body\n\n```sh\ntop level\n```\n"
    [fence] = fences(text)
    assert fence.body == ("top level",)
    assert fence.open_line == 3


def test_hidden_block_is_found_and_marked():
    text = "Intro\n\n<!-- execdocs\n```console\n$ docker compose down -v\n```\n-->\n\nEnd"
    [fence] = fences(text)
    assert fence.hidden
    assert fence.comment == (2, 6)
    assert (fence.open_line, fence.close_line) == (3, 5)
    assert fence.body == ("$ docker compose down -v",)


def test_hidden_comment_may_hold_several_blocks_and_a_note():
    text = "<!-- execdocs teardown\n```sh\na\n```\n\n```console\n$ b\n```\n-->"
    first, second = fences(text)
    assert first.hidden and second.hidden
    assert first.comment == second.comment == (0, 8)
    assert (second.open_line, second.body) == (5, ("$ b",))


def test_hidden_block_in_a_list_item():
    text = "- step\n\n  <!-- execdocs\n  ```sh\n  echo hidden\n  ```\n  -->\n"
    [fence] = fences(text)
    assert fence.hidden and fence.body == ("echo hidden",) and fence.open_line == 3


def test_hidden_and_visible_blocks_keep_document_order():
    text = "```sh\na\n```\n\n<!-- execdocs\n```sh\nb\n```\n-->\n\n```sh\nc\n```"
    assert [(f.body, f.hidden) for f in fences(text)] == [
        (("a",), False),
        (("b",), True),
        (("c",), False),
    ]


def test_ordinary_comments_are_ignored():
    assert (
        fences("<!-- a note\n```sh\nnot run\n```\n-->\n<!-- execdocsfoo\n```sh\nx\n```\n-->") == []
    )


def test_unterminated_fence_is_refused_at_its_line():
    error = refused("Text\n\n```console\n$ ls\n")
    assert error.origin == Origin(PAGE, 3)
    assert "never closed" in error.message


def test_fence_closed_by_its_list_item_ending_is_refused():
    error = refused("- item\n\n  ```sh\n  echo\nback at top level\n")
    assert error.origin.line == 3


def test_fence_closed_by_a_shorter_marker_is_refused():
    error = refused("````sh\necho\n```\n")
    assert error.origin.line == 1 and "````" in error.message


def test_unterminated_fence_in_hidden_comment_is_refused():
    error = refused("<!-- execdocs\n```sh\necho\n-->\n")
    assert error.origin.line == 2


def test_hidden_comment_without_block_is_refused():
    assert "holds no fenced block" in refused("<!-- execdocs\njust words\n-->").message


def test_hidden_comment_closed_on_the_block_line_is_refused():
    error = refused("<!-- execdocs\n```sh\necho\n``` -->\n")
    assert error.origin.line == 4 and "own line" in error.message


def test_hidden_comment_on_one_line_is_refused():
    assert "own line" in refused("<!-- execdocs echo -->").message


def test_error_origin_comes_from_the_origins_given():
    lines = ["```sh", "x"]
    origins = [Origin(Path("other.md"), 40), Origin(Path("other.md"), 41)]
    with pytest.raises(InvalidPage) as caught:
        find_fences(lines, origins)
    assert str(caught.value).startswith("other.md:40: ")


def test_admonition_marker_inside_a_fence_inside_an_admonition_is_text():
    text = "!!! note\n    ```text\n    !!! not a marker\n        indented text\n    ```\n"
    [fence] = fences(text)
    assert fence.body == ("!!! not a marker", "    indented text")


def test_many_admonitions_stay_fast():
    import time

    text = "\n\n".join(f"!!! note\n    ```sh\n    echo {k}\n    ```" for k in range(60))
    started = time.perf_counter()
    assert len(fences(text)) == 60
    assert time.perf_counter() - started < 2


def test_a_backtick_in_the_options_of_a_backtick_fence_is_a_block_as_on_the_site():
    # pymdownx.superfences (unlike CommonMark) takes a backtick in a quoted option.
    page = [
        "Intro.",
        "",
        '```console test="skip" reason="needs `sudo` here"',
        "$ whoami",
        "```",
    ]
    origins = [Origin(Path("page.md"), n) for n in range(1, len(page) + 1)]
    (fence,) = find_fences(page, origins)
    assert fence.lang == "console" and fence.body == ("$ whoami",) and fence.open_line == 2


def test_the_same_options_in_a_tilde_fence_are_a_block():
    page = ['~~~console test="skip" reason="needs `sudo` here"', "$ whoami", "~~~"]
    origins = [Origin(Path("page.md"), n) for n in range(1, len(page) + 1)]
    (fence,) = find_fences(page, origins)
    assert fence.lang == "console" and fence.body == ("$ whoami",)


def test_inline_code_with_three_backticks_in_prose_is_not_refused():
    page = ["Write ```` ```console ```` to open a transcript; a `file=` option names a file."]
    origins = [Origin(Path("page.md"), 1)]
    assert find_fences(page, origins) == []


# --- issue 13: found where the site's Markdown shows them ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "!!!note\n    ```sh\n    echo x\n    ```\n",  # no space after the marker
        '=== "Linux"\n\n    ```sh\n    echo x\n    ```\n',
        "-    item text after column 4\n\n     ```sh\n     echo x\n     ```\n",
        "> !!! note\n>     ```sh\n>     echo x\n>     ```\n",  # an admonition in a quote
        "<details>\n<summary>More</summary>\n```sh\necho x\n```\n</details>\n",
        "<div markdown>\n```sh\necho x\n```\n</div>\n",
        "Term\n:   Definition\n\n    ```sh\n    echo x\n    ```\n",  # def_list (no project)
        "Text right above\n```sh\necho x\n```\n",
    ],
)
def test_blocks_the_site_shows_are_found(text):
    [fence] = fences(text)
    assert fence.body == ("echo x",) and fence.lang == "sh"


@pytest.mark.parametrize(
    "text",
    [
        '=== "Tab"\n\n        ```sh\n        echo x\n        ```\n',  # 8 spaces: indented code
        "Para\n\n    ```sh\n    echo x\n    ```\n",
        "<!-- a plain comment\n```sh\necho x\n```\n-->\n",
    ],
)
def test_fences_the_site_shows_as_text_or_hides_are_not_blocks(text):
    assert fences(text) == []


def test_a_tab_in_the_info_string_inside_a_container_is_read_as_written():
    text = '!!! note\n    ```console\ttitle="x"\n    $ ls\n    ```\n'
    [fence] = fences(text)
    assert fence.info == 'console\ttitle="x"'
    start, end = fence.info_at
    assert text.split("\n")[1][start:end] == fence.info


def test_tabs_in_a_body_inside_a_content_tab_are_kept_as_at_top_level():
    body = "all:\n\techo build\n\t\techo deeper"
    top = fences(f'```make file="Makefile"\n{body}\n```\n')[0].body
    indented = "\n".join("    " + line for line in body.split("\n"))
    in_tab = fences(f'=== "Make"\n\n    ```make file="Makefile"\n{indented}\n    ```\n')[0].body
    tab_indented = "\n".join("\t" + line for line in body.split("\n"))
    by_tab = fences(f'!!! note\n\t```make file="Makefile"\n{tab_indented}\n\t```\n')[0].body
    assert top == in_tab == by_tab == tuple(body.split("\n"))


def test_a_fence_ended_by_a_less_indented_line_names_that_line():
    error = refused("- item\n\n  ```sh\n  echo\nback at top level\n\nmore\n")
    assert error.origin.line == 3
    assert "line 5 ('back at top level') is indented less than the fence" in error.message


def test_an_unclosed_fence_inside_an_indented_code_block_is_only_text():
    text = "Look:\n\n    ```sh\n    never closed here\n\nAfter.\n"
    assert fences(text) == []


def test_every_problem_of_a_page_is_reported():
    text = "```sh\na\n```\n\n<!-- execdocs echo -->\n\n!!! note\n    ```sh\n    b\nout\n"
    error = refused(text)
    assert [p.origin.line for p in error.problems] == [5, 8]
    assert str(error).split("\n") == [f"{p.origin}: {p.message}" for p in error.problems]


def test_a_hidden_comment_shown_in_an_indented_code_block_is_text():
    text = "How to hide a block:\n\n    <!-- execdocs\n    ```sh\n    x\n    ```\n    -->\n"
    assert fences(text) == []


def test_eight_hundred_admonitions_take_linear_time():
    import time

    def took(count: int) -> float:
        text = "\n\n".join(
            f"!!! note\n    Step {k}.\n\n    ```console\n    $ echo {k}\n    {k}\n    ```"
            for k in range(count)
        )
        started = time.perf_counter()
        assert len(fences(text)) == count
        return time.perf_counter() - started

    took(10)  # the site's Markdown is loaded once
    assert took(800) < 5  # about 0.1 s; re-parsing per admonition took 45 s


def test_every_misread_opening_line_is_taken_as_meant_not_only_the_first():
    # The site reads neither opening line (tab= is no option of superfences'): it shows
    # the first as text, then opens a fence at the first closing line, whose body hides
    # the second opening line. Taken as meant, both are blocks and nothing is unclosed.
    text = '```yaml tab="A"\na: 1\n```\n\n```yaml tab="B"\nb: 2\n```\n'
    assert [(f.open_line, f.body) for f in fences(text)] == [(0, ("a: 1",)), (4, ("b: 2",))]


def test_a_misread_line_inside_an_indented_code_block_stays_text_after_another():
    text = '```yaml tab="A"\na: 1\n```\n\nPara\n\n    ```yaml tab="B"\n    b: 2\n    ```\n'
    assert [f.open_line for f in fences(text)] == [0]
