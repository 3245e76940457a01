"""PydanticOutputParser: finding the JSON object in real-world model output, and clear failures."""

from __future__ import annotations

import json

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import OutputParserError
from dovetail.core.output_parsers import BaseOutputParser
from dovetail.core.output_parsers import PydanticOutputParser
from pydantic import BaseModel


class Author(BaseModel):
    name: str
    born: int


class Book(BaseModel):
    title: str
    author: Author
    tags: list[str] = []


GOOD = {"title": "Dune", "author": {"name": "Frank Herbert", "born": 1920}, "tags": ["sf"]}
EXPECTED = Book.model_validate(GOOD)
GOOD_JSON = json.dumps(GOOD)


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(GOOD_JSON, id="bare"),
        pytest.param(f"```json\n{GOOD_JSON}\n```", id="fenced-json"),
        pytest.param(f"```JSON\n{json.dumps(GOOD, indent=2)}\n```", id="fenced-upper-indented"),
        pytest.param(f"```\n{GOOD_JSON}\n```", id="fenced-no-lang"),
        pytest.param(f"Sure! Here you go:\n\n{GOOD_JSON}\n\nHope that helps.", id="prose-around"),
        pytest.param(f"Here is the book:\n```json\n{GOOD_JSON}\n```\nAnything else?", id="prose-and-fence"),
        pytest.param(f"```json\n{GOOD_JSON}", id="unterminated-fence"),
        pytest.param(
            f'Use the format {{"title": ...}}. Answer: ```json\n{GOOD_JSON}\n```', id="brace-prose-before-fence"
        ),
        pytest.param(f"Note {{this}} first. {GOOD_JSON}", id="non-json-braces-before"),
        pytest.param(f'{{"example": true}}\nActual answer: {GOOD_JSON}', id="earlier-object-does-not-validate"),
        pytest.param(f"```python\nprint('hi')\n```\n```json\n{GOOD_JSON}\n```", id="other-fence-first"),
    ],
)
def test_finds_and_validates_the_object(output: str) -> None:
    assert PydanticOutputParser(Book).parse(output) == EXPECTED


@pytest.mark.parametrize(
    ("output", "title"),
    [
        pytest.param('{"title": "a } b { c", "author": {"name": "x", "born": 1}}', "a } b { c", id="braces-in-string"),
        pytest.param(
            '{"title": "say \\"}\\" loudly", "author": {"name": "x", "born": 1}}', 'say "}" loudly', id="escaped-quote"
        ),
        pytest.param(
            'Result: {"title": "```json", "author": {"name": "x", "born": 1}} done', "```json", id="fence-in-string"
        ),
        pytest.param('{"title": "ünïcødé ✓", "author": {"name": "x", "born": 1}}', "ünïcødé ✓", id="unicode"),
    ],
)
def test_strings_with_tricky_content(output: str, title: str) -> None:
    assert PydanticOutputParser(Book).parse(output).title == title


@pytest.mark.parametrize(
    ("output", "match"),
    [
        pytest.param("I don't know.", "no JSON object found", id="no-json"),
        pytest.param("", "no JSON object found", id="empty"),
        pytest.param("[1, 2, 3]", "no JSON object found", id="array-only"),
        pytest.param('{"title": "Dune", "author": {"name": "x", "born": 1920}', "invalid JSON", id="truncated"),
        pytest.param("{'title': 'Dune'}", "invalid JSON", id="single-quotes"),
        pytest.param('{"title": "Dune"}', r"author: Field required", id="missing-field"),
        pytest.param(
            '{"title": "Dune", "author": {"name": "x", "born": "long ago"}}',
            r"author\.born: Input should be",
            id="wrong-nested-type",
        ),
    ],
)
def test_failures_carry_raw_output_and_say_why(output: str, match: str) -> None:
    with pytest.raises(OutputParserError, match=match) as info:
        PydanticOutputParser(Book).parse(output)
    assert info.value.raw_output == output
    assert "Book" in str(info.value)


def test_long_output_is_shortened_in_the_message_but_kept_raw() -> None:
    output = "no json here " * 200
    with pytest.raises(OutputParserError) as info:
        PydanticOutputParser(Book).parse(output)
    assert len(str(info.value)) < 400
    assert info.value.raw_output == output


def test_non_str_output_is_an_output_parser_error() -> None:
    with pytest.raises(OutputParserError, match="str"):
        PydanticOutputParser(Book).parse(None)  # type: ignore[arg-type]


def test_format_appends_schema_instructions() -> None:
    parser = PydanticOutputParser(Book)
    formatted = parser.format("Tell me about Dune.")
    assert formatted.startswith("Tell me about Dune.\n\n")
    schema_text = formatted.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(schema_text) == Book.model_json_schema()
    escaped = parser.get_format_string(escape_json=True)
    assert "{{" in escaped
    assert escaped.format() == parser.get_format_string(escape_json=False)


def test_excluded_schema_keys() -> None:
    text = PydanticOutputParser(Book, excluded_schema_keys_from_format=["$defs", "title"]).get_format_string(False)
    schema = json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert "$defs" not in schema
    assert "title" not in schema


def test_output_cls_must_be_a_pydantic_model() -> None:
    with pytest.raises(InvalidInputError, match="BaseModel"):
        PydanticOutputParser(dict)  # type: ignore[type-var]


def test_base_parser_contract() -> None:
    class Upper(BaseOutputParser):
        def parse(self, output: str) -> str:
            return output.upper()

    assert Upper().parse("x") == "X"
    assert Upper().format("q") == "q"
    assert isinstance(PydanticOutputParser(Book), BaseOutputParser)


def test_object_after_an_unclosed_brace_is_found() -> None:
    assert PydanticOutputParser(Book).parse(f"Careful with {{ braces. {GOOD_JSON}") == EXPECTED


def test_mismatched_brackets_before_the_object() -> None:
    assert PydanticOutputParser(Book).parse(f"weird {{ ] text {GOOD_JSON}") == EXPECTED


@pytest.mark.parametrize(
    "output",
    [
        pytest.param("{" * 200_000, id="unclosed-braces"),
        pytest.param('{"a": ' * 50_000, id="unclosed-objects"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="deep-arrays"),
        pytest.param('{"s": "' + "\\\\" * 100_000, id="escapes"),
        pytest.param("```" * 100_000, id="fences-without-newlines"),
        pytest.param("```json\n" * 50_000, id="fences-with-newlines"),
    ],
)
def test_pathological_output_fails_fast(output: str) -> None:
    import time

    start = time.perf_counter()
    with pytest.raises(OutputParserError):
        PydanticOutputParser(Book).parse(output)
    # Linear work on these 200,000 characters takes milliseconds; a backtracking parser would take minutes. The
    # bound leaves room for a loaded machine.
    assert time.perf_counter() - start < 5.0


def test_random_objects_embedded_in_prose_round_trip() -> None:
    import random

    rng = random.Random(7)
    alphabet = 'ab {}[]"\\`\n:,'

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

    for _ in range(300):
        book = Book(title=text(), author=Author(name=text(), born=rng.randint(-5, 3000)), tags=[text(), text()])
        dumped = book.model_dump_json(indent=rng.choice([None, 2]))
        wrapper = rng.choice(["{}", "Answer: {} Thanks.", "```json\n{}\n```", "Sure:\n```\n{}\n```\nok"])
        assert PydanticOutputParser(Book).parse(wrapper.replace("{}", dumped)) == book
