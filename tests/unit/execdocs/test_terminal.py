from execdocs.terminal import output_lines


def test_output_lines():
    assert output_lines("") == []
    assert output_lines("a\n\n") == ["a"]
    assert output_lines("\x1b[2K\x1b[1Gx\n") == ["x"]
    assert output_lines("abcdef\rXY\n") == ["XYcdef"]  # a terminal overwrites in place


def test_blank_lines_leading_or_trailing_the_output_are_not_significant():
    assert output_lines("\n \nx\n\n") == ["x"]
