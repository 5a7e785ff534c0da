"""No page writes an image size by hand: sizes come from the measurements through
macros. Progress notes are dated records and are exempt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXEMPT = DOCS / "progress"

SIZE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s?(?:[KMGT]i?B|kB)\b")
# What the macros compute is not written by hand.
TEMPLATE = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)


def hand_written_sizes(text: str) -> list[tuple[int, str]]:
    """(line, text) of every size outside macro calls; line numbers of the source."""
    blanked = TEMPLATE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    return [
        (blanked.count("\n", 0, match.start()) + 1, match.group())
        for match in SIZE.finditer(blanked)
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The image is 74 MB.", [(1, "74 MB")]),
        ("was\n186MB and 1.5 GB", [(2, "186MB"), (2, "1.5 GB")]),
        ("about 50 MiB", [(1, "50 MiB")]),
        ("is {{ image_size('backend-prod') }} now", []),
        ("{{ images_table()\n }} 3 layers", []),
        ("{% if x %}512 kB{% endif %}", [(1, "512 kB")]),
        ("Python 3.13 and 2 CPUs, port 8080", []),
        ("x86_64 and arm64", []),
    ],
)
def test_the_scan_finds_sizes_outside_macros(text, found):
    assert hand_written_sizes(text) == found


def test_no_page_outside_the_progress_notes_writes_a_size_by_hand():
    offences = []
    for page in sorted(DOCS.rglob("*.md")):
        if page.is_relative_to(EXEMPT):
            continue
        for line, size in hand_written_sizes(page.read_text(encoding="utf-8")):
            offences.append(f"{page.relative_to(ROOT)}:{line}: {size!r}")
    assert not offences, (
        "sizes written by hand (show measured ones with {{ image_size('backend-prod') }}, "
        "stated ones with {{ stated_image_size('backend-dev') }}; see "
        "src/papertrade_docs/measure/images.py):\n" + "\n".join(offences)
    )
