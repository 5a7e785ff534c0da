import sys

from papertrade_docs.lint.cli import main

sys.exit(main(sys.argv[1:]))
