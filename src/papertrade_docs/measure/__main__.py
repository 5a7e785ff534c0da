import sys

from papertrade_docs.measure.cli import main

sys.exit(main())
