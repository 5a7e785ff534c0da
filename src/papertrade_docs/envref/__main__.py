"""`python -m papertrade_docs.envref check`: every mismatch, one line each."""

from __future__ import annotations

import sys
from pathlib import Path

from papertrade_docs.envref.catalog import CatalogError
from papertrade_docs.envref.check import find_problems


def main(argv: list[str]) -> int:
    if argv[1:] != ["check"]:
        print("usage: python -m papertrade_docs.envref check", file=sys.stderr)
        return 2
    try:
        problems = find_problems(Path.cwd())
    except CatalogError as error:
        problems = [str(error)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
