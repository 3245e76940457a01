"""``python -m dovetail.core.cli``."""

from dovetail.core.cli import main

raise SystemExit(main())
