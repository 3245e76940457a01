"""The ``dovetail`` command in process: ingest, query, providers, help, exit codes and error messages."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.cli import COMMANDS
from dovetail.core.cli import EXIT_ERROR
from dovetail.core.cli import EXIT_OK
from dovetail.core.cli import EXIT_USAGE
from dovetail.core.cli import build_parser
from dovetail.core.cli import main
from dovetail.core.cli import register_command
from dovetail.core.cli._commands import add_command


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_every_command_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in ("ingest", "query", "providers", "Exit codes"):
        assert name in out
    for command in ("ingest", "query"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--index" in capsys.readouterr().out


def test_no_command_and_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_USAGE
    with pytest.raises(SystemExit) as exit_info:
        main(["query"])
    assert exit_info.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == EXIT_USAGE


def test_ingest_then_query(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    code, out, err = run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:32")
    assert code == EXIT_OK, err
    assert "2 new" in out

    code, out, _ = run(capsys, "ingest", str(corpus), "--index", index)
    assert code == EXIT_OK
    assert "0 new, 0 changed, 2 unchanged; 0 chunk(s) embedded" in out

    code, out, _ = run(capsys, "query", "Which pin and glue hold it?", "--index", index, "--json", "--top-k", "2")
    assert code == EXIT_OK
    payload = json.loads(out)
    assert payload["mode"] == "extractive"
    assert "Glue and a drawbore pin hold it." in payload["answer"]
    assert {s["doc_id"] for s in payload["sources"]} == {"dovetail.md", "sub/tenon.txt"}

    code, out, _ = run(capsys, "query", "pins and tails", "--index", index)
    assert code == EXIT_OK
    assert "Sources:" in out
    assert "[1]" in out


def test_changed_file_and_prune(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    assert run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:8")[0] == EXIT_OK
    (corpus / "dovetail.md").write_text("Completely new dovetail notes.\n")
    (corpus / "sub" / "tenon.txt").unlink()
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", index, "--prune")
    assert code == EXIT_OK
    assert "0 new, 1 changed" in out
    code, out, _ = run(capsys, "query", "dovetail", "--index", index, "--json", "--top-k", "5")
    assert {s["doc_id"] for s in json.loads(out)["sources"]} == {"dovetail.md"}


def test_glob_selects_files(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:8", "--glob", "**/*.txt")
    assert code == EXIT_OK
    assert "indexed 1 document(s)" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["ingest", "{missing}"], "does not exist"),
        (["ingest", "{empty}"], "no files to index"),
        (["ingest", "{corpus}", "--embed", "nosuch:model"], "pip install dovetail-embeddings-nosuch"),
        (["ingest", "{corpus}", "--embed", "mock:abc"], "integer dimension"),
        (["query", "anything"], "no index at"),
        (["query", "  ", "--index", "{index}"], "question is empty"),
        (["query", "pins", "--index", "{index}", "--llm", "nosuch:model"], "pip install dovetail-llms-nosuch"),
        (["query", "pins", "--index", "{index}", "--top-k", "0"], "--top-k"),
        (["eval", "questions.jsonl"], "no index at"),
        (["eval", "questions.jsonl", "--index", "{index}", "--top-k", "0"], "--top-k must be at least 1"),
        (["query", "pins", "--index", "{corpus}"], "holds no dovetail index"),
        (["ingest", "{corpus}", "--index", "{index}", "--embed", "mock:9"], "built with --embed mock:8"),
        (["providers", "--domain", "nosuch"], "unknown domain"),
    ],
)
def test_expected_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    fragment: str,
) -> None:
    index = tmp_path / "index"
    assert main(["ingest", str(corpus), "--index", str(index), "--embed", "mock:8", "--quiet"]) == EXIT_OK
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    paths = {
        "missing": str(tmp_path / "nope"),
        "empty": str(tmp_path / "empty"),
        "corpus": str(corpus),
        "index": str(index),
    }
    capsys.readouterr()
    code, _, err = run(capsys, *(arg.format(**paths) for arg in argv))
    assert code == EXIT_USAGE
    assert fragment in err
    assert "Traceback" not in err
    assert err.startswith("dovetail: error: ")


def test_unreadable_file_is_reported_and_the_rest_indexed(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Running as root makes chmod 000 ineffective, so the permission error is injected at the OS boundary.
    locked = corpus / "locked.md"
    locked.write_text("secret")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    index = str(tmp_path / "index")
    code, out, err = run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:8")
    assert code == EXIT_ERROR
    assert "could not read" in err
    assert "locked.md" in err
    assert "Permission denied" in err
    assert "2 new" in out


def test_providers_lists_installed_integrations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "providers", "--json")
    assert code == EXIT_OK
    rows = json.loads(out)
    openai = [r for r in rows if r["domain"] == "embeddings" and r["name"] == "openai"]
    assert openai
    assert openai[0]["installed"]
    assert openai[0]["version"]
    code, out, _ = run(capsys, "providers", "--domain", "embeddings")
    assert code == EXIT_OK
    assert "PROVIDER" in out
    assert "openai" in out


def test_commands_can_be_registered(capsys: pytest.CaptureFixture[str]) -> None:
    def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        parser = subparsers.add_parser("hello", help="say hello")
        parser.set_defaults(handler=lambda args: print("hello there") or 0)

    saved = list(COMMANDS)
    try:
        register_command("hello", add_parser)
        assert "hello" in build_parser().format_help()
        assert run(capsys, "hello")[:2] == (0, "hello there\n")
    finally:
        COMMANDS[:] = saved


def test_add_command_binds_the_handler_and_keeps_preformatted_text(capsys: pytest.CaptureFixture[str]) -> None:
    description = "first line\n  indented second line"

    def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        parser = add_command(subparsers, "greet", "say hello", description, greet, preformatted=True)
        parser.add_argument("name")

    def greet(args: argparse.Namespace) -> int:
        print(f"hello {args.name}")
        return EXIT_OK

    saved = list(COMMANDS)
    try:
        register_command("greet", add_parser)
        assert "say hello" in build_parser().format_help()
        assert run(capsys, "greet", "ada")[:2] == (EXIT_OK, "hello ada\n")
        with pytest.raises(SystemExit):
            main(["greet", "--help"])
        assert description in capsys.readouterr().out
    finally:
        COMMANDS[:] = saved


def test_unexpected_errors_are_one_line_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        parser = subparsers.add_parser("boom")

        def explode(args: argparse.Namespace) -> int:
            raise KeyError("surprise")

        parser.set_defaults(handler=explode)

    monkeypatch.delenv("DOVETAIL_DEBUG", raising=False)
    saved = list(COMMANDS)
    try:
        register_command("boom", add_parser)
        code, _, err = run(capsys, "boom")
        assert code == EXIT_ERROR
        assert "unexpected KeyError" in err
        assert "DOVETAIL_DEBUG" in err
    finally:
        COMMANDS[:] = saved


def test_help_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from dovetail.core.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(sorted(m for m in ('numpy', 'pydantic', 'dovetail.core.schema', 'asyncio') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_query_reads_the_index_store_once_and_uses_the_indexs_model_choice(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dovetail.core.storage import SimpleIndexStore

    index = str(tmp_path / "index")
    assert run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:32")[0] == EXIT_OK
    reads: list[str] = []
    original = SimpleIndexStore.from_persist_dir

    def counting(*args: Any, **kwargs: Any) -> SimpleIndexStore:
        reads.append("index_store.json")
        return original(*args, **kwargs)

    monkeypatch.setattr(SimpleIndexStore, "from_persist_dir", counting)
    code, out, err = run(capsys, "query", "Which pin and glue hold it?", "--index", index, "--json")
    assert code == EXIT_OK, err
    assert reads == ["index_store.json"]
    assert "Glue and a drawbore pin hold it." in json.loads(out)["answer"]
    # the recorded model cannot be loaded: the index's own message, naming the recorded spec
    struct_file = Path(index) / "index_store.json"
    struct_file.write_text(struct_file.read_text().replace('"mock:32"', '"nosuchprovider:model"'))
    code, _, err = run(capsys, "query", "pins", "--index", index)
    assert code != EXIT_OK
    assert "this index was embedded with 'nosuchprovider:model'" in err


def test_llm_option_none_and_unset_are_extractive_and_a_model_is_used_when_named(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    from dovetail.core.settings import Settings

    index = str(tmp_path / "index")
    assert run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:16")[0] == EXIT_OK
    Settings.llm = "mock"  # a configured default must not leak into a query that did not ask for a model
    modes = {}
    for option in ([], ["--llm", "none"], ["--llm", "off"], ["--llm", "mock"]):
        code, out, err = run(capsys, "query", "pins and tails", "--index", index, "--json", *option)
        assert code == EXIT_OK, err
        modes[" ".join(option) or "unset"] = json.loads(out)["mode"]
    assert modes["unset"] == modes["--llm none"] == modes["--llm off"] == "extractive"
    assert modes["--llm mock"] != "extractive"
