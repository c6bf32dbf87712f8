"""`python -m conflictkg`: the same command line as the `conflictkg` script."""

import sys

from conflictkg.cli import main

sys.exit(main())
