"""``python -m coder`` runs the ``eventcoder`` command."""

import sys

from coder.cli import main

sys.exit(main())
