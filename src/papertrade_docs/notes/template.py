"""A new note: the front matter and sections every note has, with guidance in comments.

The guidance is written as HTML comments, so a section that still holds only its
comment renders empty and the validator calls it empty.
"""

from __future__ import annotations

import textwrap
from datetime import datetime

from papertrade_docs.notes.checks import AT_THE_TIME, EXCERPT_SEPARATOR, PLACEHOLDER

GUIDANCE = {
    "Summary": "Two or three sentences: what this work was for and where it stands. "
    "This part is the excerpt shown in the list of notes.",
    "Decisions": "What was decided and why; the alternatives set aside.",
    "Changes": "What changed, file by file or behaviour by behaviour. Links to pages are "
    "relative to this note (../../index.md); link to other files on the repository.",
    "Testing": "How it was verified: the commands run and what they showed.",
    "Measurements": "Figures stay true when quoted through the measurement macros. A figure "
    f"written by hand must be marked as the figure {AT_THE_TIME}: say '{AT_THE_TIME} of "
    "writing' in its paragraph, or put it in an admonition titled 'At the time of writing'. "
    "Write 'None.' when nothing was measured.",
    "Known issues": "What is missing, shaky or wrong, and where it is tracked. 'None.' if so.",
    "Next steps": "What should happen next, and who picks it up.",
}


def comment(section: str) -> str:
    """The guidance of a section as the HTML comment the template puts under it."""
    return textwrap.fill(f"<!-- {GUIDANCE[section]} -->", width=88)


def _yaml_list(values: list[str]) -> str:
    return "\n".join(f"  - {value}" for value in values)


def render(title: str, started: datetime, authors: list[str], categories: list[str],
           branch: str) -> str:
    sections = []
    for name in GUIDANCE:
        sections.append(f"## {name}\n\n{comment(name)}\n")
        if name == "Summary":
            sections.append(f"{EXCERPT_SEPARATOR}\n")
    return (
        "---\n"
        f"date: {started:%Y-%m-%d %H:%M:%S}\n"
        f"authors:\n{_yaml_list(authors or [PLACEHOLDER])}\n"
        f"categories:\n{_yaml_list(categories or [PLACEHOLDER])}\n"
        f'task: "{PLACEHOLDER}: the task or issue this note records, e.g. issue 7"\n'
        f"branch: {branch}\n"
        "pull_request: null  # its number once there is one\n"
        "status: in-progress  # in-progress, done, blocked or abandoned\n"
        "---\n\n"
        f"# {title}\n\n" + "\n".join(sections)
    )
