"""Hypothesis profiles of the fuzz suites: a few hundred examples in ``make test``, 10,000 in ``make test-slow``.

``DOVETAIL_FULL_SUITES=1`` (set by ``make test-slow``) selects the full profile; ``DOVETAIL_FUZZ_EXAMPLES``
overrides the count. The quick profile is derandomised so ``make test`` is repeatable; no example database is
written (nothing to commit or clean up).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck
from hypothesis import settings

FULL = os.environ.get("DOVETAIL_FULL_SUITES") == "1"
EXAMPLES = int(os.environ.get("DOVETAIL_FUZZ_EXAMPLES", "10000" if FULL else "200"))

settings.register_profile(
    "dovetail",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not FULL,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.load_profile("dovetail")
