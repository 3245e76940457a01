"""A short autobiographical essay (written for these tests) laid out as the tutorials' ``data`` folder."""

from __future__ import annotations

from pathlib import Path

PARAGRAPHS = [
    "Growing up, the author wrote short stories and tried to program an old IBM 1401 in the basement of his "
    "school. The stories had almost no plot, just characters with strong feelings. The programs were punched "
    "on cards and mostly did nothing, because the only input the machine took was data on those cards.",
    "In college he meant to study philosophy, but it seemed to be about things nobody could settle, so he "
    "switched to artificial intelligence. He read about a program that understood natural language and "
    "believed that intelligent computers were only a few years away. He learned Lisp and liked it at once.",
    "After graduate school he went to art school to learn painting. He painted still lives of everyday "
    "objects, because they hold still, and supported himself by doing freelance programming work for "
    "companies that needed consultants. Painting taught him to look carefully at what is really there.",
    "Later he started an online store builder with two friends. It was one of the first web applications: "
    "users built their shops in the browser and the software ran on the server. The company was bought by "
    "a large internet firm, and he spent an unhappy year working inside a big organisation.",
    "At YC he worked on funding startups in batches. Every summer a group of founders came to Cambridge, got "
    "a small investment and three months of advice, and presented to investors at the end. He also wrote "
    "the software for the news site that YC ran, and answering its users took a great deal of his time.",
    "During his time at YC he also wrote essays, which he published on his own website. Writing essays "
    "online meant there was no editor and no gatekeeper. Eventually he handed YC to other partners, because "
    "the work kept expanding and he wanted to spend his time on writing and on a new programming language.",
]


def write_essay(root: Path) -> Path:
    """``root/data/essay.txt`` with the paragraphs; returns ``root``."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "essay.txt").write_text("\n\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    return root


def as_dovetail(llama_index_code: str) -> str:
    """The tutorial with only the import prefix changed (``llama_index.`` → ``dovetail.``)."""
    return llama_index_code.replace("llama_index.", "dovetail.")
