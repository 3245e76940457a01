"""File-type parsers of ``SimpleDirectoryReader``: decoded text in, document text out (stdlib only)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from html.parser import HTMLParser

from dovetail.core._exceptions import InvalidInputError

__all__ = ["PARSERS", "html_to_text", "parse_csv", "parse_json", "parse_text"]

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer", "h1", "h2",
     "h3", "h4", "h5", "h6", "pre", "blockquote", "title", "dd", "dt", "hr", "nav", "main", "aside", "figcaption"}
)  # fmt: skip
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})


class _VisibleText(HTMLParser):
    """Collects the text a browser would show, one block element per line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _INVISIBLE_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _INVISIBLE_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        body = "\n".join(line for line in lines if line)
        title = " ".join("".join(self._title).split())
        return f"{title}\n{body}" if title and body else (title or body)


def html_to_text(raw: str) -> str:
    """Visible text of an HTML page: the title, then the body with one block element per line."""
    parser = _VisibleText()
    parser.feed(raw)
    parser.close()
    return parser.text()


def parse_text(raw: str) -> str:
    """Plain text and Markdown are kept as they are."""
    return raw


def parse_json(raw: str) -> str:
    """JSON pretty-printed with two-space indents (keys in file order, non-ASCII kept)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); fix the file or exclude it"
        raise InvalidInputError(msg) from exc
    return json.dumps(data, indent=2, ensure_ascii=False)


def parse_csv(raw: str) -> str:
    """CSV rows, cells joined by ``", "``, one row per line (the header row included)."""
    rows = csv.reader(io.StringIO(raw, newline=""))
    return "\n".join(", ".join(cell.strip() for cell in row) for row in rows if row)


PARSERS: dict[str, Callable[[str], str]] = {
    ".txt": parse_text,
    ".md": parse_text,
    ".markdown": parse_text,
    ".json": parse_json,
    ".csv": parse_csv,
    ".html": html_to_text,
    ".htm": html_to_text,
}
"""Parser per lower-case extension; any other extension is read as plain text."""
