import pytest
from pydantic_core import PydanticCustomError

from papertrade.text import printable


@pytest.mark.parametrize(
    "text", ["Main", "Zoë's ISA", "株式", "family 👨\u200d👩\u200d👧", " spaced "]
)
def test_printable_text_passes_unchanged(text):
    assert printable(text) == text


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("a\x00b", "0000", 1),
        ("tab\tinside", "0009", 3),
        ("\x1b[31mred", "001B", 0),
        ("del\x7f", "007F", 3),
        ("next\x85line", "0085", 4),
        ("line\u2028separator", "2028", 4),
        ("paragraph\u2029", "2029", 9),
        ("half \ud800 pair", "D800", 5),
    ],
)
def test_control_characters_are_named_with_their_position(text, code, position):
    with pytest.raises(PydanticCustomError) as refused:
        printable(text)
    assert str(refused.value) == (
        f"must not contain control characters; found U+{code} at position {position}"
    )
