#!/usr/bin/env bash
# Publish every workspace package whose version is not yet on the index (dependency order, verify, upload).
#
#   bash scripts/publish_packages.sh [--dry-run] [--index-url URL] [--publish-url URL] [--package NAME] ...
#
# Every flag is passed to scripts/publish.py (see its --help). Defaults target PyPI. Credentials come from
# UV_PUBLISH_TOKEN or UV_PUBLISH_USERNAME/UV_PUBLISH_PASSWORD; in GitHub Actions without them, trusted publishing.
# Exit status: 0 all published or already published, 1 a package failed (summary on stdout), 2 usage error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
export UV_LINK_MODE="${UV_LINK_MODE:-copy}"

# The project venv has uv (dev group); outside it, bootstrap uv like the Makefile does.
if [[ -n "${DOVETAIL_PUBLISH_PYTHON:-}" ]]; then
    PYTHON="$DOVETAIL_PUBLISH_PYTHON"
elif [[ -x "$ROOT/.venv/bin/python" ]] && "$ROOT/.venv/bin/python" -m uv --version >/dev/null 2>&1; then
    PYTHON="$ROOT/.venv/bin/python"
else
    if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then
        python3 -m pip install --quiet "uv>=0.5,<1"
    fi
    UV="$(command -v uv 2>/dev/null || echo "python3 -m uv")"
    $UV sync --all-packages --all-extras --quiet
    PYTHON="$ROOT/.venv/bin/python"
fi

exec "$PYTHON" "$ROOT/scripts/publish.py" "$@"
