"""``python -m legsync``: the ``legsync`` command."""

import sys

from legsync.adapters.cli import main

sys.exit(main())
