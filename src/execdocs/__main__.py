"""`python -m execdocs run PAGE...`"""

import sys

from execdocs.cli import main

sys.exit(main())
