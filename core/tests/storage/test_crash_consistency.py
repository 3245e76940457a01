"""Crash consistency: kill -9 a writer at random points; the index always loads as an old or a new state.

``make test`` runs a few trials per scenario; ``make test-slow`` (``DOVETAIL_FULL_SUITES=1``) runs 200 each.
The trials run in ``crash_harness.py`` (one subprocess per scenario; see its docstring for the checks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).with_name("crash_harness.py")
FULL = os.environ.get("DOVETAIL_FULL_SUITES") == "1"
TRIALS = int(os.environ.get("DOVETAIL_CRASH_TRIALS", "200" if FULL else "12"))
SEED = int(os.environ.get("DOVETAIL_CRASH_SEED", "20261203"))
CONSISTENT = {
    "persist": {"A", "B"},
    "pipeline": {"old (nothing committed yet)", "prefix (a checkpoint)", "complete"},
    "cli": {"old (nothing committed yet)", "prefix (a checkpoint)", "complete"},
}


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks writers to kill them")
@pytest.mark.parametrize("scenario", ["persist", "pipeline", "cli"])
def test_kill_9_leaves_an_old_or_a_new_state(scenario: str, tmp_path: Path) -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    env["DOVETAIL_CONFIG"] = str(tmp_path / "dovetail.toml")
    (tmp_path / "dovetail.toml").write_text("")
    result = subprocess.run(
        [sys.executable, str(HARNESS), scenario, str(TRIALS), str(SEED), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60 + 10 * TRIALS,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(summary))  # the trial report (visible with -s / in the slow run's log)
    outcomes: dict[str, int] = summary["outcomes"]
    assert sum(outcomes.values()) == TRIALS
    assert set(outcomes) <= CONSISTENT[scenario], outcomes
