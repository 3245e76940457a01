"""Fuzz ``dovetail.toml``: any bytes give a config or a ConfigurationError — reading, validating, every section."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovetail.core.config import load_config
from dovetail.core.errors import ConfigurationError
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

SECTIONS = ["defaults", "providers.openai", "providers.pinecone", "providers.mongodb", "providers.langfuse"]
SECTIONS += ["providers.acme", "providers", "colours", 'providers."we ird"']
KEYS = ["api_key", "base_url", "timeout", "max_retries", "llm", "embed_model", "index_dir", "uri", "host"]
KEYS += ["batch_size", "temperature", "token", "x", "max_tokens", "namespace", "public_key"]

toml_scalars = st.one_of(
    st.text(max_size=12).map(json.dumps),  # a JSON string literal is a valid TOML basic string (mostly)
    st.sampled_from(['"${DOVETAIL_FUZZ_SET}"', '"${DOVETAIL_FUZZ_UNSET}"', '"${X:-fallback}"', '"${"', "'${A}'"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).replace("inf", "inf").lower()),
    st.sampled_from(["true", "false", "nan", "inf", "-inf", "1979-05-27", "[]", "{}", "[1, 'a']", "{ a = 1 }"]),
)
lines = st.one_of(
    st.builds(lambda s: f"[{s}]", st.sampled_from(SECTIONS)),
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(KEYS), toml_scalars),
    st.text(max_size=20),
)
toml_like = st.lists(lines, max_size=12).map(lambda rows: "\n".join(rows).encode("utf-8", "surrogatepass"))
raw_bytes = st.binary(max_size=200)


@pytest.fixture(scope="module")
def config_path() -> Iterator[Path]:
    os.environ["DOVETAIL_FUZZ_SET"] = "value"
    os.environ.pop("DOVETAIL_FUZZ_UNSET", None)
    try:
        with tempfile.TemporaryDirectory() as folder:
            yield Path(folder) / "dovetail.toml"
    finally:
        os.environ.pop("DOVETAIL_FUZZ_SET", None)


@given(data=st.one_of(toml_like, raw_bytes, toml_like.map(lambda b: b"\xff" + b)))
def test_any_config_file_gives_a_config_or_a_configuration_error(config_path: Path, data: bytes) -> None:
    config_path.write_bytes(data)
    try:
        config = load_config(config_path)
    except ConfigurationError:
        return
    with contextlib.suppress(ConfigurationError):
        config.validate_all()
    with contextlib.suppress(ConfigurationError):
        config.defaults()
    for name in config.provider_names():
        with contextlib.suppress(ConfigurationError):
            config.provider(name)
