"""`python -m cubagraph`: the command line.

May import: cli.
"""

import sys

from .cli import main

sys.exit(main())
