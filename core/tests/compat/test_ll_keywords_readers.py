"""LlamaIndex's ``SimpleDirectoryReader`` keywords ``exclude_empty`` and ``fs``: taken as documented or refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.readers import SimpleDirectoryReader


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "oak.txt").write_text("Oak is a hard wood.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "blank.md").write_bytes(b"")
    (tmp_path / "sub" / "pine.md").write_text("Pine is soft.", encoding="utf-8")
    return tmp_path


def _names(reader: SimpleDirectoryReader) -> list[str]:
    return sorted(path.name for path in reader.input_files)


def test_exclude_empty_defaults_to_reading_empty_files(folder: Path) -> None:
    reader = SimpleDirectoryReader(folder, recursive=True)
    assert _names(reader) == ["blank.md", "empty.txt", "oak.txt", "pine.md"]
    texts = {doc.metadata["file_name"]: doc.text for doc in reader.load_data()}
    assert texts["empty.txt"] == ""


def test_exclude_empty_skips_zero_byte_files_in_every_folder(folder: Path) -> None:
    reader = SimpleDirectoryReader(folder, recursive=True, exclude_empty=True)
    assert reader.exclude_empty is True
    assert _names(reader) == ["oak.txt", "pine.md"]
    assert sorted(doc.text for doc in reader.load_data()) == ["Oak is a hard wood.", "Pine is soft."]


def test_exclude_empty_keeps_a_file_of_only_whitespace(folder: Path) -> None:
    (folder / "space.txt").write_text("  \n", encoding="utf-8")
    reader = SimpleDirectoryReader(folder, exclude_empty=True)
    assert _names(reader) == ["oak.txt", "space.txt"]


def test_exclude_empty_that_leaves_nothing_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InvalidInputError, match=r"exclude_empty=True.*relax the filters"):
        SimpleDirectoryReader(tmp_path, exclude_empty=True)


def test_constructor_takes_fs_none_only(folder: Path) -> None:
    assert _names(SimpleDirectoryReader(folder, fs=None)) == ["empty.txt", "oak.txt"]
    with pytest.raises(InvalidInputError, match=r"SimpleDirectoryReader\(\) reads the local file system only.*fs=None"):
        SimpleDirectoryReader(folder, fs=object())


def test_load_data_fs_refusal_names_the_method(folder: Path) -> None:
    reader = SimpleDirectoryReader(folder)
    with pytest.raises(InvalidInputError, match=r"SimpleDirectoryReader\.load_data\(\) reads the local file system"):
        reader.load_data(fs=object())


def test_typos_still_name_the_closest_keyword(folder: Path) -> None:
    with pytest.raises(TypeError, match="did you mean 'exclude_empty'"):
        SimpleDirectoryReader(folder, exclude_emtpy=True)  # type: ignore[call-arg]  # misspelt on purpose
    with pytest.raises(TypeError, match="did you mean 'exclude_hidden'"):
        SimpleDirectoryReader(folder, exclude_hiden=True)  # type: ignore[call-arg]  # misspelt on purpose


def test_aload_data_refusals_name_aload_data(tmp_path: Path) -> None:

    (tmp_path / "a.txt").write_text("oak", encoding="utf-8")
    reader = SimpleDirectoryReader(str(tmp_path))
    assert [doc.text for doc in asyncio.run(reader.aload_data())] == ["oak"]
    with pytest.raises(InvalidInputError, match=r"aload_data\(\) reads the local file system only"):
        asyncio.run(reader.aload_data(fs=object()))
    with pytest.raises(TypeError, match=r"aload_data.*show_progress"):
        asyncio.run(reader.aload_data(show_progres=True))
