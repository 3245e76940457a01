"""Fixtures: one loopback OpenAI-compatible server per session, reset before each test (see openai_fixtures.py)."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from openai_fixtures import _no_ambient_openai_env, _server, loopback, server

__all__ = ["_no_ambient_openai_env", "_server", "loopback", "server"]
