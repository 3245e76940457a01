"""Loopback server scripts (as the benchmarks start them): print the port, serve, stop when stdin closes."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest


@pytest.mark.integration
@pytest.mark.parametrize(
    ("module", "path", "body"),
    [
        ("openai_loopback", "/v1/embeddings", {"model": "text-embedding-3-small", "input": ["a"]}),
        ("ollama_loopback", "/api/embed", {"model": "nomic-embed-text", "input": ["a"]}),
    ],
)
def test_server_script_serves_with_the_given_dims_until_stdin_closes(module: str, path: str, body: object) -> None:
    command = [sys.executable, "-m", f"dovetail.core.testing.servers.{module}", "--latency", "0", "--dims", "5"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        port = int(process.stdout.readline())
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer sk-cli"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        vector = answer["data"][0]["embedding"] if "data" in answer else answer["embeddings"][0]
        assert len(vector) == 5
        process.stdin.close()
        assert process.wait(timeout=10) == 0


def test_server_script_rejects_an_unknown_option() -> None:
    command = [sys.executable, "-m", "dovetail.core.testing.servers.gemini_loopback", "--frobnicate", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "--frobnicate" in result.stderr
