"""Run one ```python block with pytest-examples: ruff lint, then the code, with its `#>`
print output checked when the block has any.

The runner starts this in the page's session (`python -m execdocs.python_block FILE PAGE
LINE`), so the block runs in the reader's current directory and environment, and in a
process of its own rather than inside the runner. Exit status 0 means the block passed;
anything else, the output says why.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pytest_examples import CodeExample
from pytest_examples.config import ExamplesConfig
from pytest_examples.lint import FormatError, code_diff, ruff_check
from pytest_examples.run_code import run_code

_PRINT_OUTPUT = re.compile(r"^\s*#> ", re.MULTILINE)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m execdocs.python_block FILE PAGE FENCE_LINE", file=sys.stderr)
        return 2
    file, page, fence_line = Path(argv[0]), Path(argv[1]), int(argv[2])
    source = file.read_text()
    example = CodeExample.create(source, path=page, start_line=fence_line)
    config = ExamplesConfig()
    try:
        ruff_check(example, config)
    except FormatError as lint:
        print(lint)
        return 1
    check_prints = bool(_PRINT_OUTPUT.search(source))
    sys.path.insert(0, ".")  # as `python file.py` run from the reader's directory would
    printed, _ = run_code(
        example=example, python_file=file, loader=None, config=config,
        enable_print_mock=check_prints, print_callback=None, include_print=None,
        module_globals=None, call=None,
    )
    if check_prints and (expected := printed.updated_print_statements(example)) is not None:
        print("the printed output differs from the #> lines:")
        print(code_diff(example, expected, config))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
