"""``python -m orchestra ...`` runs the ``orchestra`` command (for a kernel without it on PATH)."""
import sys

from .cli import main

sys.exit(main())
