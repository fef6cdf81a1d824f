"""`python -m cubagraph`: the command line.

May import: cli.
"""

import sys

from .cli import main

if __name__ == "__main__":  # not when a spawned query worker imports it as __mp_main__
    sys.exit(main())
