"""``python -m app``: the same as the ``tether-monitor`` command."""

import sys

from .cli import main

sys.exit(main())
