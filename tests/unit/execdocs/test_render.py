"""The reader's view: macros and includes applied, every line traced to its origin."""

from pathlib import Path

import pytest
from mkdocs_project import write_project

from execdocs.config import Project
from execdocs.model import InvalidPage, Origin
from execdocs.render import map_lines, render_page, split_front_matter


@pytest.fixture
def project(tmp_path) -> Project:
    return Project.load(write_project(tmp_path))


def page(project: Project, text: str, name: str = "docs/page.md") -> Path:
    path = project.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def view(project, text, name="docs/page.md"):
    """(line, origin line) for every rendered line, origins of other files as file:line."""
    path = page(project, text, name)
    rendered = render_page(path, project)
    return [
        (line, origin.line if origin.path == path else f"{origin.path.name}:{origin.line}")
        for line, origin in zip(rendered.lines, rendered.origins, strict=True)
    ]


def test_without_a_project_the_page_is_read_as_written(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("---\ntitle: x\n---\n\nhello {{ version }}\n")
    rendered = render_page(path, None)
    assert rendered.lines == ["hello {{ version }}", ""]
    assert [o.line for o in rendered.origins] == [5, 6]
    assert rendered.meta == {"title": "x"}
    assert rendered.meta_origin == Origin(path, 1)


def test_macros_render_variables_and_keep_line_numbers(project):
    assert view(project, "# T\n\n```console\n$ docker pull {{ image('db') }}\n```\n") == [
        ("# T", 1),
        ("", 2),
        ("```console", 3),
        ("$ docker pull papertrade/db:dev", 4),
        ("```", 5),
    ]


def test_front_matter_shifts_origins_and_is_seen_by_macros(project):
    text = "---\ntag: 9\nexecdocs:\n  timeout: 60\n---\n\n```sh\necho {{ tag }} {{ version }}\n```"
    path = page(project, text)
    rendered = render_page(path, project)
    assert rendered.lines[1] == "echo 9 17.2"
    assert rendered.origins[1] == Origin(path, 8)
    assert rendered.meta["execdocs"] == {"timeout": 60}


def test_lines_a_macro_adds_map_to_the_macro_call(project):
    text = "Intro\n\n{{ service_list('db', 'cache', 'web') }}\n\n```console\n$ ls\nout\n```\n"
    assert view(project, text) == [
        ("Intro", 1),
        ("", 2),
        ("- db", 3),
        ("- cache", 3),
        ("- web", 3),
        ("", 4),
        ("```console", 5),
        ("$ ls", 6),
        ("out", 7),
        ("```", 8),
    ]


def test_lines_a_macro_removes_do_not_shift_the_rest(project):
    text = "{% if false %}\ngone\n{% endif %}\n\n```console\n$ echo {{ version }}\n17.2\n```"
    rendered = view(project, text)
    assert ("$ echo 17.2", 6) in rendered and ("17.2", 7) in rendered
    assert all(line != "gone" for line, _ in rendered)


def test_macro_inside_a_block_body(project):
    text = "```console\n$ printf 'a\\nb\\n'\n{{ service_list('a', 'b') }}\n$ echo end\nend\n```"
    assert view(project, text) == [
        ("```console", 1),
        ("$ printf 'a\\nb\\n'", 2),
        ("- a", 3),
        ("- b", 3),
        ("$ echo end", 4),
        ("end", 5),
        ("```", 6),
    ]


def test_macros_apply_to_pages_outside_docs(project):
    assert view(project, "```sh\necho {{ version }}\n```", name="README.md")[1] == ("echo 17.2", 2)


def test_macros_must_not_create_fences(project):
    path = page(project, "Text\n\n{{ fenced('sh', 'echo made') }}\n\n```sh\nreal\n```\n")
    with pytest.raises(InvalidPage) as caught:
        render_page(path, project)
    assert "must not create or remove fences" in caught.value.message
    assert "1 fenced blocks into 2" in caught.value.message


def test_macro_syntax_error_is_refused_at_its_line(project):
    path = page(project, "---\na: 1\n---\n\nfine\n\n{{ broken( }}\n")
    with pytest.raises(InvalidPage) as caught:
        render_page(path, project)
    assert caught.value.origin == Origin(path, 7)
    assert "mkdocs-macros cannot render" in caught.value.message


def test_undefined_variable_is_refused_at_its_line(project):
    path = page(project, "one\n\n{{ version.nope.deeper }}\n")
    with pytest.raises(InvalidPage) as caught:
        render_page(path, project)
    assert caught.value.origin == Origin(path, 3)


def test_page_can_opt_out_of_macros(project):
    text = "---\nrender_macros: false\n---\n```sh\necho {{ version }}\n```"
    assert view(project, text)[1] == ("echo {{ version }}", 5)


def test_snippet_inside_a_fence_keeps_the_snippet_files_lines(project):
    (project.root / "snippets" / "up.txt").write_text(
        "$ docker compose up -d\n$ docker compose ps\n"
    )
    text = '```console\n--8<-- "up.txt"\n$ echo after\n```'
    assert view(project, text) == [
        ("```console", 1),
        ("$ docker compose up -d", "up.txt:1"),
        ("$ docker compose ps", "up.txt:2"),
        ("", "up.txt:3"),
        ("$ echo after", 3),
        ("```", 4),
    ]


def test_block_form_include_nested_include_and_indentation(project):
    snippets = project.root / "snippets"
    (snippets / "outer.md").write_text('outer 1\n--8<-- "inner.md"\nouter 3')
    (snippets / "inner.md").write_text("inner 1")
    text = "!!! note\n    --8<--\n    outer.md\n    --8<--\nend"
    assert view(project, text) == [
        ("!!! note", 1),
        ("    outer 1", "outer.md:1"),
        ("    inner 1", "inner.md:1"),
        ("    outer 3", "outer.md:3"),
        ("end", 5),
    ]


def test_include_line_ranges_and_sections(project):
    (project.root / "snippets" / "f.sh").write_text(
        "l1\nl2\nl3\n# --8<-- [start:mid]\nm1\nm2\n# --8<-- [end:mid]\nl8\n"
    )
    text = '--8<-- "f.sh:2:3"\n--8<-- "f.sh:mid"'
    assert view(project, text) == [
        ("l2", "f.sh:2"),
        ("l3", "f.sh:3"),
        ("m1", "f.sh:5"),
        ("m2", "f.sh:6"),
    ]


def test_escaped_and_commented_includes(project):
    assert view(project, ';--8<-- "nothing.md"\n--8<--\n;nothing.md\n--8<--\nx') == [
        ('--8<-- "nothing.md"', 1),
        ("x", 5),
    ]


def test_include_of_files_from_the_second_base_path(project):
    (project.root / "top.txt").write_text("from root")
    assert view(project, '--8<-- "top.txt"') == [("from root", "top.txt:1")]


def test_missing_include_is_refused_at_the_including_line(project):
    path = page(project, 'text\n\n```console\n--8<-- "nope.txt"\n```')
    with pytest.raises(InvalidPage) as caught:
        render_page(path, project)
    assert caught.value.origin == Origin(path, 4)
    assert "'nope.txt' does not exist" in caught.value.message


def test_missing_include_inside_a_snippet_is_refused_at_the_snippet_line(project):
    (project.root / "snippets" / "a.md").write_text('ok\n--8<-- "gone.md"\n')
    path = page(project, '--8<-- "a.md"')
    with pytest.raises(InvalidPage) as caught:
        render_page(path, project)
    assert caught.value.origin == Origin((project.root / "snippets" / "a.md").resolve(), 2)


def test_missing_section_is_refused(project):
    (project.root / "snippets" / "s.md").write_text("no sections here\n")
    with pytest.raises(InvalidPage, match="section 'nope'"):
        render_page(page(project, '--8<-- "s.md:nope"'), project)


def test_include_cycles_are_cut_as_on_the_site(project):
    (project.root / "snippets" / "self.md").write_text('me\n--8<-- "self.md"\n')
    assert view(project, '--8<-- "self.md"') == [("me", "self.md:1"), ("", "self.md:3")]


def test_split_front_matter_counts_the_lines_before_the_body():
    assert split_front_matter("---\na: 1\n---\n\n\nbody") == ("body", {"a": 1}, 5)
    assert split_front_matter("no front matter\n") == ("no front matter\n", {}, 0)


def test_map_lines():
    old = ["a", "{{ m }}", "c"]
    origins = [Origin(Path("p.md"), k) for k in (1, 2, 3)]
    assert [o.line for o in map_lines(["a", "x", "y", "z", "c"], old, origins)] == [1, 2, 2, 2, 3]
    assert [o.line for o in map_lines(["new", "a", "c"], ["a", "c"], origins[::2])] == [1, 1, 3]
    assert [o.line for o in map_lines(["a"], old, origins)] == [1]


def test_snippet_origins_are_shown_relative_to_where_the_run_started(project, monkeypatch):
    (project.root / "snippets" / "x.txt").write_text("included")
    path = page(project, '--8<-- "x.txt"')
    monkeypatch.chdir(project.root)
    assert render_page(path, project).origins == [Origin(Path("snippets/x.txt"), 1)]
